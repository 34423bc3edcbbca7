import type { Client } from 'pg';
import { runCurrencySql } from '../bundles/copy';
import type { GenerationSettings } from './settings';

/**
 * The set-based half of generation: everything proportional to the order history runs here, as SQL on one
 * connection inside one transaction, in temporary tables dropped at its end. Only the surviving candidates
 * (hundreds to a few thousand rows) and the facts of their items travel to Node.
 *
 * Tables, in order:
 * - gen_skumap: SKU -> variant id from the run's catalog (preferred) and variants, so that SKU-only order lines
 *   (Shopify's orders export) name the same item as lines with a variant id.
 * - gen_basket: one row per (order, item), from the one full pass over the order lines: the item is
 *   "v:<variant id>" where known, else "s:<sku>"; whether the order was cancelled, voided or refunded in full.
 * - gen_oversized: orders above maxBasketSize, left out of pair counting (only when there are any).
 * - gen_items: one row per item with its order counts, units, multi-unit lines, units of the last slowMoverDays,
 *   and its catalog facts (catalog row by variant id, else variants by variant id, else either by SKU), plus the
 *   first exclusion that applies to it.
 * - gen_bi: (order, item number) of the baskets used for pairs: items with fewer than minCoOrders orders are
 *   pruned first, since no pair of theirs can reach the minimum.
 * - gen_pairs: co-order counts by self-join on the order with a < b, of the pairs that reach minCoOrders.
 */

export interface ItemRow {
  no: number;
  item: string;
  sku: string | null;
  variantId: string | null;
  productId: string | null;
  title: string | null;
  price: string | null;
  compareAtPrice: string | null;
  status: string | null;
  tags: string | null;
  productCreatedAt: Date | null;
  orders: number;
  assocOrders: number;
  lines: number;
  multiLines: number;
  units: number;
  recentUnits: number;
  excluded: string | null;
}

export interface PairRow {
  a: number;
  b: number;
  nAb: number;
  support: number;
  confidenceAb: number;
  confidenceBa: number;
  lift: number;
  llr: number;
  /** The confidence the score counts on: the larger lower bound of the two directions (see confidenceBound). */
  evidence: number;
  score: number;
}

export interface Mined {
  historyEnd: Date | null;
  currency: string | null;
  ordersConsidered: number;
  cancelledOrders: number;
  oversizedOrders: number;
  multiItemOrders: number;
  /** Orders counted for pairs: considered orders within the basket size cap. */
  pairOrders: number;
  itemsConsidered: number;
  candidatePairs: number;
  dropped: Record<string, number>;
  pairs: PairRow[];
}

/** How many passing pairs at most come to Node, best first; the rest could never be among maxBundles anyway. */
export const PAIR_FETCH_FACTOR = 20;

/** x ln x with 0 ln 0 = 0, as SQL over a float8 expression. */
function xlogx(x: string): string {
  return `(CASE WHEN (${x}) > 0 THEN (${x}) * ln(${x}) ELSE 0 END)`;
}

/** Dunning's G statistic of the 2x2 table (k11 k12 / k21 k22), as Mahout computes it. */
export function llrSql(k11: string, k12: string, k21: string, k22: string): string {
  const row = `(${xlogx(`${k11} + ${k12} + ${k21} + ${k22}`)} - ${xlogx(`${k11} + ${k12}`)} - ${xlogx(`${k21} + ${k22}`)})`;
  const column = `(${xlogx(`${k11} + ${k12} + ${k21} + ${k22}`)} - ${xlogx(`${k11} + ${k21}`)} - ${xlogx(`${k12} + ${k22}`)})`;
  const matrix = `(${xlogx(`${k11} + ${k12} + ${k21} + ${k22}`)} - ${xlogx(k11)} - ${xlogx(k12)} - ${xlogx(k21)} - ${xlogx(k22)})`;
  return `greatest(0, 2.0 * (${row} + ${column} - ${matrix}))`;
}

