import { Migration } from '@mikro-orm/migrations';

/**
 * Coverage's cache of computed parts (see src/coverage/coverage.entity.ts). UNLOGGED: the rows can always be
 * recomputed, so they are kept out of the WAL; after a crash PostgreSQL empties both tables together, which leaves
 * no part pointing at missing items.
 */
export class Migration20261130050000_coverage extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create unlogged table "coverage_parts" ("run_id" bigint not null, "part" text not null, "version" bigint not null, "value" jsonb not null, "computed_at" timestamptz not null default now(), constraint "coverage_parts_pkey" primary key ("run_id", "part"));`);

    this.addSql(`create unlogged table "coverage_items" ("run_id" bigint not null, "orders_version" bigint not null, "item" int not null, "variant_id" text null, "sku" text null, "lines" int not null, "quantity" bigint not null, constraint "coverage_items_pkey" primary key ("run_id", "orders_version", "item"));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "coverage_items" cascade;`);

    this.addSql(`drop table if exists "coverage_parts" cascade;`);
  }

}
