import { Entity, Index, ManyToOne, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { Shop } from '../shops/shop.entity';

@Entity({ tableName: 'runs' })
@Index({ properties: ['shop', 'id'] })
export class Run {
  [OptionalProps]?: 'createdAt' | 'dataVersion' | 'ordersVersion';

  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @ManyToOne(() => Shop, { deleteRule: 'cascade' })
  shop!: Shop;

  @Property({ type: 'text' })
  name!: string;

  @Property({ columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  /**
   * Bumped by every upload that commits rows into the run, in the same transaction as the rows: a snapshot that sees
   * the data sees its version. Coverage keeps its computed parts under these (coverage.entity.ts).
   */
  @Property({ type: 'bigint', defaultRaw: '0' })
  dataVersion?: string;

  /** Likewise, by the uploads that commit order lines. */
  @Property({ type: 'bigint', defaultRaw: '0' })
  ordersVersion?: string;
}