/** The same statistic in Node, for triples and tests. */
export function llr(k11: number, k12: number, k21: number, k22: number): number {
  const xl = (x: number) => (x > 0 ? x * Math.log(x) : 0);
  const n = k11 + k12 + k21 + k22;
  const row = xl(n) - xl(k11 + k12) - xl(k21 + k22);
  const column = xl(n) - xl(k11 + k21) - xl(k12 + k22);
  const matrix = xl(n) - xl(k11) - xl(k12) - xl(k21) - xl(k22);
  return Math.max(0, 2 * (row + column - matrix));
}

/** z of the two-sided 95% interval. */
const Z = 1.96;

/**
 * The lower bound of the 95% Wilson score interval of a confidence x/n: what the orders show at the least rather
 * than what they show, so that 3 orders of 6 (0.5) rank below 280 of 450 (0.62): among thousands of pairs, some of a
 * few orders reach a high confidence by chance alone.
 */
export function confidenceBound(x: number, n: number): number {
  if (n <= 0) return 0;
  const p = x / n;
  const z2 = Z * Z;
  return (p + z2 / (2 * n) - Z * Math.sqrt((p * (1 - p) + z2 / (4 * n)) / n)) / (1 + z2 / n);
}

/** confidenceBound in SQL, of two float8 expressions. */
export function confidenceBoundSql(x: string, n: string): string {
  const [xf, nf, z2] = [`(${x})::float8`, `(${n})::float8`, `(${Z}::float8 * ${Z})`];
  return `((${xf} / ${nf} + ${z2} / (2 * ${nf}) - ${Z} * sqrt(greatest(0, (${xf} / ${nf}) * (1 - ${xf} / ${nf}) + ${z2} / (4 * ${nf})) / ${nf})) / (1 + ${z2} / ${nf}))`;
}

/** Weight of a bundle's revenue in its score: 1 + log10(1 + original total). */
export function revenueWeightSql(total: string): string {
  return `(1 + log(1 + greatest(0, ${total})))`;
}

export function revenueWeight(total: number): number {
  return 1 + Math.log10(1 + Math.max(0, total));
}

export type Progress = (phase: string, counters?: { ordersConsidered?: number; itemsConsidered?: number; candidatePairs?: number }) => void;

async function count(client: Client, sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await client.query(sql, params);
  return Number(rows[0]?.n ?? 0);
}

/** An order line's item: its variant id, else its SKU's variant id in the run's catalog, else its SKU. */
const ITEM_OF_LINE = `CASE WHEN coalesce(l.variant_id, m.variant_id) IS NOT NULL THEN 'v:' || coalesce(l.variant_id, m.variant_id) ELSE 's:' || l.sku END`;

/**
 * gen_items: each item with its catalog facts, by hash joins rather than per-item lookups: the run's catalog rows
 * (preferred) and variant rows, matched by variant id, else by SKU where one side has no variant id (the SKU of
 * a variant-id item comes from its order lines, when they were read); the best match wins. Also the first
 * exclusion that applies to the item.
 */
