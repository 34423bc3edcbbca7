import { lockKeyOf } from '../db/advisory-locks';
import type { Em } from '../db/orm';
import { CsvKind } from '../ingest/csv-upload.entity';

/**
 * Coverage: how a run's order lines line up with its variants, catalog and inventory, computed when a client asks
 * and only for what it asks. Ingestion runs no coverage statement; after a large upload it only asks for table
 * maintenance (ingest/table-maintenance.ts: VACUUM and ANALYZE of the table it wrote), which computes nothing of
 * coverage.
 *
 * Definitions (per run)
 * - orders: distinct order ids. orderLines: order lines. distinctSkusOrdered: distinct non-empty SKUs.
 * - An order line's item is its variant id where it has one, else its SKU; a line with neither has no item.
 *   multiItemOrders: orders with at least two distinct items. A line with variant id 7 and a line with only SKU
 *   "A" are two items, even if variant 7's SKU is "A": the definition compares what the lines say.
 * - Matching a line against a dataset row: by variant id where both have one, else by SKU (trimmed, exact). So a
 *   line with a variant id matches a row with a variant id only on that id (the same SKU under another variant id
 *   is another variant, not a match), and matches a row without a variant id on the SKU; a line without a variant
 *   id matches any row on the SKU. A line with neither SKU nor variant id matches nothing.
 * - Inventory rows match through their own variant id and SKU, and through their inventory item id: the variants
 *   and catalog rows of the same run that carry that id lend the inventory row their variant id and SKU.
 * - matchedLines: lines matching at least one row of the dataset. matchedSkus: ordered SKUs found in the dataset:
 *   carried by one of its rows (an inventory row carries its own SKU and those lent to it), whatever the variant ids,
 *   or carried by a line that matches a row on its variant id. So a SKU is found when the dataset has it or has the
 *   variant it was ordered as: a line of variant 7 with SKU A is not matched by a row of variant 8 with SKU A, yet A
 *   is found (the variant was made again); a line of variant 7 with SKU A matched by a row of variant 7 with SKU A2
 *   finds A too (the SKU was renamed), as does one matched by an inventory row keyed by variant id alone.
 *   unmatchedSkus: the other ordered SKUs, most lines first, then by SKU (byte order). Ratios are 0 when their
 *   denominator is.
 *
 * How it is computed
 * The expensive part is reading a run's order lines: on the 2-core machines measured, a bare count of a million
 * lines takes 0.1-0.2 s, but grouping them takes 0.5-1.3 s per grouping, whatever the SQL form (hash aggregates of
 * 336,000 orders or 70,000 items; a parallel plan gains nothing on the per-order grouping, whose partial groups
 * are as many as the orders). So:
 * - The three single counts, asked without a field that needs a part, are counted live and not stored: orderLines
 *   (a count), orders (count of distinct order ids: the primary key (run, order, line) yields them in order, an
 *   index-only scan once the table is vacuumed, about 0.2 s for a million lines) and distinctSkusOrdered (one hash
 *   aggregate on the SKU, about 0.5 s). A stored or freshly computed part answers them when there is one.
 * - multiItemOrders needs the per-order grouping, and the matches need the items; each is done at most once per
 *   ORDERS upload: one scan reduces the lines to per-order figures (the ORDERS part), another to their distinct
 *   (variant id, SKU) pairs, kept in the database (`coverage_items`). Matching then reads those pairs (about as
 *   many as the shop has variants) against the datasets, once per upload of any kind.
 * Each computed part is stored in `coverage_parts` under the version of the data it was computed from (see
 * CoveragePart), so that repeated requests are a primary-key lookup and a changed dataset recomputes only the
 * matching. No index is added to order_lines for this: one on (run, variant id, SKU) would serve the grouping but
 * doubles the cost of COPY, and the primary key cannot carry the item columns (INCLUDE) without the entities and
 * the migrations disagreeing.
 *
 * A batch of requests (all the coverage fields of all the runs of one GraphQL request, through a DataLoader) costs
 * a fixed number of statements, whatever the number of runs and lines:
 * 1. `state`: the runs' data versions and their current parts, and the live counts asked for (see stateStatement).
 * 2. `build-orders` and `build-items`, for runs whose parts are not current, side by side on two connections.
 * 3. `match`, for the (run, dataset) pairs asked for whose part is not current, once the items exist.
 * Each of steps 2 and 3 runs under advisory locks on its runs, and first looks (`stored`) for the parts another
 * request stored while this one waited for the locks. Requests of one process that need the same computation over
 * the same data share it (see CoverageService.compute): a crowd of clients asking for a run just uploaded costs one
 * computation and one connection, not one each queued for the locks.
 */

export type CoverageDataset = CsvKind.VARIANTS | CsvKind.CATALOG | CsvKind.INVENTORY;
export const COVERAGE_DATASETS: readonly CoverageDataset[] = [CsvKind.VARIANTS, CsvKind.CATALOG, CsvKind.INVENTORY];

