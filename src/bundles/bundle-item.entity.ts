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
 * its `items` or run change, in the statement that changed them, and remove them with the bundle (migrations
 * Migration20261130080000_bundle_items_from_bundles and Migration20261130100000_bundle_checks_by_statement).
 */
@Entity({ tableName: 'bundle_items' })
@Index({ name: 'bundle_items_run_sku_idx', properties: ['runId', 'sku'] })
@Index({ name: 'bundle_items_run_variant_idx', properties: ['runId', 'variantId'] })
export class BundleItemRecord {
  [OptionalProps]?: 'role';

  /** No foreign key: only the triggers write these rows, from the bundle's own, and one removes them with it. */
  @ManyToOne('Bundle', { primary: true, createForeignKeyConstraint: false })
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