async function buildItems(client: Client, runId: string, settings: GenerationSettings, withLineFacts: boolean): Promise<void> {
  const line = withLineFacts
    ? { join: 'LEFT JOIN gen_linefacts f ON f.item = a.item', sku: 'coalesce(a.item_sku, f.line_sku)', product: 'f.line_product_id', price: 'f.line_price' }
    : { join: '', sku: 'a.item_sku', product: 'NULL::text', price: 'NULL::numeric' };
  await client.query(
    `CREATE TEMP TABLE gen_items ON COMMIT DROP AS
     WITH product_rows AS (
       SELECT 0 AS source, variant_id, sku, product_id, handle, gift_card, price, compare_at_price, status, tags, product_created_at,
              concat_ws(' - ', nullif(product_title, ''), nullif(nullif(variant_title, 'Default Title'), '')) AS title, item_key
         FROM catalog_items WHERE run_id = $1
       UNION ALL
       SELECT 1, variant_id, sku, product_id, handle, gift_card, price, compare_at_price, status, tags, product_created_at,
              concat_ws(' - ', nullif(product_title, ''), nullif(nullif(variant_title, 'Default Title'), '')), item_key
         FROM variants WHERE run_id = $1
     ),
     described AS (
       SELECT a.*, ${line.sku} AS line_sku, ${line.product} AS line_product_id, ${line.price} AS line_price FROM gen_agg a ${line.join}
     ),
     matches AS (
       SELECT a.no, r.source AS preference, r.* FROM described a JOIN product_rows r ON r.variant_id = a.item_variant
       UNION ALL
       SELECT a.no, 2 + r.source, r.* FROM described a JOIN product_rows r ON r.sku = a.line_sku AND (r.variant_id IS NULL OR a.item_variant IS NULL)
     ),
     best AS (
       SELECT DISTINCT ON (no) * FROM matches ORDER BY no, preference, item_key
     )
     SELECT s.*, p.variant_id, coalesce(p.sku, s.line_sku) AS sku, coalesce(p.product_id, s.line_product_id) AS product_id,
            -- Which product the item is a variant of: its id, else (Shopify's exports have none) its handle.
            coalesce(p.product_id, s.line_product_id, 'handle:' || p.handle) AS product_key,
            p.title, p.price, p.compare_at_price, p.status, p.tags, p.product_created_at,
            CASE
              WHEN p.no IS NULL THEN 'unknown_item'
              WHEN p.gift_card THEN 'gift_card'
              WHEN coalesce(p.price, s.line_price) = 0 THEN 'zero_price'
              WHEN p.status IS NOT NULL AND lower(p.status) <> 'active' THEN 'not_active'
              WHEN lower(coalesce(p.sku, s.line_sku)) IN (SELECT lower(x) FROM unnest($2::text[]) x) THEN 'excluded_sku'
              WHEN coalesce(p.variant_id, s.item_variant) = ANY($3::text[]) THEN 'excluded_variant'
            END AS excluded
       FROM described s LEFT JOIN best p ON p.no = s.no`,
    [runId, settings.excludeSkus, settings.excludeVariantIds],
  );
}