const DATASET_BIT: Record<CoverageDataset, number> = {
  [CsvKind.VARIANTS]: 1,
  [CsvKind.CATALOG]: 2,
  [CsvKind.INVENTORY]: 4,
};

/**
 * What a field needs: LINES (orderLines), ORDER_COUNT (orders), ORDERS (multiItemOrders), SKU_COUNT
 * (distinctSkusOrdered), or the match against one dataset (its CoverageMatch and unmatchedSkus). ITEMS is what the
 * matches are computed from; no field asks for it directly.
 *
 * LINES, ORDER_COUNT and SKU_COUNT are single figures: a stored part that holds the figure answers them, else a part
 * being computed in the same batch does, else they are counted live (see stateStatement) and not stored.
 */
export type CoverageNeed = 'LINES' | 'ORDER_COUNT' | 'ORDERS' | 'SKU_COUNT' | 'ITEMS' | CoverageDataset;

/** The single figures that are counted live when nothing computed answers them. */
export type LiveCount = 'LINES' | 'ORDER_COUNT' | 'SKU_COUNT';

export interface CoverageRequest {
  runId: string;
  need: CoverageNeed;
}

export interface OrdersPart {
  orderLines: number;
  orders: number;
  multiItemOrders: number;
}

export interface ItemsPart {
  orderLines: number;
  distinctSkusOrdered: number;
  /** Distinct (variant id, SKU) pairs ordered: the length of the run's coverage_items arrays. */
  items: number;
}

export interface UnmatchedSkuRow {
  sku: string;
  orderLines: number;
  quantity: number;
}

export interface MatchPart {
  orderLines: number;
  distinctSkusOrdered: number;
  matchedLines: number;
  matchedSkus: number;
  /** The first UNMATCHED_SKUS_KEPT unmatched SKUs, most order lines first, then by SKU. */
  unmatched: UnmatchedSkuRow[];
}

export type CoverageValue = number | OrdersPart | ItemsPart | MatchPart;

/** How many unmatched SKUs a match part keeps per dataset: the largest `first` of unmatchedSkus. */
export const UNMATCHED_SKUS_KEPT = 250;

/** A statement with MikroORM's `?` placeholders and the parameters for them. */
export interface Statement {
  /** Names the step in a leading comment (`/* coverage:<step> *\/`), which is how tests and logs recognise it. */
  step: string;
  sql: string;
  params: unknown[];
  /** The runs whose parts the statement writes, if it writes. */
  writes?: readonly string[];
  /**
   * The parts a writing statement computes. Another request (of this process or another) may have stored them
   * while this one waited for its locks: they are then read instead of computed again.
   */
  computes?: readonly { runId: string; part: string }[];
}

/**
 * Settings of the build and match statements, for their transaction only: the hash tables of a million-line run fit
 * in memory instead of spilling to disk; JIT compilation, which costs more than it saves on these plans, is off;
 * and so are nested loops. Every join here is an equality on (run, key) between sets of thousands of rows, which a
 * hash join does in one pass; a nested loop is only chosen when an estimate says a side is nearly empty, and tables
 * just written (coverage_items after a rebuild, data tables before autovacuum) give such estimates: one such plan
 * was measured at over three minutes instead of one second.
 */
export const BUILD_SETTINGS = `SELECT set_config('work_mem', '128MB', true), set_config('jit', 'off', true), set_config('enable_nestloop', 'off', true)`;

/**
 * Advisory locks taken, in run order, by a statement that writes a run's parts: two requests computing the same part
 * of overlapping runs then take turns instead of risking a deadlock on the rows both upsert. The first key is
 * coverage's own ("Cov" plus the step), apart from the keys ingestion locks with (0-3 and a run id).
 */
const LOCK_SPACES: Record<string, number> = { 'build-orders': 0x436f7601, 'build-items': 0x436f7602, match: 0x436f7603 };

export function lockKeys(step: string, runIds: readonly string[]): [number, string] {
  const space = LOCK_SPACES[step];
  if (space === undefined) throw new Error(`no lock space for ${step}`);
  const keys = [...new Set(runIds.map(lockKeyOf))].sort((a, b) => a - b);
  return [space, intArray(keys)];
}

/** Run ids as one PostgreSQL array literal: `execute` would spread a JS array into separate parameters. */
function bigintArray(values: readonly string[]): string {
  return `{${values.map((v) => String(BigInt(v))).join(',')}}`;
}

function intArray(values: readonly number[]): string {
  return `{${values.map((v) => String(Math.trunc(v))).join(',')}}`;
}

/**
 * The data versions of run `run` (an SQL expression), bumped by the transaction of every upload that commits rows
 * into the run (see Run.dataVersion): read in the same statement as the data, they name exactly what it read.
 */
