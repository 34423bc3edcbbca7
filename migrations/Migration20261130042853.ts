import { Migration } from '@mikro-orm/migrations';

export class Migration20261130042853 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`drop index "bundles_shop_id_index";`);
    this.addSql(`alter table "bundles" drop column "pricing";`);

    this.addSql(`create index "bundles_shop_id_run_id_index" on "bundles" ("shop_id", "run_id");`);

    this.addSql(`alter table "bundle_items" add constraint "bundle_items_role_check" check("role" in ('ITEM', 'BUY', 'GET'));`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "bundle_items" drop constraint if exists "bundle_items_role_check";`);

    this.addSql(`alter table "bundle_items" alter column "role" type text using ("role"::text);`);

    this.addSql(`drop index "bundles_shop_id_run_id_index";`);

    this.addSql(`alter table "bundles" add column "pricing" jsonb null;`);
    this.addSql(`create index "bundles_shop_id_index" on "bundles" ("shop_id");`);
  }

}