/** Builds the temporary tables of one run and returns the pairs that pass every filter, with drop counts. */
export async function mine(client: Client, runId: string, settings: GenerationSettings, progress: Progress): Promise<Mined> {
  const dropped: Record<string, number> = {};
  const drop = (reason: string, n: number) => {
    if (n > 0) dropped[reason] = (dropped[reason] ?? 0) + n;
  };
  await client.query(`SET LOCAL work_mem = '256MB'`);

  progress('baskets');
  await client.query(
    `CREATE TEMP TABLE gen_skumap ON COMMIT DROP AS
     SELECT DISTINCT ON (sku) sku, variant_id FROM (
       SELECT sku, variant_id, 0 AS source FROM catalog_items WHERE run_id = $1 AND sku IS NOT NULL AND variant_id IS NOT NULL
       UNION ALL
       SELECT sku, variant_id, 1 AS source FROM variants WHERE run_id = $1 AND sku IS NOT NULL AND variant_id IS NOT NULL
     ) known ORDER BY sku, source, variant_id`,
    [runId],
  );
  await client.query(`ANALYZE gen_skumap`);
  // The one pass over the order lines. Orders are keyed by a 64-bit hash of their id: joins and grouping on a
  // bigint are several times cheaper than on text, and a collision among a shop's orders (odds about n^2 / 2^65)
  // is not a practical concern. Order-level fields are carried to every line at ingestion, so a line's
  // cancellation is its order's.
  await client.query(
    `CREATE TEMP TABLE gen_basket ON COMMIT DROP AS
     SELECT hashtextextended(l.order_id, 0) AS o,
            ${ITEM_OF_LINE} AS item,
            sum(l.quantity)::int AS qty,
            count(*)::int AS lines,
            (count(*) FILTER (WHERE l.quantity >= 2))::int AS multi_lines,
            max(l.created_at) AS created_at,
            -- Cancelled, voided, refunded in full or expired (never paid): no basket kept (a partial refund leaves one).
            bool_or(l.cancelled_at IS NOT NULL OR coalesce(l.financial_status IN ('voided', 'refunded', 'expired'), false)) AS voided
       FROM order_lines l
       LEFT JOIN gen_skumap m ON m.sku = CASE WHEN l.variant_id IS NULL THEN l.sku END
      WHERE l.run_id = $1 AND (l.variant_id IS NOT NULL OR l.sku IS NOT NULL)
        -- A line of no units (an item removed from the order) was not bought.
        AND l.quantity > 0
      GROUP BY 1, 2`,
    [runId],
  );
  const kept = settings.includeCancelled ? 'true' : 'NOT voided';
  progress('orders');
  const { rows: [orderStats] } = await client.query(
    `SELECT (count(*) FILTER (WHERE ${kept}))::int AS orders, (count(*) FILTER (WHERE voided))::int AS voided,
            (count(*) FILTER (WHERE ${kept} AND size >= 2))::int AS multi, (count(*) FILTER (WHERE ${kept} AND size > $1))::int AS oversized,
            max(created_at) FILTER (WHERE ${kept}) AS history_end
       FROM (SELECT o, count(*)::int AS size, max(created_at) AS created_at, bool_or(voided) AS voided FROM gen_basket GROUP BY o) orders`,
    [settings.maxBasketSize],
  );
  if (orderStats.oversized > 0) {
    await client.query(
      `CREATE TEMP TABLE gen_oversized ON COMMIT DROP AS
       SELECT o FROM gen_basket GROUP BY o HAVING count(*) > $1 AND ${settings.includeCancelled ? 'true' : 'NOT bool_or(voided)'}`,
      [settings.maxBasketSize],
    );
  }
  const { rows: [currencyRow] } = await client.query(`SELECT (${runCurrencySql('$1')}) AS currency`, [runId]);
  const voided: number = orderStats.voided;
  if (!settings.includeCancelled) drop('cancelled_orders', voided);
  const ordersConsidered: number = orderStats.orders;
  const oversized: number = orderStats.oversized;
  drop('oversized_orders', oversized);
  const historyEnd: Date | null = orderStats.history_end ? new Date(orderStats.history_end) : null;
  const pairOrders = ordersConsidered - oversized;
  progress('items', { ordersConsidered });

  await client.query(
    `CREATE TEMP TABLE gen_agg ON COMMIT DROP AS
     SELECT (row_number() OVER (ORDER BY item))::int AS no, item,
            CASE WHEN item LIKE 'v:%' THEN substr(item, 3) END AS item_variant,
            CASE WHEN item LIKE 's:%' THEN substr(item, 3) END AS item_sku,
            count(*)::int AS orders, count(*)::int AS assoc_orders,
            sum(lines)::int AS lines, sum(multi_lines)::int AS multi_lines, sum(qty)::bigint AS units,
            coalesce(sum(qty) FILTER (WHERE created_at > $1::timestamptz - make_interval(days => $2)), 0)::bigint AS recent_units
       FROM gen_basket WHERE ${kept} GROUP BY item`,
    [historyEnd ?? new Date(0), settings.slowMoverDays],
  );
  await buildItems(client, runId, settings, false);
  // Items that only their order lines can describe (a variant id the catalog knows by SKU only, or no catalog
  // price): one more pass over the lines, for them alone, and only when there are any.
  const { rows: [needs] } = await client.query(
    `SELECT count(*)::int AS n FROM gen_items WHERE (excluded = 'unknown_item' AND item LIKE 'v:%') OR (price IS NULL AND excluded IS NULL)`,
  );
  if (needs.n > 0) {
    await client.query(
      `CREATE TEMP TABLE gen_linefacts ON COMMIT DROP AS
       SELECT x.item, min(x.sku) AS line_sku, min(x.product_id) AS line_product_id, max(x.price) AS line_price
         FROM (
           SELECT ${ITEM_OF_LINE} AS item, l.sku, l.product_id, l.price
             FROM order_lines l LEFT JOIN gen_skumap m ON m.sku = CASE WHEN l.variant_id IS NULL THEN l.sku END
            WHERE l.run_id = $1 AND (l.variant_id IS NOT NULL OR l.sku IS NOT NULL)
         ) x
        WHERE x.item IN (SELECT item FROM gen_items WHERE (excluded = 'unknown_item' AND item LIKE 'v:%') OR (price IS NULL AND excluded IS NULL))
        GROUP BY x.item`,
      [runId],
    );
    await client.query(`DROP TABLE gen_items`);
    await buildItems(client, runId, settings, true);
  }
  await client.query(`ALTER TABLE gen_items ADD PRIMARY KEY (no)`);
  if (oversized > 0) {
    await client.query(
      `UPDATE gen_items i SET assoc_orders = i.orders - x.n
         FROM (SELECT b.item, count(*)::int AS n FROM gen_basket b JOIN gen_oversized o ON o.o = b.o GROUP BY b.item) x
        WHERE x.item = i.item`,
    );
  }
  // Without statistics the planner would hash the million-row side when joining the baskets to the items.
  await client.query(`ANALYZE gen_items`);
  const itemsConsidered = await count(client, 'SELECT count(*) AS n FROM gen_items');
  progress('basket_items', { ordersConsidered, itemsConsidered });

  await client.query(
    `CREATE TEMP TABLE gen_bi ON COMMIT DROP AS
     SELECT b.o, i.no AS item
       FROM gen_basket b JOIN gen_items i ON i.item = b.item
      WHERE i.assoc_orders >= $1 AND ${kept.replace('voided', 'b.voided')}
        ${oversized > 0 ? 'AND NOT EXISTS (SELECT 1 FROM gen_oversized x WHERE x.o = b.o)' : ''}`,
    [settings.minCoOrders],
  );
  await client.query(`ANALYZE gen_bi`);
  progress('pairs');
  // Only pairs that reach the co-order minimum are kept: writing out the long tail of pairs seen once or twice
  // (most of them) would cost more than counting them.
  await client.query(
    `CREATE TEMP TABLE gen_pairs ON COMMIT DROP AS
     SELECT a.item AS a, b.item AS b, count(*)::int AS n_ab
       FROM gen_bi a JOIN gen_bi b ON b.o = a.o AND b.item > a.item
      GROUP BY 1, 2 HAVING count(*) >= $1`,
    [settings.minCoOrders],
  );
  const candidatePairs = await count(client, 'SELECT count(*) AS n FROM gen_pairs');
  progress('candidates', { ordersConsidered, itemsConsidered, candidatePairs });

  // Metrics of the pairs that reach the co-order minimum, and the first reason (in a fixed order) to drop each.
  await client.query(
    `CREATE TEMP TABLE gen_scored ON COMMIT DROP AS
     SELECT m.*,
            CASE
              WHEN m.excluded_a IS NOT NULL OR m.excluded_b IS NOT NULL THEN coalesce(m.excluded_a, m.excluded_b)
              WHEN m.product_a = m.product_b THEN 'same_product'
              WHEN m.lift < $2 THEN 'below_min_lift'
              WHEN greatest(m.confidence_ab, m.confidence_ba) < $3 THEN 'below_min_confidence'
              WHEN m.llr < $4 THEN 'below_min_llr'
            END AS reason
       FROM (
         SELECT p.a, p.b, p.n_ab, ia.assoc_orders AS orders_a, ib.assoc_orders AS orders_b,
                ia.excluded AS excluded_a, ib.excluded AS excluded_b, ia.product_key AS product_a, ib.product_key AS product_b,
                p.n_ab::float8 / $5 AS support,
                p.n_ab::float8 / ia.assoc_orders AS confidence_ab,
                p.n_ab::float8 / ib.assoc_orders AS confidence_ba,
                p.n_ab::float8 * $5 / (ia.assoc_orders::float8 * ib.assoc_orders) AS lift,
                ${llrSql('p.n_ab::float8', '(ia.assoc_orders - p.n_ab)::float8', '(ib.assoc_orders - p.n_ab)::float8', `($5 - ia.assoc_orders - ib.assoc_orders + p.n_ab)::float8`)} AS llr,
                coalesce(ia.price, ia.line_price, 0) + coalesce(ib.price, ib.line_price, 0) AS total
           FROM gen_pairs p JOIN gen_items ia ON ia.no = p.a JOIN gen_items ib ON ib.no = p.b
          WHERE p.n_ab >= $1
       ) m`,
    [settings.minCoOrders, settings.minLift, settings.minConfidence, settings.minLlr, Math.max(1, pairOrders)],
  );
  progress('fetch');
  const { rows: reasons } = await client.query(`SELECT reason, count(*)::int AS n FROM gen_scored WHERE reason IS NOT NULL GROUP BY reason`);
  for (const row of reasons) drop(row.reason, row.n);
  const limit = Math.max(1, settings.maxBundles * PAIR_FETCH_FACTOR);
  const { rows: passing } = await client.query(
    `SELECT a, b, n_ab, support, confidence_ab, confidence_ba, lift, llr, evidence,
            evidence * least(lift, 5) / 5 * ${revenueWeightSql('total::float8')} AS score
       FROM (SELECT *, greatest(${confidenceBoundSql('n_ab::float8', 'orders_a::float8')}, ${confidenceBoundSql('n_ab::float8', 'orders_b::float8')}) AS evidence
               FROM gen_scored WHERE reason IS NULL) s
      ORDER BY score DESC, n_ab DESC, a, b`,
  );
  if (passing.length > limit) drop('over_total_cap', passing.length - limit);
  const pairs: PairRow[] = passing.slice(0, limit).map((r) => ({
    a: r.a,
    b: r.b,
    nAb: r.n_ab,
    support: r.support,
    confidenceAb: r.confidence_ab,
    confidenceBa: r.confidence_ba,
    lift: r.lift,
    llr: r.llr,
    evidence: r.evidence,
    score: r.score,
  }));
  return {
    historyEnd,
    currency: currencyRow.currency ?? null,
    ordersConsidered,
    cancelledOrders: settings.includeCancelled ? 0 : voided,
    oversizedOrders: oversized,
    multiItemOrders: orderStats.multi,
    pairOrders,
    itemsConsidered,
    candidatePairs,
    dropped,
    pairs,
  };
}