function versionsOf(run: string): string {
  return `SELECT coalesce(max(rv.orders_version), 0) AS orders_version, coalesce(max(rv.data_version), 0) AS run_version
            FROM runs rv WHERE rv.id = ${run}`;
}

/** Whether stored part `p` was computed from the current data of its run, whose versions are `v` (see versionsOf). */
function isCurrent(p: string, v: string): string {
  return `${p}.version = CASE WHEN ${p}.part IN ('ORDERS', 'ITEMS') THEN ${v}.orders_version ELSE ${v}.run_version END`;
}

/**
 * Live counts, each read only for the runs that ask for it and only when no current part holds the figure:
 * - LINES: a count of the run's lines (an index-only scan of the primary key once the table is vacuumed).
 * - ORDER_COUNT: distinct order ids, from the primary key (run, order, line), which yields them in order: an
 *   index-only scan without hashing once the table is vacuumed (see ingest/table-maintenance.ts).
 * - SKU_COUNT: distinct non-empty SKUs, one hash aggregate on the SKU alone; any stored match part holds it too.
 */
const LIVE_COUNTS: Record<LiveCount, { parts: string[]; count: string }> = {
  LINES: { parts: ['ORDERS', 'ITEMS', ...COVERAGE_DATASETS], count: 'SELECT count(*) FROM order_lines o WHERE o.run_id = r.id' },
  ORDER_COUNT: { parts: ['ORDERS'], count: 'SELECT count(DISTINCT o.order_id) FROM order_lines o WHERE o.run_id = r.id' },
  SKU_COUNT: {
    parts: ['ITEMS', ...COVERAGE_DATASETS],
    count: `SELECT count(*) FROM (SELECT 1 FROM order_lines o WHERE o.run_id = r.id AND o.sku <> '' GROUP BY o.sku) s`,
  },
};

const LIVE_COLUMN: Record<LiveCount, string> = { LINES: 'live_lines', ORDER_COUNT: 'live_orders', SKU_COUNT: 'live_skus' };

/**
 * Step 1: versions and current parts of the runs; the live counts asked for (`live`: the runs wanting each).
 * It writes nothing. With a live count it runs under BUILD_SETTINGS (the SKU count's hash table).
 */
export function stateStatement(runIds: readonly string[], live: Partial<Record<LiveCount, readonly string[]>> = {}): Statement {
  const params: unknown[] = [];
  const columns = (Object.keys(LIVE_COUNTS) as LiveCount[]).map((kind) => {
    const runs = live[kind] ?? [];
    if (runs.length === 0) return `NULL::bigint AS ${LIVE_COLUMN[kind]}`;
    params.push(bigintArray(runs));
    const parts = LIVE_COUNTS[kind].parts.map((p) => `'${p}'`).join(', ');
    return `CASE WHEN r.id = ANY(?::bigint[]) AND NOT EXISTS (
              SELECT 1 FROM coverage_parts p WHERE p.run_id = r.id AND p.part IN (${parts}) AND ${isCurrent('p', 'v')})
            THEN (${LIVE_COUNTS[kind].count}) END AS ${LIVE_COLUMN[kind]}`;
  });
  const sql = `/* coverage:state */
    SELECT r.id AS run_id, v.orders_version, v.run_version,
           (SELECT coalesce(jsonb_object_agg(p.part, p.value), '{}'::jsonb)
              FROM coverage_parts p
             WHERE p.run_id = r.id AND ${isCurrent('p', 'v')}) AS parts,
           ${columns.join(',\n           ')}
      FROM unnest(?::bigint[]) AS r(id)
     CROSS JOIN LATERAL (${versionsOf('r.id')}) v`;
  params.push(bigintArray(runIds));
  return { step: 'state', sql, params };
}

const LINES_OF_RUNS = `(SELECT run_id, order_id, variant_id, nullif(sku, '') AS sku, quantity FROM order_lines WHERE run_id = ANY(?::bigint[])) o`;

/** The runs with their ORDERS version, read by the same statement as the lines, so it names exactly what was read. */
const RUN_VERSIONS = `v AS MATERIALIZED (
  SELECT r.id AS run_id, vv.orders_version FROM unnest(?::bigint[]) AS r(id) CROSS JOIN LATERAL (${versionsOf('r.id')}) vv)`;

/** Upserts the `results` CTE (run_id, part, orders_version, value) into coverage_parts; never over a newer version. */
const STORE_PARTS = `stored_parts AS (
  INSERT INTO coverage_parts (run_id, part, version, value, computed_at)
  SELECT run_id, part, orders_version, value, now() FROM results
  ON CONFLICT (run_id, part) DO UPDATE SET version = excluded.version, value = excluded.value, computed_at = excluded.computed_at
   WHERE coverage_parts.version <= excluded.version)`;

