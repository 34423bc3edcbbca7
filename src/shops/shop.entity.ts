import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

@Entity({ tableName: 'shops' })
export class Shop {
  [OptionalProps]?: 'createdAt' | 'dataVersion';

  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  /** The shop's myshopify domain (or any host name): unique, lower-case. */
  @Property({ type: 'text', unique: true })
  domain!: string;

  @Property({ columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  /**
   * Bumped by every transaction that writes the shop's bundles or commits an upload into one of its runs, as its last
   * statement: what other server processes compare to tell whether their kept storefront answers are current.
   */
  @Property({ type: 'bigint', defaultRaw: '0' })
  dataVersion?: string;
}