const ITEM_COLUMNS = `no, item, sku, variant_id, product_id, title, price::text AS price, compare_at_price::text AS compare_at_price, status, tags,
  product_created_at, orders, assoc_orders, lines, multi_lines, units::int AS units, recent_units::int AS recent_units, excluded,
  coalesce(price, line_price)::text AS unit_price`;

function toItem(r: Record<string, any>): ItemRow {
  return {
    no: r.no,
    item: r.item,
    sku: r.sku,
    variantId: r.variant_id ?? (r.item.startsWith('v:') ? r.item.slice(2) : null),
    productId: r.product_id,
    title: r.title || null,
    price: r.unit_price,
    compareAtPrice: r.compare_at_price,
    status: r.status,
    tags: r.tags,
    productCreatedAt: r.product_created_at ? new Date(r.product_created_at) : null,
    orders: r.orders,
    assocOrders: r.assoc_orders,
    lines: r.lines,
    multiLines: r.multi_lines,
    units: r.units,
    recentUnits: r.recent_units,
    excluded: r.excluded,
  };
}

export async function itemsByNumber(client: Client, numbers: number[]): Promise<Map<number, ItemRow>> {
  const { rows } = await client.query(`SELECT ${ITEM_COLUMNS} FROM gen_items WHERE no = ANY($1::int[])`, [numbers]);
  return new Map(rows.map((r) => [r.no, toItem(r)]));
}