/**
 * Step 2a: the ORDERS part, one scan of the runs' order lines grouped by order. Runs without lines get zeros.
 * An order has two or more distinct items (variant id where known, else SKU) when the smallest and the largest of
 * its items' 64-bit hashes differ, variant ids and SKUs hashed with different seeds so that variant 7 and SKU "7" are
 * two items: two integer aggregates per order instead of min and max of texts, which copy every new extreme
 * (measured 25-30% faster on a million lines). Two distinct items of one order would have to share a hash to be
 * counted as one, a chance of 2^-64 per pair.
 * (A single scan computing this and the items with grouping sets was measured slower than the two statements side
 * by side: a statement that writes runs on one core, and grouping sets keep both hash tables in one.)
 */
export function ordersStatement(runIds: readonly string[]): Statement {
  const sql = `/* coverage:build-orders */
    WITH ${RUN_VERSIONS},
    per_order AS (
      SELECT o.run_id, count(*)::int AS lines, coalesce(min(o.item_hash) <> max(o.item_hash), false) AS multi
        FROM (SELECT run_id, order_id,
                     CASE WHEN variant_id IS NOT NULL THEN hashtextextended(variant_id, 1)
                          WHEN sku <> '' THEN hashtextextended(sku, 2) END AS item_hash
                FROM order_lines WHERE run_id = ANY(?::bigint[])) o
       GROUP BY o.run_id, o.order_id),
    order_totals AS (
      SELECT run_id, count(*)::int AS orders, (count(*) FILTER (WHERE multi))::int AS multi_item_orders, sum(lines)::bigint AS all_lines
        FROM per_order GROUP BY run_id),
    results AS (
      SELECT v.run_id, 'ORDERS' AS part, v.orders_version,
             jsonb_build_object('orderLines', coalesce(ot.all_lines, 0), 'orders', coalesce(ot.orders, 0),
                                'multiItemOrders', coalesce(ot.multi_item_orders, 0)) AS value
        FROM v LEFT JOIN order_totals ot ON ot.run_id = v.run_id),
    ${STORE_PARTS}
    SELECT run_id, part, orders_version, value FROM results`;
  return { step: 'build-orders', sql, params: [bigintArray(runIds), bigintArray(runIds)], writes: runIds, computes: partsOf(runIds, 'ORDERS') };
}

/**
 * Step 2b: the ITEMS part, one scan of the runs' order lines grouped by (variant id, SKU), stored in coverage_items
 * as one row of parallel arrays per run. Distinct SKUs are counted by hashing the grouped pairs, not with
 * count(DISTINCT), whose sort compares SKUs under the database collation (measured 10% of the statement). The
 * previous version of a run's items stays for requests that read it a moment ago; older ones are deleted.
 */
export function itemsStatement(runIds: readonly string[]): Statement {
  const sql = `/* coverage:build-items */
    WITH ${RUN_VERSIONS},
    grouped AS MATERIALIZED (
      SELECT o.run_id, o.variant_id, o.sku, count(*)::int AS lines, sum(o.quantity)::bigint AS quantity
        FROM ${LINES_OF_RUNS} GROUP BY o.run_id, o.variant_id, o.sku),
    sku_counts AS (
      SELECT run_id, count(*)::int AS distinct_skus
        FROM (SELECT run_id, sku FROM grouped WHERE sku IS NOT NULL GROUP BY run_id, sku) s GROUP BY run_id),
    packed AS MATERIALIZED (
      SELECT g.run_id, array_agg(g.variant_id) AS variant_ids, array_agg(g.sku) AS skus, array_agg(g.lines) AS lines,
             array_agg(g.quantity) AS quantities, sum(g.lines)::bigint AS all_lines, count(*)::int AS items,
             coalesce(min(sc.distinct_skus), 0) AS distinct_skus
        FROM grouped g LEFT JOIN sku_counts sc ON sc.run_id = g.run_id GROUP BY g.run_id),
    stored_items AS (
      INSERT INTO coverage_items (run_id, orders_version, variant_ids, skus, lines, quantities)
      SELECT p.run_id, v.orders_version, p.variant_ids, p.skus, p.lines, p.quantities
        FROM packed p JOIN v ON v.run_id = p.run_id
      ON CONFLICT DO NOTHING),
    dropped_items AS (
      DELETE FROM coverage_items c USING v
       WHERE c.run_id = v.run_id
         AND c.orders_version < (SELECT max(x.orders_version) FROM coverage_items x
                                  WHERE x.run_id = v.run_id AND x.orders_version < v.orders_version)),
    results AS (
      SELECT v.run_id, 'ITEMS' AS part, v.orders_version,
             jsonb_build_object('orderLines', coalesce(p.all_lines, 0), 'distinctSkusOrdered', coalesce(p.distinct_skus, 0),
                                'items', coalesce(p.items, 0)) AS value
        FROM v LEFT JOIN packed p ON p.run_id = v.run_id),
    ${STORE_PARTS}
    SELECT run_id, part, orders_version, value FROM results`;
  return { step: 'build-items', sql, params: [bigintArray(runIds), bigintArray(runIds)], writes: runIds, computes: partsOf(runIds, 'ITEMS') };
}

