import { Collection, Entity, Enum, Index, ManyToOne, OneToMany, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Run } from '../runs/run.entity';
import { Shop } from '../shops/shop.entity';
import { BundleItemRecord } from './bundle-item.entity';

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

@Entity({ tableName: 'bundles' })
@Unique({ properties: ['run', 'key'] })
@Index({ properties: ['run', 'rank', 'id'] })
@Index({ properties: ['shop', 'run'] })
export class Bundle {
  [OptionalProps]?: 'status' | 'pinned' | 'createdAt' | 'updatedAt';

  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @ManyToOne(() => Shop, { deleteRule: 'cascade' })
  shop!: Shop;

  @ManyToOne(() => Run, { deleteRule: 'cascade' })
  run!: Run;

  /** Identity within the run: given by the client, or derived from the sorted items of a generated bundle. */
  @Property({ type: 'text' })
  key!: string;

  @Enum(() => BundleKind)
  kind!: BundleKind;

  @Enum(() => BundleSource)
  source!: BundleSource;

  @Enum(() => BundleStatus)
  status: BundleStatus = BundleStatus.DRAFT;

  @Property({ type: 'boolean' })
  pinned: boolean = false;

  @Property({ type: 'text', nullable: true })
  title?: string;

  /** What the customer gets; see BundleDiscount in bundle.types.ts for the shapes. */
  @Property({ type: 'jsonb', nullable: true })
  discount?: StoredDiscount | null;

  /** Storefront text, saved as the client gave it or drafted from templates. */
  @Property({ type: 'jsonb', nullable: true })
  copy?: StoredCopy | null;

  @Property({ type: 'text', nullable: true })
  objective?: string;

  @Property({ type: 'double', nullable: true })
  support?: number;

  @Property({ type: 'double', nullable: true })
  confidence?: number;

  @Property({ type: 'double', nullable: true })
  lift?: number;

  @Property({ type: 'double', nullable: true })
  score?: number;

  @Property({ type: 'integer', nullable: true })
  rank?: number;

  @Property({ type: 'integer', nullable: true })
  orderCount?: number;

  @Property({ columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ columnType: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date = new Date();

  @OneToMany(() => BundleItemRecord, (item) => item.bundle, { orderBy: { position: 'asc' }, orphanRemoval: true })
  items = new Collection<BundleItemRecord>(this);
}
