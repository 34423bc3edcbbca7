import { Field, Float, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { toGlobalId } from '../graphql/global-id';
import { Node } from '../graphql/relay';
import { DateTimeScalar, PendingUpload, UploadScalar } from '../graphql/scalars';
import { UserError } from '../graphql/user-error';
import { RunType } from '../runs/run.types';
import type { CsvRowErrorRecord } from './csv-row-error.entity';
import { CsvErrorPolicy, CsvKind, UploadStatus, type CsvUpload } from './csv-upload.entity';
import type { UploadOptions } from './ingest.service';

registerEnumType(CsvKind, { name: 'CsvKind', description: 'The dataset a CSV file feeds.' });
registerEnumType(CsvErrorPolicy, {
  name: 'CsvErrorPolicy',
  description: 'REJECT_FILE writes nothing when any row is invalid; SKIP_INVALID_ROWS writes the valid rows and reports the rest.',
});
registerEnumType(UploadStatus, { name: 'UploadStatus' });

@ObjectType({ description: 'A rejected row or value: where it is in the file and why.' })
export class CsvRowError {
  @Field(() => Int, { description: 'Physical line in the file where the record starts; the header is line 1.' })
  line!: number;

  @Field(() => Int, {
    nullable: true,
    description:
      'The row a spreadsheet shows the record on: after cells holding line breaks (notes, descriptions) it is less than line. Null when not known (past 250,000 records of several lines).',
  })
  row!: number | null;

  @Field(() => String, { nullable: true, description: 'The column as named in the file’s header.' })
  column!: string | null;

  @Field(() => String, { nullable: true, description: 'The offending value, truncated.' })
  value!: string | null;

  @Field()
  code!: string;

  @Field()
  message!: string;

  static from(e: CsvRowErrorRecord): CsvRowError {
    return { line: e.line, row: e.row ?? null, column: e.column ?? null, value: e.value ?? null, code: e.code, message: e.message };
  }
}

@ObjectType('CsvColumn', { description: "A cell of a file's header row and what it is read as." })
export class CsvColumnType {
  @Field({ description: 'The header cell as written.' })
  name!: string;

  @Field(() => String, { nullable: true, description: 'The field the column is read as (such as sku, quantity, price), or null when it is not read.' })
  field!: string | null;
}

@ObjectType('CsvUpload', { implements: Node, description: 'One uploaded file and what became of it.' })
export class CsvUploadType extends Node {
  uploadId!: string;
  runId!: string;

  @Field(() => CsvKind)
  kind!: CsvKind;

  @Field()
  filename!: string;

  @Field({ description: 'Detected layout: canonical, shopify-products, shopify-orders or shopify-inventory.' })
  format!: string;

  @Field(() => String, { nullable: true, description: 'The precise layout the header matched (such as shopify-products-c), once it is read.' })
  layout!: string | null;

  @Field(() => [CsvColumnType], { description: "The header's columns in file order and the field each is read as: a column whose field is null is not read (a misspelt or unknown name). Empty until the header is read." })
  columns!: CsvColumnType[];

  @Field(() => UploadStatus)
  status!: UploadStatus;

  @Field()
  dryRun!: boolean;

  @Field(() => CsvErrorPolicy)
  errorPolicy!: CsvErrorPolicy;

  @Field(() => Float)
  bytesRead!: number;

  @Field(() => Int, { description: 'Data rows read: the header and blank lines left out, skipped rows (rowsSkipped) included.' })
  rowsRead!: number;

  @Field(() => Int, { description: 'Rows written: inserted plus updated; 0 for a rejected file or a dry run.' })
  rowsWritten!: number;

  @Field(() => Int, { description: 'Rows new to the run (or that would be, in a dry run); 0 when the file was rejected.' })
  rowsInserted!: number;

  @Field(() => Int, { description: 'Rows that replaced a row with the same key (or would, in a dry run); 0 when the file was rejected.' })
  rowsUpdated!: number;

  @Field(() => Int)
  rowsRejected!: number;

  @Field(() => Int, { description: 'Rows that carry no data for this dataset, such as image-only rows of a products export, or the header row repeated (two files pasted into one).' })
  rowsSkipped!: number;

  @Field(() => DateTimeScalar)
  startedAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true })
  finishedAt!: Date | null;

  @Field(() => Int, { nullable: true })
  durationMs!: number | null;

  @Field(() => UserError, { nullable: true, description: 'Why the upload failed as a whole, when it did.' })
  failure!: UserError | null;

  static from(upload: CsvUpload): CsvUploadType {
    return Object.assign(new CsvUploadType(), {
      id: toGlobalId('CsvUpload', upload.id),
      uploadId: upload.id,
      runId: typeof upload.run === 'object' ? upload.run.id : String(upload.run),
      kind: upload.kind,
      filename: upload.filename,
      format: upload.format,
      layout: upload.layout ?? null,
      columns: upload.columns ?? [],
      status: upload.status,
      dryRun: upload.dryRun,
      errorPolicy: upload.errorPolicy,
      bytesRead: upload.bytesRead,
      rowsRead: upload.rowsRead,
      rowsWritten: upload.rowsWritten,
      rowsInserted: upload.rowsInserted,
      rowsUpdated: upload.rowsUpdated,
      rowsRejected: upload.rowsRejected,
      rowsSkipped: upload.rowsSkipped,
      startedAt: upload.startedAt,
      finishedAt: upload.finishedAt ?? null,
      durationMs: upload.durationMs ?? null,
      failure: upload.errorCode ? { code: upload.errorCode, message: upload.errorMessage ?? upload.errorCode, field: undefined } : null,
    });
  }
}

