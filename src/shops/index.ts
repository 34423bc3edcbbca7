import { ApiKey } from './api-key.entity';
import { registerNodeType } from '../graphql/node.resolver';
import { shopIdOf } from '../graphql/context';
import { ShopService } from './shop.service';
import { ApiKeyType, ShopType } from './shop.types';
import { ShopResolver } from './shop.resolver';

registerNodeType('Shop', async (ctx, id) => {
  const shop = id === shopIdOf(ctx) ? await new ShopService(ctx.em).get(id) : null;
  return shop ? ShopType.from(shop) : null;
});
registerNodeType('ApiKey', async (ctx, id) => {
  const key = await ctx.em.findOne(ApiKey, { id, shop: shopIdOf(ctx) });
  return key ? ApiKeyType.from(key) : null;
});

export const shopResolvers = [ShopResolver] as const;
