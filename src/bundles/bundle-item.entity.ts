import { Entity, Enum, Index, ManyToOne, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import type { Bundle } from './bundle.entity';

export enum BundleItemRole {
  ITEM = 'ITEM',
  BUY = 'BUY',
  GET = 'GET',
}

/**
 * The lookup table of "bundles containing this item": one row per item of every bundle, `runId` repeated so that
 * it is one index lookup. The application never writes it: triggers on `bundles` rewrite a bundle's rows whenever
 * its `items` or run change, in the statement that changed them, and deletes cascade (migration
 * Migration20261130080000_bundle_items_from_bundles).
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
