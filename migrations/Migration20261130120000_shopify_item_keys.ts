import { Migration } from '@mikro-orm/migrations';

/**
 * Rows of Shopify products exports are keyed by handle and option values (`h:<handle>/<o1>/<o2>/<o3>`) instead of
 * by SKU, which Shopify does not require to be unique. Rows written before under their SKU are re-keyed, so that
 * uploading the same export again updates them instead of adding a second copy. A row whose new key another row
 * already holds keeps its old one. Inventory rows do not keep their option values and cannot be re-keyed: a
 * Shopify inventory export uploaded again into a run loaded before this change adds rows beside the old ones.
 */
export class Migration20261130120000_shopify_item_keys extends Migration {

  override async up(): Promise<void> {
    for (const table of ['variants', 'catalog_items']) {
      const key = (alias: string) =>
        `'h:' || ${alias}."handle" || '/' || coalesce(${alias}."option1", '') || '/' || coalesce(${alias}."option2", '') || '/' || coalesce(${alias}."option3", '')`;
      this.addSql(`update "${table}" c set "item_key" = ${key('c')}
        where c."item_key" like 's:%' and coalesce(c."handle", '') <> ''
          and exists (select 1 from "csv_uploads" u where u."id" = c."upload_id" and u."format" = 'shopify-products')
          and not exists (select 1 from "${table}" d where d."run_id" = c."run_id" and d."item_key" = ${key('c')});`);
    }
  }

  override async down(): Promise<void> {
    // Keys by handle cannot be told from those a file without SKUs always had: nothing to undo.
  }

}