function partsOf(runIds: readonly string[], part: string): { runId: string; part: string }[] {
  return runIds.map((runId) => ({ runId, part }));
}

/**
 * The parts of `computes` that are stored and current, in the shape of the rows of the statements that compute them
 * (`part` and `kind` both name the part; `orders_version` is its version: for ORDERS and ITEMS, the orders version they
 * were computed from).
 */
export function storedPartsStatement(computes: readonly { runId: string; part: string }[]): Statement {
  const sql = `/* coverage:stored */
    SELECT p.run_id, p.part, p.part AS kind, p.version AS orders_version, p.value
      FROM unnest(?::bigint[], ?::text[]) AS q(run_id, part)
     CROSS JOIN LATERAL (${versionsOf('q.run_id')}) v
      JOIN coverage_parts p ON p.run_id = q.run_id AND p.part = q.part AND ${isCurrent('p', 'v')}`;
  const parts = `{${computes.map((c) => c.part).join(',')}}`;
  return { step: 'stored', sql, params: [bigintArray(computes.map((c) => c.runId)), parts] };
}

export interface MatchRequest {
  runId: string;
  /** The version of the run's coverage_items to read. */
  ordersVersion: string;
  datasets: readonly CoverageDataset[];
}

/**
 * Step 3: the runs' items against the datasets asked for, in one statement. Each dataset's rows become two hash
 * tables of keys (variant ids; SKUs, with whether a row without variant id carries them), one per run and key,
 * with a bit per dataset; every item probes them once. Parts are stored only when the run's ORDERS version is
 * still the one the items were built from.
 */
