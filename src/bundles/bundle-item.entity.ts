import { Entity, Enum, Index, ManyToOne, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import type { Bundle } from './bundle.entity';

export enum BundleItemRole {
  ITEM = 'ITEM',
  BUY = 'BUY',
  GET = 'GET',
}

/**
 * An item of a bundle. `runId` is repeated here so that "bundles containing this SKU" is one index lookup.
 * Scalars are not change-tracked, for the reason given on Bundle.
 */
@Entity({ tableName: 'bundle_items' })
@Index({ name: 'bundle_items_run_sku_idx', properties: ['runId', 'sku'] })
@Index({ name: 'bundle_items_run_variant_idx', properties: ['runId', 'variantId'] })
export class BundleItemRecord {
  [OptionalProps]?: 'role';

  @ManyToOne('Bundle', { primary: true, deleteRule: 'cascade' })
  bundle!: Bundle;

  @PrimaryKey({ type: 'integer' })
  position!: number;

  @Property({ type: 'bigint', trackChanges: false })
  runId!: string;

  @Property({ type: 'text', nullable: true, trackChanges: false })
  sku?: string;

  @Property({ type: 'text', nullable: true, trackChanges: false })
  variantId?: string;

  @Property({ type: 'integer', trackChanges: false })
  quantity!: number;

  /** For BUY_X_GET_Y: BUY (the trigger) or GET (the reward); ITEM otherwise. */
  @Enum({ items: () => BundleItemRole, trackChanges: false })
  role: BundleItemRole = BundleItemRole.ITEM;
}
