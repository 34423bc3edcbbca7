import { Migration } from '@mikro-orm/migrations';

/**
 * Data versions counted in the transactions that change the data. Each run gets two counters, bumped by every upload
 * that commits rows into it: `data_version` for any dataset, `orders_version` for its order lines. The shop's
 * counter is bumped too. Until now these versions were the highest id of the finished uploads. Uploads run side by
 * side and can finish in any order, so an upload that finished later under a lower id changed the data but not that
 * maximum, and coverage computed in between stayed current for good.
 *
 * The counters start from that maximum, so the coverage parts already kept stay current.
 */
export class Migration20261130110000_run_data_versions extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "runs" add column "data_version" bigint not null default 0, add column "orders_version" bigint not null default 0;`);
    this.addSql(`update "runs" r set "data_version" = v."data_version", "orders_version" = v."orders_version"
      from (select u."run_id", max(u."id") as "data_version", coalesce(max(u."id") filter (where u."kind" = 'ORDERS'), 0) as "orders_version"
              from "csv_uploads" u where not u."dry_run" and u."status" <> 'PROCESSING' group by u."run_id") v
     where v."run_id" = r."id";`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "runs" drop column "data_version", drop column "orders_version";`);
  }

}