export function matchStatement(requests: readonly MatchRequest[]): Statement {
  const wanted = COVERAGE_DATASETS.filter((d) => requests.some((r) => r.datasets.includes(d)));
  if (wanted.length === 0) throw new Error('no dataset to match');
  const runsOf = (d: CoverageDataset) => bigintArray(requests.filter((r) => r.datasets.includes(d)).map((r) => r.runId));
  const params: unknown[] = [
    bigintArray(requests.map((r) => r.runId)),
    bigintArray(requests.map((r) => r.ordersVersion)),
    intArray(requests.map((r) => r.datasets.reduce((mask, d) => mask | DATASET_BIT[d], 0))),
  ];
  // Rows lent by variants and catalog rows to the inventory rows sharing their inventory item id: read once.
  const lent = wanted.includes(CsvKind.INVENTORY)
    ? (() => {
        const runs = runsOf(CsvKind.INVENTORY);
        params.push(runs, runs);
        return `lent AS MATERIALIZED (
      SELECT p.run_id, p.variant_id, nullif(p.sku, '') AS sku
        FROM (SELECT run_id, inventory_item_id, variant_id, sku FROM variants WHERE run_id = ANY(?::bigint[])
              UNION ALL
              SELECT run_id, inventory_item_id, variant_id, sku FROM catalog_items WHERE run_id = ANY(?::bigint[])) p
       WHERE p.inventory_item_id IS NOT NULL AND (p.variant_id IS NOT NULL OR p.sku <> '')
         AND EXISTS (SELECT 1 FROM inventory_levels il WHERE il.run_id = p.run_id AND il.inventory_item_id = p.inventory_item_id)),`;
      })()
    : '';
  /**
   * The datasets' rows carrying a key (a variant id, or a SKU), read straight from each table for each kind of
   * key: cheaper than materialising all the rows once for both (measured).
   */
  const keyRows = (key: 'variant' | 'sku') => {
    const has = key === 'variant' ? 'variant_id IS NOT NULL' : "sku <> ''";
    const branches = (
      [
        [CsvKind.VARIANTS, 'variants'],
        [CsvKind.CATALOG, 'catalog_items'],
        [CsvKind.INVENTORY, 'inventory_levels'],
      ] as const
    )
      .filter(([d]) => wanted.includes(d))
      .map(([d, table]) => {
        params.push(runsOf(d));
        return `SELECT run_id, variant_id, nullif(sku, '') AS sku, ${DATASET_BIT[d]} AS bit FROM ${table} WHERE run_id = ANY(?::bigint[]) AND ${has}`;
      });
    if (lent) {
      branches.push(`SELECT run_id, variant_id, sku, ${DATASET_BIT.INVENTORY} AS bit FROM lent WHERE ${key === 'variant' ? 'variant_id' : 'sku'} IS NOT NULL`);
    }
    return branches.join('\n         UNION ALL ');
  };
  const vidRows = keyRows('variant');
  const skuRows = keyRows('sku');
  const bits = wanted.map((d) => DATASET_BIT[d]);
  const pick = (prefix: string) => `CASE d.bit ${bits.map((b) => `WHEN ${b} THEN ${prefix}${b}`).join(' ')} END`;
  const sql = `/* coverage:match */
    WITH req AS MATERIALIZED (
      SELECT q.run_id, q.orders_version, q.mask, vv.orders_version AS current_orders_version, vv.run_version
        FROM unnest(?::bigint[], ?::bigint[], ?::int[]) AS q(run_id, orders_version, mask)
       CROSS JOIN LATERAL (${versionsOf('q.run_id')}) vv),
    items AS MATERIALIZED (
      SELECT c.run_id, u.variant_id, u.sku, u.lines, u.quantity
        FROM req q
        JOIN coverage_items c ON c.run_id = q.run_id AND c.orders_version = q.orders_version
       CROSS JOIN LATERAL unnest(c.variant_ids, c.skus, c.lines, c.quantities) AS u(variant_id, sku, lines, quantity)),
    ${lent}
    vid_keys AS (
      SELECT run_id, variant_id, bit_or(bit) AS mask
        FROM (${vidRows}) k GROUP BY run_id, variant_id),
    sku_keys AS (
      SELECT run_id, sku, bit_or(bit) AS mask_all, coalesce(bit_or(bit) FILTER (WHERE variant_id IS NULL), 0) AS mask_no_variant
        FROM (${skuRows}) k GROUP BY run_id, sku),
    flagged AS MATERIALIZED (
      SELECT i.run_id, i.sku, i.lines, i.quantity,
             CASE WHEN i.variant_id IS NOT NULL THEN coalesce(vk.mask, 0) | coalesce(sk.mask_no_variant, 0)
                  ELSE coalesce(sk.mask_all, 0) END AS mask,
             coalesce(sk.mask_all, 0) | CASE WHEN i.variant_id IS NOT NULL THEN coalesce(vk.mask, 0) ELSE 0 END AS sku_mask
        FROM items i
        LEFT JOIN vid_keys vk ON vk.run_id = i.run_id AND vk.variant_id = i.variant_id
        LEFT JOIN sku_keys sk ON sk.run_id = i.run_id AND sk.sku = i.sku),
    per_sku AS MATERIALIZED (
      SELECT run_id, sku, sum(lines)::bigint AS lines, sum(quantity)::bigint AS quantity, bit_or(sku_mask) AS mask
        FROM flagged WHERE sku IS NOT NULL GROUP BY run_id, sku),
    line_totals AS (
      SELECT run_id, sum(lines)::bigint AS all_lines,
             ${bits.map((b) => `coalesce(sum(lines) FILTER (WHERE mask & ${b} <> 0), 0)::bigint AS lines${b}`).join(', ')}
        FROM flagged GROUP BY run_id),
    sku_totals AS (
      SELECT run_id, count(*)::int AS distinct_skus,
             ${bits.map((b) => `(count(*) FILTER (WHERE mask & ${b} <> 0))::int AS skus${b}`).join(', ')}
        FROM per_sku GROUP BY run_id),
    results AS (
      SELECT q.run_id, d.kind, q.run_version, q.current_orders_version = q.orders_version AS storable,
             jsonb_build_object(
               'orderLines', coalesce(lt.all_lines, 0),
               'distinctSkusOrdered', coalesce(st.distinct_skus, 0),
               'matchedLines', coalesce(${pick('lt.lines')}, 0),
               'matchedSkus', coalesce(${pick('st.skus')}, 0),
               'unmatched', coalesce((
                 SELECT jsonb_agg(jsonb_build_array(t.sku, t.lines, t.quantity) ORDER BY t.lines DESC, t.sku COLLATE "C")
                   FROM (SELECT s.sku, s.lines, s.quantity FROM per_sku s
                          WHERE s.run_id = q.run_id AND s.mask & d.bit = 0
                          ORDER BY s.lines DESC, s.sku COLLATE "C" LIMIT ${UNMATCHED_SKUS_KEPT}) t), '[]'::jsonb)) AS value
        FROM req q
       CROSS JOIN (VALUES ${wanted.map((d) => `('${d}', ${DATASET_BIT[d]})`).join(', ')}) AS d(kind, bit)
        LEFT JOIN line_totals lt ON lt.run_id = q.run_id
        LEFT JOIN sku_totals st ON st.run_id = q.run_id
       WHERE q.mask & d.bit <> 0),
    stored AS (
      INSERT INTO coverage_parts (run_id, part, version, value, computed_at)
      SELECT run_id, kind, run_version, value, now() FROM results WHERE storable
      ON CONFLICT (run_id, part) DO UPDATE SET version = excluded.version, value = excluded.value, computed_at = excluded.computed_at
       WHERE coverage_parts.version <= excluded.version)
    SELECT run_id, kind, value FROM results`;
  return {
    step: 'match',
    sql,
    params,
    writes: requests.map((r) => r.runId),
    computes: requests.flatMap((r) => r.datasets.map((part) => ({ runId: r.runId, part }))),
  };
}

