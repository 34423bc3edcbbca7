import { Migration } from '@mikro-orm/migrations';

/** The spreadsheet row of each row error, beside its physical line. */
export class Migration20261130160000_row_error_rows extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "csv_row_errors" add column "row" int null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "csv_row_errors" drop column "row";`);
  }

}
