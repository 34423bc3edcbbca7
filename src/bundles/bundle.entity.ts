import { Entity, Enum, Index, ManyToOne, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Run } from '../runs/run.entity';
import { Shop } from '../shops/shop.entity';
import type { BundleItemRole } from './bundle-item.entity';

/** One item of a bundle as stored in its row; `bundle_items` repeats it for lookups (see BundleItemRecord). */
export interface StoredItem {
  sku: string | null;
  variantId: string | null;
  quantity: number;
  role: BundleItemRole;
}

export interface StoredDiscount {
  type: 'PERCENTAGE' | 'FIXED_AMOUNT' | 'FREE_ITEM' | 'QUANTITY_TIERS';
  /** Percentage (0-100) or amount, as a decimal string. */
  value?: string | null;
  tiers?: { minQuantity: number; percentage: string }[] | null;
}

export interface StoredCopy {
  title?: string | null;
  description?: string | null;
  badge?: string | null;
  savingsMessage?: string | null;
}

export enum BundleKind {
  FREQUENTLY_BOUGHT_TOGETHER = 'FREQUENTLY_BOUGHT_TOGETHER',
  VOLUME_DISCOUNT = 'VOLUME_DISCOUNT',
  BUY_X_GET_Y = 'BUY_X_GET_Y',
  MIX_AND_MATCH = 'MIX_AND_MATCH',
  FIXED = 'FIXED',
}

export enum BundleSource {
  GENERATED = 'GENERATED',
  MANUAL = 'MANUAL',
}

export enum BundleStatus {
  DRAFT = 'DRAFT',
  ACTIVE = 'ACTIVE',
  ARCHIVED = 'ARCHIVED',
}

/**
 * Every property opts out of change tracking (`trackChanges: false`): it only lets auto-flush notice a touched
 * entity, and it costs every new instance the deletion and redefinition of its tracked properties (accessors for
 * the scalars and relations), which turns the object into a slow dictionary for the rest of the flush. Flushes
 * still diff every property against the loaded snapshot, so updates are found all the same.
 */
@Entity({ tableName: 'bundles' })
@Unique({ properties: ['run', 'key'] })
@Index({ properties: ['run', 'rank', 'id'] })
@Index({ properties: ['shop', 'run'] })
export class Bundle {
  [OptionalProps]?: 'status' | 'pinned' | 'createdAt' | 'updatedAt';

  @PrimaryKey({ type: 'bigint', autoincrement: true, trackChanges: false })
  id!: string;

  /**
   * No persist cascade into shop and run: they always exist first, and a save of 10,000 bundles would walk them
   * 10,000 times. No foreign key on the shop either: it is the run's shop, whose key already holds, and checking it
   * again would cost a lookup per inserted bundle (migration Migration20261130100000_bundle_checks_by_statement).
   */
  @ManyToOne(() => Shop, { cascade: [], createForeignKeyConstraint: false, trackChanges: false })
  shop!: Shop;

  @ManyToOne(() => Run, { deleteRule: 'cascade', updateRule: 'cascade', cascade: [], trackChanges: false })
  run!: Run;

  /** Identity within the run: given by the client, or derived from the sorted items of a generated bundle. */
  @Property({ type: 'text', trackChanges: false })
  key!: string;

  @Enum({ items: () => BundleKind, trackChanges: false })
  kind!: BundleKind;

  @Enum({ items: () => BundleSource, trackChanges: false })
  source!: BundleSource;

  @Enum({ items: () => BundleStatus, trackChanges: false })
  status: BundleStatus = BundleStatus.DRAFT;

  @Property({ type: 'boolean', trackChanges: false })
  pinned: boolean = false;

  /**
   * When a merchant last approved or archived the bundle (bundleUpdate); null while nobody decided on it, status
   * DRAFT or whatever status a generation wrote. Regeneration leaves decided bundles as they are.
   */
  @Property({ columnType: 'timestamptz', nullable: true, trackChanges: false })
  decidedAt?: Date | null;

  @Property({ type: 'text', nullable: true, trackChanges: false })
  title?: string;

  /** What the customer gets; see BundleDiscount in bundle.types.ts for the shapes. */
  @Property({ type: 'jsonb', nullable: true, trackChanges: false })
  discount?: StoredDiscount | null;

  /** Storefront text, saved as the client gave it or drafted from templates. */
  @Property({ type: 'jsonb', nullable: true, trackChanges: false })
  copy?: StoredCopy | null;

  @Property({ type: 'text', nullable: true, trackChanges: false })
  objective?: string;

  @Property({ type: 'double', nullable: true, trackChanges: false })
  support?: number;

  @Property({ type: 'double', nullable: true, trackChanges: false })
  confidence?: number;

  @Property({ type: 'double', nullable: true, trackChanges: false })
  lift?: number;

  @Property({ type: 'double', nullable: true, trackChanges: false })
  score?: number;

  @Property({ type: 'integer', nullable: true, trackChanges: false })
  rank?: number;

  @Property({ type: 'integer', nullable: true, trackChanges: false })
  orderCount?: number;

  @Property({ columnType: 'timestamptz', defaultRaw: 'now()', trackChanges: false })
  createdAt: Date = new Date();

  @Property({ columnType: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date(), trackChanges: false })
  updatedAt: Date = new Date();

  /**
   * The items in order, part of the bundle's own row: a bundle is saved as one entity, not one plus one per item.
   * The database copies them into bundle_items (see BundleItemRecord).
   */
  @Property({ type: 'jsonb', trackChanges: false })
  items!: StoredItem[];
}
