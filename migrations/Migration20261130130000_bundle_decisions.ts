import { Migration } from '@mikro-orm/migrations';

/**
 * When a merchant approved or archived a bundle: regeneration leaves such bundles as they are, while it replaces
 * those whose status only a generation wrote. Of the generated bundles approved or archived before this column
 * existed, those whose status no generation of their run was asked to write count as decided; the others may have
 * been published by a generation (settings `status: ACTIVE`) and stay undecided.
 */
export class Migration20261130130000_bundle_decisions extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "bundles" add column "decided_at" timestamptz null;`);
    this.addSql(`update "bundles" b set "decided_at" = b."updated_at"
      where b."source" = 'GENERATED' and b."status" <> 'DRAFT'
        and not exists (select 1 from "bundle_generations" g where g."run_id" = b."run_id" and g."settings"->>'status' = b."status");`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "bundles" drop column "decided_at";`);
  }

}
