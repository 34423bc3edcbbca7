import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * Stock of one item at one location. Keyed by run, item ("i:<inventory item id>", else "s:<sku>",
 * else "v:<variant id>", else "h:<handle>/<options>") and location; no surrogate or foreign key, for COPY's sake.
 */
@Entity({ tableName: 'inventory_levels' })
@Index({ name: 'inventory_levels_run_sku_idx', properties: ['runId', 'sku'] })
@Index({ name: 'inventory_levels_run_variant_idx', properties: ['runId', 'variantId'] })
@Index({ name: 'inventory_levels_run_inventory_item_idx', properties: ['runId', 'inventoryItemId'] })
export class InventoryLevel {
  @PrimaryKey({ type: 'bigint' })
  runId!: string;

  @PrimaryKey({ type: 'text' })
  itemKey!: string;

  /** The location id where given, else the location's name. */
  @PrimaryKey({ type: 'text' })
  locationKey!: string;

  @Property({ type: 'integer' })
  line!: number;

  @Property({ type: 'bigint' })
  uploadId!: string;

  @Property({ type: 'text', nullable: true })
  inventoryItemId?: string;

  @Property({ type: 'text', nullable: true })
  variantId?: string;

  @Property({ type: 'text', nullable: true })
  sku?: string;

  @Property({ type: 'text', nullable: true })
  handle?: string;

  @Property({ type: 'text', nullable: true })
  locationId?: string;

  @Property({ type: 'text', nullable: true })
  locationName?: string;

  /** False where the export says "not stocked": the quantities are then unknown (NULL), not zero. */
  @Property({ type: 'boolean' })
  stocked!: boolean;

  @Property({ type: 'integer', nullable: true })
  available?: number;

  @Property({ type: 'integer', nullable: true })
  onHand?: number;

  @Property({ type: 'integer', nullable: true })
  committed?: number;

  @Property({ type: 'integer', nullable: true })
  incoming?: number;

  @Property({ type: 'integer', nullable: true })
  unavailable?: number;

  @Property({ columnType: 'timestamptz', nullable: true })
  updatedAt?: Date;
}
