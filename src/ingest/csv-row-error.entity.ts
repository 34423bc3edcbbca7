import { Entity, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import type { CsvUpload } from './csv-upload.entity';

/** A problem with one row of an uploaded file; at most 1,000 are kept per upload. */
@Entity({ tableName: 'csv_row_errors' })
export class CsvRowErrorRecord {
  @ManyToOne('CsvUpload', { primary: true, deleteRule: 'cascade' })
  upload!: CsvUpload;

  /** Order in which the error was found. */
  @PrimaryKey({ type: 'integer' })
  seq!: number;

  /** Physical line in the file where the record starts (the header is line 1). */
  @Property({ type: 'integer' })
  line!: number;

  /** The row a spreadsheet shows the record on (see RowMap); null when not known. */
  @Property({ type: 'integer', nullable: true })
  row?: number;

  @Property({ type: 'text', nullable: true })
  column?: string;

  @Property({ type: 'text', nullable: true })
  value?: string;

  @Property({ type: 'text' })
  code!: string;

  @Property({ type: 'text' })
  message!: string;
}
