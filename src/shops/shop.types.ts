import { Field, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeScalar } from '../graphql/scalars';
import { toGlobalId } from '../graphql/global-id';
import { Node } from '../graphql/relay';
import { UserError } from '../graphql/user-error';
import { ApiKey, ApiKeyScope } from './api-key.entity';
import type { Shop } from './shop.entity';

registerEnumType(ApiKeyScope, {
  name: 'ApiKeyScope',
  description: 'ADMIN may run every operation; READ may only query.',
});

@ObjectType('ApiKey', { implements: Node })
export class ApiKeyType extends Node {
  @Field()
  name!: string;

  @Field(() => ApiKeyScope)
  scope!: ApiKeyScope;

  @Field({ description: 'The first characters of the token, to recognise it; the token itself is never shown again.' })
  tokenPrefix!: string;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true })
  revokedAt!: Date | null;

  static from(key: ApiKey): ApiKeyType {
    return Object.assign(new ApiKeyType(), {
      id: toGlobalId('ApiKey', key.id),
      name: key.name,
      scope: key.scope,
      tokenPrefix: key.tokenPrefix,
      createdAt: key.createdAt,
      revokedAt: key.revokedAt ?? null,
    });
  }
}

@ObjectType('Shop', { implements: Node })
export class ShopType extends Node {
  /** Database id, for field resolvers; not exposed. */
  shopId!: string;

  @Field()
  domain!: string;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  static from(shop: Shop): ShopType {
    return Object.assign(new ShopType(), {
      id: toGlobalId('Shop', shop.id),
      shopId: shop.id,
      domain: shop.domain,
      createdAt: shop.createdAt,
    });
  }
}

@InputType()
export class ApiKeyCreateInput {
  @Field(() => ApiKeyScope)
  scope!: ApiKeyScope;

  @Field({ nullable: true, description: 'A label to recognise the key by, e.g. the partner it was given to.' })
  name?: string;
}

@ObjectType()
export class ApiKeyCreatePayload {
  @Field(() => ApiKeyType, { nullable: true })
  apiKey!: ApiKeyType | null;

  @Field(() => String, { nullable: true, description: 'The secret token: shown this once, store it now.' })
  token!: string | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

@ObjectType()
export class ApiKeyRevokePayload {
  @Field(() => ApiKeyType, { nullable: true })
  apiKey!: ApiKeyType | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}