/** Items bought several at a time, with the quantiles of the quantities of their multi-unit orders. */
export async function volumeCandidates(client: Client, settings: GenerationSettings, bestSellers: boolean): Promise<{ item: ItemRow; quantities: number[] }[]> {
  const { rows } = await client.query(
    `SELECT ${ITEM_COLUMNS} FROM gen_items
      WHERE excluded IS NULL AND ${bestSellers ? 'true' : 'lines >= $2 AND multi_lines::float8 / lines >= $3'}
      ORDER BY ${bestSellers ? 'units DESC, orders DESC' : 'multi_lines::float8 / lines DESC, multi_lines DESC'}, item
      LIMIT $1`,
    bestSellers ? [settings.fallbackBundles] : [Math.max(1, settings.maxBundles), settings.volumeMinLines, settings.volumeMinShare],
  );
  if (rows.length === 0) return [];
  const { rows: quantiles } = await client.query(
    `SELECT b.item, percentile_disc(ARRAY[0.5, 0.75, 0.9]) WITHIN GROUP (ORDER BY b.qty) AS quantiles
       FROM gen_basket b JOIN (SELECT DISTINCT unnest($1::text[]) AS item) w ON w.item = b.item
      WHERE b.qty >= 2 GROUP BY b.item`,
    [rows.map((r) => r.item)],
  );
  const byItem = new Map<string, number[]>(quantiles.map((q) => [q.item, (q.quantiles ?? []).map(Number)]));
  return rows.map((r) => ({ item: toItem(r), quantities: byItem.get(r.item) ?? [] }));
}