interface StateRow {
  run_id: string;
  orders_version: string;
  run_version: string;
  parts: Record<string, Record<string, unknown>>;
  live_lines: string | number | null;
  live_orders: string | number | null;
  live_skus: string | number | null;
}

function toMatchPart(value: Record<string, unknown>): MatchPart {
  const unmatched = (value.unmatched as [string, number, number][]).map(([sku, orderLines, quantity]) => ({
    sku,
    orderLines: Number(orderLines),
    quantity: Number(quantity),
  }));
  return {
    orderLines: Number(value.orderLines),
    distinctSkusOrdered: Number(value.distinctSkusOrdered),
    matchedLines: Number(value.matchedLines),
    matchedSkus: Number(value.matchedSkus),
    unmatched,
  };
}

function toOrdersPart(value: Record<string, unknown>): OrdersPart {
  return { orderLines: Number(value.orderLines), orders: Number(value.orders), multiItemOrders: Number(value.multiItemOrders) };
}

function toItemsPart(value: Record<string, unknown>): ItemsPart {
  return { orderLines: Number(value.orderLines), distinctSkusOrdered: Number(value.distinctSkusOrdered), items: Number(value.items) };
}

export function isDataset(need: CoverageNeed): need is CoverageDataset {
  return (COVERAGE_DATASETS as readonly string[]).includes(need);
}

/**
 * Answers coverage requests for runs already known to belong to the caller's shop (the resolvers only pass run ids
 * taken from Run objects, which are resolved within the shop).
 */
export class CoverageService {
  constructor(private readonly em: Em) {}

  /** Values in the order of `requests`: a number for LINES, ORDER_COUNT and SKU_COUNT, else the part. */
  async resolve(requests: readonly CoverageRequest[]): Promise<CoverageValue[]> {
    const needs = new Map<string, Set<CoverageNeed>>();
    for (const { runId, need } of requests) {
      if (!needs.has(runId)) needs.set(runId, new Set());
      needs.get(runId)!.add(need);
    }
    // In one order, so that requests for the same runs send the same statements (see compute).
    const runIds = [...needs.keys()].sort();
    // A single figure is counted live when nothing this batch computes holds it (a stored part may still hold it:
    // the state statement looks).
    const builds = (id: string) => [...needs.get(id)!].filter((n) => n !== 'LINES' && n !== 'ORDER_COUNT' && n !== 'SKU_COUNT');
    const live: Record<LiveCount, string[]> = {
      LINES: runIds.filter((id) => needs.get(id)!.has('LINES') && builds(id).length === 0),
      ORDER_COUNT: runIds.filter((id) => needs.get(id)!.has('ORDER_COUNT') && !needs.get(id)!.has('ORDERS')),
      SKU_COUNT: runIds.filter((id) => needs.get(id)!.has('SKU_COUNT') && !builds(id).some((n) => n === 'ITEMS' || isDataset(n))),
    };
    const counting = Object.values(live).some((runs) => runs.length > 0);
    const stateRows = await this.run<StateRow>(stateStatement(runIds, live), counting);

    const orders = new Map<string, OrdersPart>();
    const items = new Map<string, { part: ItemsPart; version: string }>();
    const matches = new Map<string, MatchPart>();
    const liveCounts = new Map<string, number>();
    const versions = new Map<string, string>();
    for (const row of stateRows) {
      const runId = String(row.run_id);
      versions.set(runId, `${row.orders_version}/${row.run_version}`);
      if (row.parts.ORDERS) orders.set(runId, toOrdersPart(row.parts.ORDERS));
      if (row.parts.ITEMS) items.set(runId, { part: toItemsPart(row.parts.ITEMS), version: String(row.orders_version) });
      for (const d of COVERAGE_DATASETS) if (row.parts[d]) matches.set(`${runId}:${d}`, toMatchPart(row.parts[d]));
      for (const kind of Object.keys(LIVE_COLUMN) as LiveCount[]) {
        const value = row[LIVE_COLUMN[kind] as 'live_lines' | 'live_orders' | 'live_skus'];
        if (value != null) liveCounts.set(`${runId}:${kind}`, Number(value));
      }
    }

    const ordersToBuild = runIds.filter((id) => needs.get(id)!.has('ORDERS') && !orders.has(id));
    const pendingMatches = runIds
      .map((id) => ({ runId: id, datasets: COVERAGE_DATASETS.filter((d) => needs.get(id)!.has(d) && !matches.has(`${id}:${d}`)) }))
      .filter((m) => m.datasets.length > 0);
    const itemsToBuild = runIds.filter(
      (id) => !items.has(id) && (needs.get(id)!.has('ITEMS') || pendingMatches.some((m) => m.runId === id)),
    );
    type PartRow = { run_id: string; part: string; orders_version: string; value: Record<string, unknown> };
    // The two builds read the lines side by side on two connections; matching starts as soon as the items exist.
    const buildingOrders = ordersToBuild.length
      ? this.compute<PartRow>(ordersStatement(ordersToBuild), versions).then((rows) => {
          for (const row of rows) orders.set(String(row.run_id), toOrdersPart(row.value));
        })
      : Promise.resolve();
    const itemsThenMatches = (async () => {
      if (itemsToBuild.length) {
        for (const row of await this.compute<PartRow>(itemsStatement(itemsToBuild), versions)) {
          items.set(String(row.run_id), { part: toItemsPart(row.value), version: String(row.orders_version) });
        }
      }
      if (pendingMatches.length) {
        const matched = await this.compute<{ run_id: string; kind: CoverageDataset; value: Record<string, unknown> }>(
          matchStatement(pendingMatches.map((m) => ({ ...m, ordersVersion: items.get(m.runId)!.version }))),
          versions,
        );
        for (const row of matched) matches.set(`${row.run_id}:${row.kind}`, toMatchPart(row.value));
      }
    })();
    const outcomes = await Promise.allSettled([buildingOrders, itemsThenMatches]);
    for (const outcome of outcomes) if (outcome.status === 'rejected') throw outcome.reason;

    const fromMatches = (runId: string, figure: 'orderLines' | 'distinctSkusOrdered') =>
      COVERAGE_DATASETS.map((d) => matches.get(`${runId}:${d}`)?.[figure]).find((n) => n !== undefined);
    return requests.map(({ runId, need }) => {
      if (need === 'LINES' || need === 'ORDER_COUNT' || need === 'SKU_COUNT') {
        const computed =
          need === 'LINES'
            ? (orders.get(runId)?.orderLines ?? items.get(runId)?.part.orderLines ?? fromMatches(runId, 'orderLines'))
            : need === 'ORDER_COUNT'
              ? orders.get(runId)?.orders
              : (items.get(runId)?.part.distinctSkusOrdered ?? fromMatches(runId, 'distinctSkusOrdered'));
        const value = computed ?? liveCounts.get(`${runId}:${need}`);
        if (value === undefined) throw new Error(`coverage: no ${need} for run ${runId}`);
        return value;
      }
      const value = need === 'ORDERS' ? orders.get(runId) : need === 'ITEMS' ? items.get(runId)?.part : matches.get(`${runId}:${need}`);
      if (!value) throw new Error(`coverage: ${need} was not computed for run ${runId}`);
      return value;
    });
  }

