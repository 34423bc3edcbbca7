import { bigintArray, textArray } from '../db/arrays';
import type { Em } from '../db/orm';
import type { BundleItemRole } from './bundle-item.entity';
import type { BundleItem } from './bundle.types';

/** What the run's catalog and inventory say about an item. */
export interface ItemFacts {
  title: string | null;
  price: string | null;
  /** Units available across stocked locations (else the catalog's total), or null when nothing says. */
  available: number | null;
  /** False for untracked items and items that keep selling when out of stock: they never limit a bundle. */
  limitsStock: boolean;
}

export function itemFactsKey(item: Pick<BundleItem, 'runId' | 'sku' | 'variantId'>): string {
  return `${item.runId}|${item.variantId ?? ''}|${item.sku ?? ''}`;
}

const FACT_COLUMNS = `concat_ws(' - ', nullif(r.product_title, ''), nullif(nullif(r.variant_title, 'Default Title'), '')) AS title,
  r.price::text AS price, r.inventory_tracked AS tracked, r.inventory_policy AS policy, r.inventory_item_id,
  r.available_total AS catalog_available, r.sku`;

/**
 * Facts for many items in one query. An item matches a catalog (else variants) row by variant id where both
 * have one, else by SKU; its stock is the sum over stocked locations of the inventory rows that carry its SKU,
 * its variant id, or the inventory item id of its catalog row.
 */
export async function loadItemFacts(em: Em, items: readonly Pick<BundleItem, 'runId' | 'sku' | 'variantId'>[]): Promise<ItemFacts[]> {
  const rows: { idx: string; title: string | null; price: string | null; tracked: boolean | null; policy: string | null; available: number | null; located: string; catalog_available: number | null }[] =
    await em.getConnection().execute(
      `WITH wanted AS (
         SELECT * FROM unnest(?::bigint[], ?::text[], ?::text[]) WITH ORDINALITY AS w(run_id, variant_id, sku, idx)
       ),
       described AS (
         SELECT w.*, p.title, p.price, p.tracked, p.policy, p.inventory_item_id, p.catalog_available, p.sku AS known_sku
           FROM wanted w
           LEFT JOIN LATERAL (
             -- Branches in order of preference, each an index lookup; the first row found wins.
             SELECT * FROM (
               SELECT ${FACT_COLUMNS} FROM catalog_items r WHERE r.run_id = w.run_id AND r.variant_id = w.variant_id
               UNION ALL
               SELECT ${FACT_COLUMNS} FROM catalog_items r WHERE r.run_id = w.run_id AND r.sku = w.sku AND (r.variant_id IS NULL OR w.variant_id IS NULL)
               UNION ALL
               SELECT ${FACT_COLUMNS} FROM variants r WHERE r.run_id = w.run_id AND r.variant_id = w.variant_id
               UNION ALL
               SELECT ${FACT_COLUMNS} FROM variants r WHERE r.run_id = w.run_id AND r.sku = w.sku AND (r.variant_id IS NULL OR w.variant_id IS NULL)
             ) candidates LIMIT 1
           ) p ON true
       )
       SELECT d.idx, nullif(d.title, '') AS title, d.price, d.tracked, d.policy, d.catalog_available,
              s.available, s.located
         FROM described d
         LEFT JOIN LATERAL (
           SELECT sum(i.available) FILTER (WHERE i.stocked)::int AS available, count(*) AS located
             FROM inventory_levels i
            WHERE i.run_id = d.run_id
              AND (i.sku = coalesce(d.sku, d.known_sku) OR i.variant_id = d.variant_id OR i.inventory_item_id = d.inventory_item_id)
         ) s ON true
        ORDER BY d.idx`,
      [
        bigintArray(items.map((i) => i.runId)),
        textArray(items.map((i) => i.variantId)),
        textArray(items.map((i) => i.sku)),
      ],
    );
  return rows.map((row) => {
    const located = Number(row.located) > 0;
    return {
      title: row.title,
      price: row.price,
      available: located ? (row.available ?? 0) : row.catalog_available,
      limitsStock: row.tracked !== false && row.policy !== 'continue',
    };
  });
}

/**
 * How many complete bundles stock allows: the minimum over limiting items of floor(available / quantity),
 * null when no item limits it (all untracked, continue-selling, or without stock figures).
 */
export function availableQuantity(items: { quantity: number; role: BundleItemRole }[], facts: ItemFacts[]): number | null {
  let minimum: number | null = null;
  items.forEach((item, i) => {
    const fact = facts[i];
    if (!fact.limitsStock || fact.available === null) return;
    const complete = Math.floor(Math.max(fact.available, 0) / item.quantity);
    minimum = minimum === null ? complete : Math.min(minimum, complete);
  });
  return minimum;
}
