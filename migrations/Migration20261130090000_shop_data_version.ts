import { Migration } from '@mikro-orm/migrations';

/**
 * A counter per shop, bumped by every transaction that writes the shop's bundles (as its first statement, so that
 * writers of one shop queue on the shop's row before touching any bundle). With the shop's latest finished upload
 * it tells another server process whether its kept storefront answers are still current.
 */
export class Migration20261130090000_shop_data_version extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "shops" add column "data_version" bigint not null default 0;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "shops" drop column "data_version";`);
  }

}