  /**
   * Runs a statement that computes parts, sharing it with the requests of this process that need the same statement
   * over the same data versions (a stampede of clients asking for a run just uploaded computes it once, on one
   * connection). `versions` are the runs' versions read by this request's state statement: a request that read newer
   * versions does not join a computation that may have read older data.
   */
  private compute<T>(statement: Statement, versions: ReadonlyMap<string, string>): Promise<T[]> {
    let flights = computing.get(this.em.getDriver());
    if (!flights) computing.set(this.em.getDriver(), (flights = new Map()));
    const key = JSON.stringify([statement.step, statement.params, statement.writes?.map((id) => versions.get(id))]);
    const flight = flights.get(key);
    if (flight) return flight as Promise<T[]>;
    const started = this.run<T>(statement, true).finally(() => flights.delete(key));
    flights.set(key, started);
    return started;
  }

  private async run<T>(statement: Statement, tuned: boolean): Promise<T[]> {
    if (!tuned) return this.em.getConnection().execute(statement.sql, statement.params);
    return this.em.transactional(async (em) => {
      const context = em.getTransactionContext();
      const execute = <R>(s: { sql: string; params: unknown[] }) => em.getConnection().execute<R[]>(s.sql, s.params, 'all', context);
      await execute({ sql: BUILD_SETTINGS, params: [] });
      if (statement.writes?.length) {
        const [space, runs] = lockKeys(statement.step, statement.writes);
        await execute({ sql: `SELECT count(pg_advisory_xact_lock(?, r)) FROM unnest(?::int[]) AS r`, params: [space, runs] });
      }
      if (statement.computes?.length) {
        // Whoever held the locks may have just stored what this statement computes.
        const stored = await execute<T>(storedPartsStatement(statement.computes));
        if (stored.length === statement.computes.length) return stored;
      }
      return execute<T>(statement);
    });
  }
}

/** The computations in progress, per database (its MikroORM driver), by statement and data versions. */
const computing = new WeakMap<object, Map<string, Promise<unknown[]>>>();
