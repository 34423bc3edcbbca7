import { Migration } from '@mikro-orm/migrations';

/** What an upload's header matched: the precise layout, and each column with the field it is read as. */
export class Migration20261130150000_upload_columns extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "csv_uploads" add column "layout" text null, add column "columns" jsonb null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "csv_uploads" drop column "layout", drop column "columns";`);
  }

}
