import { Migration } from '@mikro-orm/migrations';

/** Bundle generation jobs (see src/generation/generation.entity.ts). */
export class Migration20261130060000_generations extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "bundle_generations" ("id" bigserial primary key, "shop_id" bigint not null, "run_id" bigint not null, "status" text check ("status" in ('PROCESSING', 'SUCCEEDED', 'FAILED')) not null default 'PROCESSING', "phase" text not null default 'queued', "orders_considered" int not null default 0, "items_considered" int not null default 0, "candidate_pairs" int not null default 0, "bundles_written" int not null default 0, "settings" jsonb not null, "result" jsonb null, "error_code" text null, "error_message" text null, "started_at" timestamptz not null default now(), "finished_at" timestamptz null, "heartbeat_at" timestamptz not null default now(), "duration_ms" int null);`);
    this.addSql(`create index "bundle_generations_run_id_id_index" on "bundle_generations" ("run_id", "id");`);

    this.addSql(`alter table "bundle_generations" add constraint "bundle_generations_shop_id_foreign" foreign key ("shop_id") references "shops" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "bundle_generations" add constraint "bundle_generations_run_id_foreign" foreign key ("run_id") references "runs" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "bundle_generations" cascade;`);
  }

}
