import { Migration } from '@mikro-orm/migrations';

export class Migration20261130041351 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "catalog_items" ("run_id" bigint not null, "item_key" text not null, "line" int not null, "upload_id" bigint not null, "variant_id" text null, "product_id" text null, "handle" text null, "sku" text null, "barcode" text null, "product_title" text null, "variant_title" text null, "option1" text null, "option2" text null, "option3" text null, "product_type" text null, "vendor" text null, "tags" text null, "status" text null, "price" numeric(18,4) null, "compare_at_price" numeric(18,4) null, "inventory_item_id" text null, "available_total" int null, "inventory_tracked" boolean null, "inventory_policy" text null, "gift_card" boolean null, "product_created_at" timestamptz null, "product_published_at" timestamptz null, constraint "catalog_items_pkey" primary key ("run_id", "item_key"));`);
    this.addSql(`create index "catalog_items_run_inventory_item_idx" on "catalog_items" ("run_id", "inventory_item_id");`);
    this.addSql(`create index "catalog_items_run_sku_idx" on "catalog_items" ("run_id", "sku");`);
    this.addSql(`create index "catalog_items_run_variant_idx" on "catalog_items" ("run_id", "variant_id");`);

    this.addSql(`create table "inventory_levels" ("run_id" bigint not null, "item_key" text not null, "location_key" text not null, "line" int not null, "upload_id" bigint not null, "inventory_item_id" text null, "variant_id" text null, "sku" text null, "handle" text null, "location_id" text null, "location_name" text null, "stocked" boolean not null, "available" int null, "on_hand" int null, "committed" int null, "incoming" int null, "unavailable" int null, "updated_at" timestamptz null, constraint "inventory_levels_pkey" primary key ("run_id", "item_key", "location_key"));`);
    this.addSql(`create index "inventory_levels_run_inventory_item_idx" on "inventory_levels" ("run_id", "inventory_item_id");`);
    this.addSql(`create index "inventory_levels_run_variant_idx" on "inventory_levels" ("run_id", "variant_id");`);
    this.addSql(`create index "inventory_levels_run_sku_idx" on "inventory_levels" ("run_id", "sku");`);

    this.addSql(`create table "order_lines" ("run_id" bigint not null, "order_id" text not null, "line_key" text not null, "line" int not null, "upload_id" bigint not null, "created_at" timestamptz not null, "line_item_id" text null, "variant_id" text null, "product_id" text null, "sku" text null, "quantity" int not null, "price" numeric(18,4) null, "discounted_total" numeric(18,4) null, "title" text null, "vendor" text null, "product_type" text null, "financial_status" text null, "cancelled_at" timestamptz null, "currency" text null, constraint "order_lines_pkey" primary key ("run_id", "order_id", "line_key"));`);

    this.addSql(`create table "shops" ("id" bigserial primary key, "domain" text not null, "created_at" timestamptz not null default now());`);
    this.addSql(`alter table "shops" add constraint "shops_domain_unique" unique ("domain");`);

    this.addSql(`create table "runs" ("id" bigserial primary key, "shop_id" bigint not null, "name" text not null, "created_at" timestamptz not null default now());`);
    this.addSql(`create index "runs_shop_id_id_index" on "runs" ("shop_id", "id");`);

    this.addSql(`create table "csv_uploads" ("id" bigserial primary key, "shop_id" bigint not null, "run_id" bigint not null, "kind" text check ("kind" in ('ORDERS', 'VARIANTS', 'CATALOG', 'INVENTORY')) not null, "filename" text not null, "format" text not null default 'unknown', "status" text check ("status" in ('PROCESSING', 'SUCCEEDED', 'FAILED')) not null default 'PROCESSING', "dry_run" boolean not null default false, "error_policy" text check ("error_policy" in ('REJECT_FILE', 'SKIP_INVALID_ROWS')) not null default 'REJECT_FILE', "bytes_read" bigint not null default 0, "rows_read" int not null default 0, "rows_written" int not null default 0, "rows_inserted" int not null default 0, "rows_updated" int not null default 0, "rows_rejected" int not null default 0, "rows_skipped" int not null default 0, "error_code" text null, "error_message" text null, "started_at" timestamptz not null default now(), "finished_at" timestamptz null, "heartbeat_at" timestamptz not null default now(), "duration_ms" int null);`);
    this.addSql(`create index "csv_uploads_run_id_id_index" on "csv_uploads" ("run_id", "id");`);

    this.addSql(`create table "csv_row_errors" ("upload_id" bigint not null, "seq" int not null, "line" int not null, "column" text null, "value" text null, "code" text not null, "message" text not null, constraint "csv_row_errors_pkey" primary key ("upload_id", "seq"));`);

    this.addSql(`create table "bundles" ("id" bigserial primary key, "shop_id" bigint not null, "run_id" bigint not null, "key" text not null, "kind" text check ("kind" in ('FREQUENTLY_BOUGHT_TOGETHER', 'VOLUME_DISCOUNT', 'BUY_X_GET_Y', 'MIX_AND_MATCH', 'FIXED')) not null, "source" text check ("source" in ('GENERATED', 'MANUAL')) not null, "status" text check ("status" in ('DRAFT', 'ACTIVE', 'ARCHIVED')) not null default 'DRAFT', "pinned" boolean not null default false, "title" text null, "discount" jsonb null, "pricing" jsonb null, "copy" jsonb null, "objective" text null, "support" double precision null, "confidence" double precision null, "lift" double precision null, "score" double precision null, "rank" int null, "order_count" int null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now());`);
    this.addSql(`create index "bundles_shop_id_index" on "bundles" ("shop_id");`);
    this.addSql(`create index "bundles_run_id_rank_id_index" on "bundles" ("run_id", "rank", "id");`);
    this.addSql(`alter table "bundles" add constraint "bundles_run_id_key_unique" unique ("run_id", "key");`);

    this.addSql(`create table "bundle_items" ("bundle_id" bigint not null, "position" int not null, "run_id" bigint not null, "sku" text null, "variant_id" text null, "quantity" int not null, "role" text not null default 'ITEM', constraint "bundle_items_pkey" primary key ("bundle_id", "position"));`);
    this.addSql(`create index "bundle_items_run_variant_idx" on "bundle_items" ("run_id", "variant_id");`);
    this.addSql(`create index "bundle_items_run_sku_idx" on "bundle_items" ("run_id", "sku");`);

    this.addSql(`create table "api_keys" ("id" bigserial primary key, "shop_id" bigint not null, "name" text not null, "scope" text check ("scope" in ('ADMIN', 'READ')) not null, "token_prefix" text not null, "token_hash" text not null, "created_at" timestamptz not null default now(), "revoked_at" timestamptz null);`);
    this.addSql(`alter table "api_keys" add constraint "api_keys_token_hash_unique" unique ("token_hash");`);
    this.addSql(`create index "api_keys_shop_id_index" on "api_keys" ("shop_id");`);

    this.addSql(`create table "variants" ("run_id" bigint not null, "item_key" text not null, "line" int not null, "upload_id" bigint not null, "variant_id" text null, "product_id" text null, "handle" text null, "sku" text null, "barcode" text null, "product_title" text null, "variant_title" text null, "option1" text null, "option2" text null, "option3" text null, "product_type" text null, "vendor" text null, "tags" text null, "status" text null, "price" numeric(18,4) null, "compare_at_price" numeric(18,4) null, "inventory_item_id" text null, "available_total" int null, "inventory_tracked" boolean null, "inventory_policy" text null, "gift_card" boolean null, "product_created_at" timestamptz null, "product_published_at" timestamptz null, constraint "variants_pkey" primary key ("run_id", "item_key"));`);
    this.addSql(`create index "variants_run_inventory_item_idx" on "variants" ("run_id", "inventory_item_id");`);
    this.addSql(`create index "variants_run_sku_idx" on "variants" ("run_id", "sku");`);
    this.addSql(`create index "variants_run_variant_idx" on "variants" ("run_id", "variant_id");`);

    this.addSql(`alter table "runs" add constraint "runs_shop_id_foreign" foreign key ("shop_id") references "shops" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "csv_uploads" add constraint "csv_uploads_shop_id_foreign" foreign key ("shop_id") references "shops" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "csv_uploads" add constraint "csv_uploads_run_id_foreign" foreign key ("run_id") references "runs" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "csv_row_errors" add constraint "csv_row_errors_upload_id_foreign" foreign key ("upload_id") references "csv_uploads" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "bundles" add constraint "bundles_shop_id_foreign" foreign key ("shop_id") references "shops" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "bundles" add constraint "bundles_run_id_foreign" foreign key ("run_id") references "runs" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "bundle_items" add constraint "bundle_items_bundle_id_foreign" foreign key ("bundle_id") references "bundles" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "api_keys" add constraint "api_keys_shop_id_foreign" foreign key ("shop_id") references "shops" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "runs" drop constraint "runs_shop_id_foreign";`);

    this.addSql(`alter table "csv_uploads" drop constraint "csv_uploads_shop_id_foreign";`);

    this.addSql(`alter table "bundles" drop constraint "bundles_shop_id_foreign";`);

    this.addSql(`alter table "api_keys" drop constraint "api_keys_shop_id_foreign";`);

    this.addSql(`alter table "csv_uploads" drop constraint "csv_uploads_run_id_foreign";`);

    this.addSql(`alter table "bundles" drop constraint "bundles_run_id_foreign";`);

    this.addSql(`alter table "csv_row_errors" drop constraint "csv_row_errors_upload_id_foreign";`);

    this.addSql(`alter table "bundle_items" drop constraint "bundle_items_bundle_id_foreign";`);

    this.addSql(`drop table if exists "catalog_items" cascade;`);

    this.addSql(`drop table if exists "inventory_levels" cascade;`);

    this.addSql(`drop table if exists "order_lines" cascade;`);

    this.addSql(`drop table if exists "shops" cascade;`);

    this.addSql(`drop table if exists "runs" cascade;`);

    this.addSql(`drop table if exists "csv_uploads" cascade;`);

    this.addSql(`drop table if exists "csv_row_errors" cascade;`);

    this.addSql(`drop table if exists "bundles" cascade;`);

    this.addSql(`drop table if exists "bundle_items" cascade;`);

    this.addSql(`drop table if exists "api_keys" cascade;`);

    this.addSql(`drop table if exists "variants" cascade;`);
  }

}
