import { Migration } from '@mikro-orm/migrations';

/**
 * A bundle's items become part of its row (`bundles.items`, a JSON array in order), written with the bundle in one
 * entity. `bundle_items` stays as the lookup table of "bundles containing this item", now kept in step by the
 * database: statement-level triggers read the rows a statement inserted or updated (transition tables) and
 * rewrite the items of the bundles whose items or run changed, set-based, in the same statement. Deletes cascade
 * as before.
 */
export class Migration20261130080000_bundle_items_from_bundles extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "bundles" add column "items" jsonb not null default '[]';`);
    this.addSql(`update "bundles" b set "items" = i.items
      from (select bundle_id, jsonb_agg(jsonb_build_object('sku', sku, 'variantId', variant_id, 'quantity', quantity, 'role', role) order by position) as items
              from "bundle_items" group by bundle_id) i
     where i.bundle_id = b.id;`);
    this.addSql(`alter table "bundles" alter column "items" drop default;`);

    this.addSql(`create function "bundle_items_write"() returns trigger language plpgsql as $$
begin
  if tg_op = 'UPDATE' then
    delete from bundle_items bi
     using new_rows n join old_rows o on o.id = n.id
     where bi.bundle_id = n.id and (o.items is distinct from n.items or o.run_id <> n.run_id);
    insert into bundle_items (bundle_id, position, run_id, sku, variant_id, quantity, role)
    select n.id, e.ordinality - 1, n.run_id, e.item->>'sku', e.item->>'variantId', (e.item->>'quantity')::int, coalesce(e.item->>'role', 'ITEM')
      from new_rows n join old_rows o on o.id = n.id
     cross join lateral jsonb_array_elements(n.items) with ordinality as e(item, ordinality)
     where o.items is distinct from n.items or o.run_id <> n.run_id;
  else
    insert into bundle_items (bundle_id, position, run_id, sku, variant_id, quantity, role)
    select n.id, e.ordinality - 1, n.run_id, e.item->>'sku', e.item->>'variantId', (e.item->>'quantity')::int, coalesce(e.item->>'role', 'ITEM')
      from new_rows n
     cross join lateral jsonb_array_elements(n.items) with ordinality as e(item, ordinality);
  end if;
  return null;
end
$$;`);
    this.addSql(`create trigger "bundles_items_inserted" after insert on "bundles" referencing new table as new_rows
      for each statement execute function "bundle_items_write"();`);
    this.addSql(`create trigger "bundles_items_updated" after update on "bundles" referencing old table as old_rows new table as new_rows
      for each statement execute function "bundle_items_write"();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists "bundles_items_updated" on "bundles";`);
    this.addSql(`drop trigger if exists "bundles_items_inserted" on "bundles";`);
    this.addSql(`drop function if exists "bundle_items_write"();`);
    this.addSql(`alter table "bundles" drop column "items";`);
  }

}
