import { BigIntType, Collection, Entity, Enum, Index, OneToMany, OptionalProps, Property } from '@mikro-orm/core';
import { RunJob } from '../runs/run-job.entity';
import { CsvRowErrorRecord } from './csv-row-error.entity';

export enum CsvKind {
  ORDERS = 'ORDERS',
  VARIANTS = 'VARIANTS',
  CATALOG = 'CATALOG',
  INVENTORY = 'INVENTORY',
}

export enum CsvErrorPolicy {
  REJECT_FILE = 'REJECT_FILE',
  SKIP_INVALID_ROWS = 'SKIP_INVALID_ROWS',
}

export enum UploadStatus {
  PROCESSING = 'PROCESSING',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
}

export interface UploadColumn {
  name: string;
  field: string | null;
}

/**
 * One file sent for ingestion. Written outside the data transaction, so that a rejected file still leaves its
 * record, counts and row errors behind.
 */
@Entity({ tableName: 'csv_uploads' })
@Index({ properties: ['run', 'id'] })
export class CsvUpload extends RunJob {
  [OptionalProps]?:
    | 'format' | 'status' | 'dryRun' | 'errorPolicy' | 'bytesRead' | 'rowsRead' | 'rowsWritten' | 'rowsInserted'
    | 'rowsUpdated' | 'rowsRejected' | 'rowsSkipped' | 'startedAt' | 'heartbeatAt';

  @Enum(() => CsvKind)
  kind!: CsvKind;

  @Property({ type: 'text' })
  filename!: string;

  /** Detected layout: canonical, shopify-products, shopify-orders, shopify-inventory; "unknown" until the header is read. */
  @Property({ type: 'text' })
  format: string = 'unknown';

  /** The precise layout (`shopify-products-c`), once the header is read. */
  @Property({ type: 'text', nullable: true })
  layout?: string | null;

  /** The header's cells and the field each is read as (null: not read), once the header is read. */
  @Property({ type: 'json', nullable: true })
  columns?: UploadColumn[] | null;

  @Enum(() => UploadStatus)
  status: UploadStatus = UploadStatus.PROCESSING;

  @Property({ type: 'boolean' })
  dryRun: boolean = false;

  @Enum(() => CsvErrorPolicy)
  errorPolicy: CsvErrorPolicy = CsvErrorPolicy.REJECT_FILE;

  @Property({ type: new BigIntType('number') })
  bytesRead: number = 0;

  @Property({ type: 'integer' })
  rowsRead: number = 0;

  @Property({ type: 'integer' })
  rowsWritten: number = 0;

  @Property({ type: 'integer' })
  rowsInserted: number = 0;

  @Property({ type: 'integer' })
  rowsUpdated: number = 0;

  @Property({ type: 'integer' })
  rowsRejected: number = 0;

  @Property({ type: 'integer' })
  rowsSkipped: number = 0;

  @OneToMany(() => CsvRowErrorRecord, (error) => error.upload)
  rowErrors = new Collection<CsvRowErrorRecord>(this);
}
