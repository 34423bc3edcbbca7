import { Migration } from '@mikro-orm/migrations';

/**
 * Two foreign keys that checked every inserted row one by one, the most expensive part of saving bundles after
 * the rows themselves, give way:
 * - `bundles.shop_id` repeats the shop of `bundles.run_id`, whose key already holds (and cascades from the shop
 *   through its runs); checking it again cost a lookup per bundle.
 * - `bundle_items.bundle_id`: the rows are only ever written by the triggers on `bundles`, from the bundle rows
 *   themselves, so they cannot name a missing bundle. Their removal with the bundle, which the key's cascade did
 *   row by row, is now one statement-level trigger over the deleted rows (and one more for TRUNCATE).
 */
export class Migration20261130100000_bundle_checks_by_statement extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "bundles" drop constraint "bundles_shop_id_foreign";`);
    this.addSql(`alter table "bundle_items" drop constraint "bundle_items_bundle_id_foreign";`);
    this.addSql(`create function "bundle_items_delete"() returns trigger language plpgsql as $$
begin
  delete from bundle_items bi using old_rows o where bi.bundle_id = o.id;
  return null;
end
$$;`);
    this.addSql(`create trigger "bundles_items_deleted" after delete on "bundles" referencing old table as old_rows
      for each statement execute function "bundle_items_delete"();`);
    this.addSql(`create function "bundle_items_truncate"() returns trigger language plpgsql as $$
begin
  truncate bundle_items;
  return null;
end
$$;`);
    this.addSql(`create trigger "bundles_items_truncated" after truncate on "bundles"
      for each statement execute function "bundle_items_truncate"();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists "bundles_items_truncated" on "bundles";`);
    this.addSql(`drop function if exists "bundle_items_truncate"();`);
    this.addSql(`drop trigger if exists "bundles_items_deleted" on "bundles";`);
    this.addSql(`drop function if exists "bundle_items_delete"();`);
    this.addSql(`alter table "bundle_items" add constraint "bundle_items_bundle_id_foreign" foreign key ("bundle_id") references "bundles" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "bundles" add constraint "bundles_shop_id_foreign" foreign key ("shop_id") references "shops" ("id") on update cascade on delete cascade;`);
  }

}
