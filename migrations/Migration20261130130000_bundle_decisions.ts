import { Migration } from '@mikro-orm/migrations';

/**
 * When a merchant approved or archived a bundle: regeneration leaves such bundles as they are, while it replaces
 * those whose status only a generation wrote. Generated bundles approved or archived before this column existed
 * count as decided, as regeneration treated them until now.
 */
export class Migration20261130130000_bundle_decisions extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "bundles" add column "decided_at" timestamptz null;`);
    this.addSql(`update "bundles" set "decided_at" = "updated_at" where "source" = 'GENERATED' and "status" <> 'DRAFT';`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "bundles" drop column "decided_at";`);
  }

}
