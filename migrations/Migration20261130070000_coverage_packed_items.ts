import { Migration } from '@mikro-orm/migrations';

/**
 * coverage_items becomes one row per run and ORDERS version holding the (variant id, SKU) pairs as parallel arrays
 * (see CoverageItems). The table is a cache: its rows are dropped, with the ITEMS parts that pointed at them, and
 * rebuilt on the next request that needs them.
 */
export class Migration20261130070000_coverage_packed_items extends Migration {

  override async up(): Promise<void> {
    this.addSql(`drop table if exists "coverage_items" cascade;`);
    this.addSql(`delete from "coverage_parts" where "part" = 'ITEMS';`);

    this.addSql(`create unlogged table "coverage_items" ("run_id" bigint not null, "orders_version" bigint not null, "variant_ids" text[] not null, "skus" text[] not null, "lines" int[] not null, "quantities" bigint[] not null, constraint "coverage_items_pkey" primary key ("run_id", "orders_version"));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "coverage_items" cascade;`);
    this.addSql(`delete from "coverage_parts" where "part" = 'ITEMS';`);

    this.addSql(`create unlogged table "coverage_items" ("run_id" bigint not null, "orders_version" bigint not null, "item" int not null, "variant_id" text null, "sku" text null, "lines" int not null, "quantity" bigint not null, constraint "coverage_items_pkey" primary key ("run_id", "orders_version", "item"));`);
  }

}
