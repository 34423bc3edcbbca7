import { Entity, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { Shop } from '../shops/shop.entity';

@Entity({ tableName: 'runs' })
@Index({ properties: ['shop', 'id'] })
export class Run {
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @ManyToOne(() => Shop, { deleteRule: 'cascade' })
  shop!: Shop;

  @Property({ type: 'text' })
  name!: string;

  @Property({ columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
