import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

@Entity({ tableName: 'shops' })
export class Shop {
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  /** The shop's myshopify domain (or any host name): unique, lower-case. */
  @Property({ type: 'text', unique: true })
  domain!: string;

  @Property({ columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