@InputType()
export class CsvUploadOptions {
  @Field(() => CsvErrorPolicy, { nullable: true, defaultValue: CsvErrorPolicy.REJECT_FILE })
  errorPolicy?: CsvErrorPolicy | null;

  @Field(() => Boolean, { nullable: true, defaultValue: false, description: 'Check everything and report what would be inserted and updated; write nothing.' })
  dryRun?: boolean | null;

  @Field(() => Boolean, { nullable: true, defaultValue: true, description: 'false: answer at once with status PROCESSING and follow the upload through `upload(id)`.' })
  wait?: boolean | null;
}

/** The options as given, an explicit null or a missing object meaning the default. */
export function uploadOptions(options: CsvUploadOptions | null | undefined): UploadOptions & { wait: boolean } {
  return {
    errorPolicy: options?.errorPolicy ?? CsvErrorPolicy.REJECT_FILE,
    dryRun: options?.dryRun ?? false,
    wait: options?.wait ?? true,
  };
}

@ObjectType()
export class CsvUploadPayload {
  @Field(() => CsvUploadType, { nullable: true })
  upload!: CsvUploadType | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

@InputType()
export class RunUploadInput {
  @Field()
  name!: string;

  @Field(() => UploadScalar, { nullable: true })
  orders?: PendingUpload;

  @Field(() => UploadScalar, { nullable: true })
  variants?: PendingUpload;

  @Field(() => UploadScalar, { nullable: true })
  catalog?: PendingUpload;

  @Field(() => UploadScalar, { nullable: true })
  inventory?: PendingUpload;

  @Field(() => CsvUploadOptions, { nullable: true })
  options?: CsvUploadOptions;
}

@ObjectType()
export class RunUploadPayload {
  @Field(() => RunType, { nullable: true })
  run!: RunType | null;

  @Field(() => [CsvUploadType])
  uploads!: CsvUploadType[];

  @Field(() => [UserError], { description: 'Paths start with the file’s input field, e.g. ["input","orders"].' })
  userErrors!: UserError[];
}

@ObjectType({ description: 'Which datasets a run has, and whether bundles can be generated from it.' })
export class RunReadiness {
  @Field()
  hasOrders!: boolean;

  @Field()
  hasVariants!: boolean;

  @Field()
  hasCatalog!: boolean;

  @Field()
  hasInventory!: boolean;

  @Field({ description: 'Orders plus variants or catalog to match them against.' })
  canGenerateBundles!: boolean;

  @Field(() => [CsvKind], { description: 'Datasets still needed before bundles can be generated; VARIANTS and CATALOG together mean either of them.' })
  missing!: CsvKind[];

  @Field(() => String, { nullable: true })
  message!: string | null;
}
