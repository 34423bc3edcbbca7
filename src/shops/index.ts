import { ApiKeyService } from './api-key.service';
import { registerNodeType } from '../graphql/node.resolver';
import { principalOf, shopIdOf } from '../graphql/context';
import { ShopService } from './shop.service';
import { ApiKeyType, ShopType } from './shop.types';
import { ShopResolver } from './shop.resolver';

registerNodeType('Shop', async (ctx, id) => {
  const shop = id === shopIdOf(ctx) ? await new ShopService(ctx.em).get(id) : null;
  return shop ? ShopType.from(shop) : null;
});
registerNodeType('ApiKey', async (ctx, id) => {
  const [key] = await new ApiKeyService(ctx.em).visible(principalOf(ctx), id);
  return key ? ApiKeyType.from(key) : null;
});

export const shopResolvers = [ShopResolver] as const;
