import { shopIdOf } from '../graphql/context';
import { registerNodeType } from '../graphql/node.resolver';
import { BundleItemResolver, BundlePricingResolver, BundleResolver, RunBundlesResolver } from './bundle.resolver';
import { BundleService } from './bundle.service';
import { BundleType } from './bundle.types';

registerNodeType('Bundle', async (ctx, id) => {
  const bundle = await new BundleService(ctx.em).get(shopIdOf(ctx), id);
  return bundle ? BundleType.from(bundle) : null;
});

export const bundleResolvers = [BundleResolver, BundleItemResolver, BundlePricingResolver, RunBundlesResolver] as const;
