import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * One computed part of a run's coverage, kept so that the next request for it costs a primary-key lookup.
 *
 * Parts and the data they depend on:
 * - `ORDERS` (orders, multi-item orders, order lines) and `ITEMS` (order lines, distinct SKUs; its rows are the
 *   run's `coverage_items`) depend on the order lines only. `version` is the run's latest finished ORDERS upload.
 * - `VARIANTS`, `CATALOG`, `INVENTORY` (matched lines and SKUs, the most-ordered unmatched SKUs) depend on the
 *   order lines and on the datasets (inventory reaches variants and catalog rows). `version` is the run's latest
 *   finished upload of any kind.
 * A part is current while its version equals the one computed from `csv_uploads` at read time; there is no
 * invalidation step, and ingestion never touches these tables. Both tables are UNLOGGED (see the migration): a
 * crash empties them together, which only means recomputing.
 */
@Entity({ tableName: 'coverage_parts' })
export class CoveragePart {
  @PrimaryKey({ type: 'bigint' })
  runId!: string;

  @PrimaryKey({ type: 'text' })
  part!: string;

  @Property({ type: 'bigint' })
  version!: string;

  @Property({ type: 'jsonb' })
  value!: Record<string, unknown>;

  @Property({ columnType: 'timestamptz', defaultRaw: 'now()' })
  computedAt: Date = new Date();
}

/**
 * A run's order lines reduced to one row per distinct (variant id, SKU): about as many rows as the shop has
 * variants, whatever the number of lines. Matching against the datasets reads these instead of the order lines.
 * Several versions of a run may coexist for a moment; builds keep the current and the previous one.
 */
@Entity({ tableName: 'coverage_items' })
export class CoverageItem {
  @PrimaryKey({ type: 'bigint' })
  runId!: string;

  @PrimaryKey({ type: 'bigint' })
  ordersVersion!: string;

  /** Position of the item in (variant id, SKU) order within its run and version. */
  @PrimaryKey({ type: 'integer' })
  item!: number;

  @Property({ type: 'text', nullable: true })
  variantId?: string;

  @Property({ type: 'text', nullable: true })
  sku?: string;

  @Property({ type: 'integer' })
  lines!: number;

  @Property({ type: 'bigint' })
  quantity!: string;
}
