import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { Shop } from './shop.entity';

export enum ApiKeyScope {
  ADMIN = 'ADMIN',
  READ = 'READ',
}

@Entity({ tableName: 'api_keys' })
@Index({ properties: ['shop'] })
export class ApiKey {
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @ManyToOne(() => Shop, { deleteRule: 'cascade' })
  shop!: Shop;

  @Property({ type: 'text' })
  name!: string;

  @Enum(() => ApiKeyScope)
  scope!: ApiKeyScope;

  /** The first characters of the token, so a key can be recognised in lists without revealing it. */
  @Property({ type: 'text' })
  tokenPrefix!: string;

  /** SHA-256 of the token: tokens carry 256 bits of randomness, so a slow hash adds nothing but latency. */
  @Property({ type: 'text', unique: true })
  tokenHash!: string;

  @Property({ columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ columnType: 'timestamptz', nullable: true })
  revokedAt?: Date;
}
