import { bigintArray, textArray } from '../db/arrays';
import type { Em } from '../db/orm';
import type { BundleItemRole } from './bundle-item.entity';
import type { BundleItem } from './bundle.types';

/**
 * The other key of an item in the catalog and variants of the runs `runs` (an SQL list or subquery with `?`
 * placeholders), as (run_id, key) rows: the SKUs a variant id has (`wanted` sku), or the variant ids a SKU has
 * (`wanted` variant_id). So a bundle saved by SKU before a catalog named the SKU's variant is found by that variant
 * id, and one saved by variant id alone by its SKU. Parameters: those of `runs`, the key; twice.
 */
export function otherKeysSql(wanted: 'sku' | 'variant_id', runs: string): string {
  const known = wanted === 'sku' ? 'variant_id' : 'sku';
  return `SELECT r.run_id, r.${wanted} FROM catalog_items r WHERE r.run_id IN (${runs}) AND r.${known} = ? AND r.${wanted} IS NOT NULL
          UNION ALL SELECT r.run_id, r.${wanted} FROM variants r WHERE r.run_id IN (${runs}) AND r.${known} = ? AND r.${wanted} IS NOT NULL`;
}

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
  r.available_total AS catalog_available, r.sku, r.variant_id AS known_variant_id, r.status`;

/**
 * Facts for many items in one query. An item matches a catalog (else variants) row by variant id where both
 * have one, else by SKU. Its variant is its own variant id, else that row's. Its stock is the sum over stocked
 * locations of the inventory rows that reach the same variant: a row's variant is its own variant id, else the
 * variant of the catalog (else variants) row that carries its inventory item id; the item's inventory item id is its
 * row's, else that of the other dataset's row of its variant. Only where the item or the row
 * reaches no variant does SKU equality decide: two variants that share a SKU are two items, each with its own
 * stock. Locations marked not stocked have unknown quantities: an item stocked nowhere takes the catalog's total.
 */
export async function loadItemFacts(em: Em, items: readonly Pick<BundleItem, 'runId' | 'sku' | 'variantId'>[]): Promise<ItemFacts[]> {
  const rows: {
    idx: string;
    title: string | null;
    price: string | null;
    tracked: boolean | null;
    policy: string | null;
    status: string | null;
    available: number | null;
    located: string;
    catalog_available: number | null;
  }[] =
    await em.getConnection().execute(
      `WITH wanted AS (
         SELECT * FROM unnest(?::bigint[], ?::text[], ?::text[]) WITH ORDINALITY AS w(run_id, variant_id, sku, idx)
       ),
       found AS (
         SELECT w.*, p.title, p.price, p.tracked, p.policy, p.status, p.inventory_item_id AS own_inventory_item_id, p.catalog_available,
                p.sku AS known_sku, coalesce(w.variant_id, p.known_variant_id) AS item_variant_id
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
       ),
       described AS (
         -- The row found may not carry the inventory item id that the other dataset's row of the same variant does
         -- (a catalog without the column, variants with it): stock reaches the item through either.
         SELECT f.*, coalesce(f.own_inventory_item_id,
                  (SELECT v.inventory_item_id FROM variants v
                    WHERE v.run_id = f.run_id AND v.variant_id = f.item_variant_id AND v.inventory_item_id IS NOT NULL LIMIT 1),
                  (SELECT c.inventory_item_id FROM catalog_items c
                    WHERE c.run_id = f.run_id AND c.variant_id = f.item_variant_id AND c.inventory_item_id IS NOT NULL LIMIT 1)) AS inventory_item_id
           FROM found f
       )
       SELECT d.idx, nullif(d.title, '') AS title, d.price, d.tracked, d.policy, d.status, d.catalog_available,
              s.available, s.located
         FROM described d
         LEFT JOIN LATERAL (
           -- "Not stocked" rows (stocked = false, quantities NULL) say nothing about the quantity: only stocked
           -- rows count as located, so that an item stocked nowhere falls back to the catalog's total.
           SELECT sum(i.available) FILTER (WHERE i.stocked)::int AS available, count(*) FILTER (WHERE i.stocked) AS located
             FROM inventory_levels i
            WHERE i.run_id = d.run_id
              -- The candidates: one bitmap OR of the three (run_id, ...) indexes.
              AND (i.sku = coalesce(d.sku, d.known_sku) OR i.variant_id = d.item_variant_id OR i.inventory_item_id = d.inventory_item_id)
              -- A candidate that reaches another variant is that variant's stock, even with the same SKU. Cheapest
              -- tests first: a row with the item's inventory item id reaches the item's own row, and a row with
              -- neither a variant nor an inventory item id reaches no variant (its SKU decides); the row's variant
              -- is looked up (by the (run_id, inventory_item_id) indexes) only for a row found by SKU that names no
              -- variant but another inventory item.
              AND (d.item_variant_id IS NULL
                   OR i.variant_id = d.item_variant_id
                   OR (i.variant_id IS NULL
                       AND (i.inventory_item_id IS NULL
                            OR i.inventory_item_id = d.inventory_item_id
                            OR coalesce(
                                 (SELECT c.variant_id FROM catalog_items c
                                   WHERE c.run_id = i.run_id AND c.inventory_item_id = i.inventory_item_id AND c.variant_id IS NOT NULL LIMIT 1),
                                 (SELECT v.variant_id FROM variants v
                                   WHERE v.run_id = i.run_id AND v.inventory_item_id = i.inventory_item_id AND v.variant_id IS NOT NULL LIMIT 1),
                                 d.item_variant_id) = d.item_variant_id)))
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
    // A product the catalog marks draft or archived is not for sale, whatever its stock says.
    if (row.status !== null && row.status !== 'active') return { title: row.title, price: row.price, available: 0, limitsStock: true };
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
