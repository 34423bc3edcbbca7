import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver } from 'type-graphql';
import { principalOf, shopIdOf, type Context } from '../graphql/context';
import { requireIdOf } from '../graphql/global-id';
import { withUserErrors } from '../graphql/user-error';
import { ApiKeyService } from './api-key.service';
import { Shop } from './shop.entity';
import { ShopService } from './shop.service';
import { ApiKeyCreateInput, ApiKeyCreatePayload, ApiKeyRevokePayload, ApiKeyType, ShopType } from './shop.types';

@Resolver(() => ShopType)
export class ShopResolver {
  @Query(() => ShopType, { description: "The caller's shop." })
  async shop(@Ctx() ctx: Context): Promise<ShopType> {
    const shop = await new ShopService(ctx.em).get(shopIdOf(ctx));
    if (!shop) throw new Error('authenticated shop no longer exists');
    return ShopType.from(shop);
  }

  @FieldResolver(() => [ApiKeyType], {
    description: 'Every key of the shop, revoked ones included, for an ADMIN key; a READ key sees only itself. Tokens are never shown.',
  })
  async apiKeys(@Ctx() ctx: Context): Promise<ApiKeyType[]> {
    const keys = await new ApiKeyService(ctx.em).visible(principalOf(ctx));
    return keys.map(ApiKeyType.from);
  }

  @Mutation(() => ApiKeyCreatePayload)
  apiKeyCreate(@Arg('input') input: ApiKeyCreateInput, @Ctx() ctx: Context): Promise<ApiKeyCreatePayload> {
    return withUserErrors(
      async () => {
        const shop = ctx.em.getReference(Shop, shopIdOf(ctx));
        const { apiKey, token } = await new ApiKeyService(ctx.em).create(shop, input.scope, input.name);
        return { apiKey: ApiKeyType.from(apiKey), token };
      },
      () => ({ apiKey: null, token: null }),
    );
  }

  @Mutation(() => ApiKeyRevokePayload)
  apiKeyRevoke(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<ApiKeyRevokePayload> {
    return withUserErrors(
      async () => {
        const apiKey = await new ApiKeyService(ctx.em).revoke(shopIdOf(ctx), requireIdOf(id, 'ApiKey'));
        return { apiKey: ApiKeyType.from(apiKey) };
      },
      () => ({ apiKey: null }),
    );
  }
}