/** Orders that hold all three items of each candidate triple. */
export async function tripleCounts(client: Client, triples: [number, number, number][]): Promise<Map<string, number>> {
  if (triples.length === 0) return new Map();
  const items = [...new Set(triples.flat())];
  const { rows } = await client.query(
    `WITH t AS (SELECT * FROM unnest($1::int[], $2::int[], $3::int[]) AS t(a, b, c)),
          wanted AS (SELECT DISTINCT unnest($4::int[]) AS item),
          s AS MATERIALIZED (SELECT bi.o, bi.item FROM gen_bi bi JOIN wanted w ON w.item = bi.item)
     SELECT t.a, t.b, t.c, count(*)::int AS n
       FROM t JOIN s x ON x.item = t.a
       JOIN s y ON y.o = x.o AND y.item = t.b
       JOIN s z ON z.o = x.o AND z.item = t.c
      GROUP BY 1, 2, 3`,
    [triples.map((t) => t[0]), triples.map((t) => t[1]), triples.map((t) => t[2]), items],
  );
  return new Map(rows.map((r) => [`${r.a},${r.b},${r.c}`, r.n]));
}

export interface CatalogSuggestion {
  productType: string | null;
  items: { sku: string | null; variantId: string | null; title: string | null; price: string; productId: string | null }[];
}

/** Products of one type considered for a catalog suggestion, best first: enough for two of them to be in stock. */
const CATALOG_CANDIDATES_PER_TYPE = 8;

/**
 * Catalog-only candidates, for shops without usable orders: within each product type, the highest-priced distinct
 * products that are active, priced and not gift cards, best first. The caller keeps the first two in stock of
 * each type (stock is read as everywhere else: see loadItemFacts).
 */
export async function catalogSuggestions(client: Client, runId: string, settings: GenerationSettings): Promise<CatalogSuggestion[]> {
  const { rows } = await client.query(
    `WITH rows AS (
       SELECT DISTINCT ON (coalesce(product_id, handle, sku)) coalesce(product_id, handle, sku) AS product, product_type, sku, variant_id, product_id, price,
              concat_ws(' - ', nullif(product_title, ''), nullif(nullif(variant_title, 'Default Title'), '')) AS title
         FROM catalog_items
        WHERE run_id = $1 AND price > 0 AND gift_card IS NOT TRUE AND (status IS NULL OR lower(status) = 'active')
          AND (sku IS NOT NULL OR variant_id IS NOT NULL) -- a bundle's item is named by one or the other
          AND (sku IS NULL OR lower(sku) NOT IN (SELECT lower(x) FROM unnest($2::text[]) x)) AND (variant_id IS NULL OR NOT (variant_id = ANY($4::text[])))
        ORDER BY coalesce(product_id, handle, sku), price DESC, item_key
     ),
     ranked AS (
       SELECT *, row_number() OVER (PARTITION BY product_type ORDER BY price DESC, product) AS n FROM rows
     )
     SELECT product_type, json_agg(json_build_object('sku', sku, 'variantId', variant_id, 'title', title, 'price', price::text, 'productId', product_id) ORDER BY n) AS items
       FROM ranked WHERE n <= $3 GROUP BY product_type HAVING count(*) >= 2
      ORDER BY max(price) DESC, product_type`,
    [runId, settings.excludeSkus, CATALOG_CANDIDATES_PER_TYPE, settings.excludeVariantIds],
  );
  return rows.map((r) => ({ productType: r.product_type, items: r.items }));
}
