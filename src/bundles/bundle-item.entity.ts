import { Entity, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import type { Bundle } from './bundle.entity';

/** An item of a bundle. `runId` is repeated here so that "bundles containing this SKU" is one index lookup. */
@Entity({ tableName: 'bundle_items' })
@Index({ name: 'bundle_items_run_sku_idx', properties: ['runId', 'sku'] })
@Index({ name: 'bundle_items_run_variant_idx', properties: ['runId', 'variantId'] })
export class BundleItemRecord {
  @ManyToOne('Bundle', { primary: true, deleteRule: 'cascade' })
  bundle!: Bundle;

  @PrimaryKey({ type: 'integer' })
  position!: number;

  @Property({ type: 'bigint' })
  runId!: string;

  @Property({ type: 'text', nullable: true })
  sku?: string;

  @Property({ type: 'text', nullable: true })
  variantId?: string;

  @Property({ type: 'integer' })
  quantity!: number;

  /** For BUY_X_GET_Y: BUY (the trigger) or GET (the reward); ITEM otherwise. */
  @Property({ type: 'text' })
  role: string = 'ITEM';
}
