import { BigIntType, Collection, Entity, Enum, Index, ManyToOne, OneToMany, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { Run } from '../runs/run.entity';
import { Shop } from '../shops/shop.entity';
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

/**
 * One file sent for ingestion. Written outside the data transaction, so that a rejected file still leaves its
 * record, counts and row errors behind.
 */
@Entity({ tableName: 'csv_uploads' })
@Index({ properties: ['run', 'id'] })
export class CsvUpload {
  [OptionalProps]?:
    | 'format' | 'status' | 'dryRun' | 'errorPolicy' | 'bytesRead' | 'rowsRead' | 'rowsWritten' | 'rowsInserted'
    | 'rowsUpdated' | 'rowsRejected' | 'rowsSkipped' | 'startedAt' | 'heartbeatAt';

  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @ManyToOne(() => Shop, { deleteRule: 'cascade' })
  shop!: Shop;

  @ManyToOne(() => Run, { deleteRule: 'cascade' })
  run!: Run;

  @Enum(() => CsvKind)
  kind!: CsvKind;

  @Property({ type: 'text' })
  filename!: string;

  /** Detected layout: canonical, shopify-products, shopify-orders, shopify-inventory; "unknown" until the header is read. */
  @Property({ type: 'text' })
  format: string = 'unknown';

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

  /** File-level failure (MISSING_COLUMNS, INTERRUPTED, ...): the code of the userError that ended the upload. */
  @Property({ type: 'text', nullable: true })
  errorCode?: string;

  @Property({ type: 'text', nullable: true })
  errorMessage?: string;

  @Property({ columnType: 'timestamptz', defaultRaw: 'now()' })
  startedAt: Date = new Date();

  @Property({ columnType: 'timestamptz', nullable: true })
  finishedAt?: Date;

  /** Renewed while the upload is processed; a PROCESSING upload whose heartbeat stopped was interrupted. */
  @Property({ columnType: 'timestamptz', defaultRaw: 'now()' })
  heartbeatAt: Date = new Date();

  @Property({ type: 'integer', nullable: true })
  durationMs?: number;

  @OneToMany(() => CsvRowErrorRecord, (error) => error.upload)
  rowErrors = new Collection<CsvRowErrorRecord>(this);
}
