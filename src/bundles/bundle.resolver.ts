import DataLoader from 'dataloader';
import { Arg, Args, Ctx, Extensions, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { loader, shopIdOf, type Context } from '../graphql/context';
import { idOf, requireIdOf } from '../graphql/global-id';
import { ConnectionArgs, connectionComplexity, listComplexity, pageRequest, toConnection, type ConnectionShape, type CursorValues } from '../graphql/relay';
import { DecimalScalar } from '../graphql/scalars';
import { DomainError, userError, withUserErrors } from '../graphql/user-error';
import { normalizeSku, variantIdOf } from '../ingest/csv';
import { RunService } from '../runs/run.service';
import { RunType } from '../runs/run.types';
import { BundleSource } from './bundle.entity';
import { draftsFromInput } from './bundle-draft';
import { BundleService } from './bundle.service';
import {
  BundleConnection,
  BundleFilter,
  BundleInput,
  BundleItem,
  BundlePricingType,
  BundleSaveMode,
  BundleSortKey,
  BundleType,
  BundleUpdateInput,
  BundleUpdatePayload,
  BundlesDeletePayload,
  BundlesSavePayload,
} from './bundle.types';
import { availableQuantity, itemFactsKey, loadItemFacts, type ItemFacts } from './item-catalog';
import { runCurrencies } from './copy';
import { priceBundle } from './pricing';
import { currencyDigits } from './money';
import { RecommendationService } from './recommendations';

const MAX_RECOMMENDED = 50;

function factsLoader(ctx: Context) {
  return loader(ctx, 'bundle.itemFacts', () =>
    new DataLoader<BundleItem, ItemFacts, string>((items) => loadItemFacts(ctx.em, items), { cacheKeyFn: itemFactsKey }),
  );
}

type ItemsWithFacts = { items: BundleItem[]; facts: ItemFacts[] };

/**
 * Items with their facts. Answers of the storefront path arrive with their facts attached: those are used as
 * they are, without a promise per field, since that path is the one under load.
 */
function factsOf(bundle: BundleType, ctx: Context): ItemsWithFacts | Promise<ItemsWithFacts> {
  const items = bundle.itemRecords;
  if (items.every((item) => item.facts)) return { items, facts: items.map((item) => item.facts!) };
  return factsLoader(ctx)
    .loadMany(items)
    .then((facts) => ({ items, facts: facts.map((f) => { if (f instanceof Error) throw f; return f; }) }));
}

function factOf(item: BundleItem, ctx: Context): ItemFacts | Promise<ItemFacts> {
  return item.facts ?? factsLoader(ctx).load(item);
}

function whenReady<T, R>(value: T | Promise<T>, then: (value: T) => R): R | Promise<R> {
  return value instanceof Promise ? value.then(then) : then(value);
}

/** The currency of a run's orders (see runCurrencySql), batched per request. */
function runCurrencyOf(ctx: Context, runId: string): Promise<string | null> {
  return loader(ctx, 'bundle.runCurrency', () => new DataLoader<string, string | null>((runIds) => runCurrencies(ctx.em, runIds))).load(runId);
}

function bundleService(ctx: Context): BundleService {
  return new BundleService(ctx.em);
}

@Resolver(() => BundleType)
export class BundleResolver {
  @Query(() => BundleConnection, { description: "The shop's bundles, or one run's.", complexity: connectionComplexity })
  async bundles(
    @Args() args: ConnectionArgs,
    @Arg('runId', () => ID, { nullable: true }) runId: string | null,
    @Arg('filter', () => BundleFilter, { nullable: true }) filter: BundleFilter | null,
    @Arg('sortKey', () => BundleSortKey, { nullable: true, defaultValue: BundleSortKey.RANK }) sortKey: BundleSortKey | null,
    @Arg('reverse', () => Boolean, { nullable: true, defaultValue: false }) reverse: boolean | null,
    @Ctx() ctx: Context,
  ): Promise<ConnectionShape<BundleType>> {
    // A run that is not the shop's is an error, not an empty page: a partner's wrong id should not read as "no bundles".
    const runDbId = runId == null ? null : (await new RunService(ctx.em).require(shopIdOf(ctx), requireIdOf(runId, 'Run', ['runId']))).id;
    return pageOfBundles(ctx, runDbId, args, filter, sortKey ?? BundleSortKey.RANK, reverse ?? false);
  }

  @Query(() => [BundleType], {
    description:
      "The best ACTIVE bundles containing an item (named by sku, variantId, or both: one variant), from the shop's latest run with ACTIVE bundles (or runId); bundles with an out-of-stock item are left out unless inStockOnly is false.",
    complexity: listComplexity(5, MAX_RECOMMENDED),
  })
  // The storefront hot path: its whole response is kept as long as the answers it is built from.
  @Extensions({ responseCache: true })
  async recommendedBundles(
    @Arg('sku', () => String, { nullable: true }) sku: string | null,
    @Arg('variantId', () => String, { nullable: true }) variantId: string | null,
    @Arg('runId', () => ID, { nullable: true }) runId: string | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: 5 }) firstArg: number | null,
    @Arg('inStockOnly', () => Boolean, { nullable: true, defaultValue: true }) inStockOnly: boolean | null,
    @Ctx() ctx: Context,
  ): Promise<BundleType[]> {
    const item = { sku: sku ? normalizeSku(sku) || null : null, variantId: variantId ? variantIdOf(variantId) || null : null };
    if (variantId && variantIdOf(variantId) === null) {
      throw new DomainError(userError('INVALID', 'variantId must be a variant id or a gid://shopify/ProductVariant/ gid.', ['variantId']));
    }
    if (!item.sku && !item.variantId) throw new DomainError(userError('BLANK', 'Give a sku or a variantId.', ['sku']));
    const first = firstArg ?? 5;
    if (first < 1 || first > MAX_RECOMMENDED) throw new DomainError(userError('OUT_OF_RANGE', `"first" must be between 1 and ${MAX_RECOMMENDED}.`, ['first']));
    const runDbId = runId == null ? null : requireIdOf(runId, 'Run', ['runId']);
    return new RecommendationService(ctx.orm, ctx.responseCache.dependOn).recommend(shopIdOf(ctx), { ...item, runId: runDbId, first, inStockOnly: inStockOnly ?? true });
  }

  @Mutation(() => BundlesSavePayload, { description: 'Create or update bundles by key in one transaction; REPLACE also removes the others.' })
  bundlesSave(
    @Arg('runId', () => ID) runId: string,
    @Arg('bundles', () => [BundleInput]) bundles: BundleInput[],
    @Arg('mode', () => BundleSaveMode, { nullable: true, defaultValue: BundleSaveMode.UPSERT }) mode: BundleSaveMode | null,
    @Ctx() ctx: Context,
  ): Promise<BundlesSavePayload> {
    return withUserErrors(
      async () => {
        const run = await new RunService(ctx.em).require(shopIdOf(ctx), requireIdOf(runId, 'Run', ['runId']));
        const { drafts, errors } = draftsFromInput(bundles, BundleSource.MANUAL);
        if (errors.length) throw new DomainError(errors);
        const result = await bundleService(ctx).save(shopIdOf(ctx), run.id, drafts, mode ?? BundleSaveMode.UPSERT);
        return {
          bundles: result.bundles.map(({ bundle, items }) => BundleType.from(bundle, items)),
          inserted: result.inserted,
          updated: result.updated,
          deleted: result.deleted,
        };
      },
      () => ({ bundles: [], inserted: 0, updated: 0, deleted: 0 }),
    );
  }

  @Mutation(() => BundleUpdatePayload)
  bundleUpdate(@Arg('id', () => ID) id: string, @Arg('input') input: BundleUpdateInput, @Ctx() ctx: Context): Promise<BundleUpdatePayload> {
    return withUserErrors(
      async () => {
        const { bundle, items } = await bundleService(ctx).update(shopIdOf(ctx), requireIdOf(id, 'Bundle'), input);
        return { bundle: BundleType.from(bundle, items) };
      },
      () => ({ bundle: null }),
    );
  }

  @Mutation(() => BundlesDeletePayload)
  async bundlesDelete(@Arg('ids', () => [ID]) ids: string[], @Ctx() ctx: Context): Promise<BundlesDeletePayload> {
    const { deleted, errors } = await bundleService(ctx).delete(
      shopIdOf(ctx),
      ids.map((id, index) => ({ id: idOf(id, 'Bundle'), index })),
    );
    return { deletedIds: deleted.map((id) => `gid://bundlegraph/Bundle/${id}`), userErrors: errors };
  }

  @FieldResolver(() => [BundleItem])
  items(@Root() bundle: BundleType): BundleItem[] {
    return bundle.itemRecords;
  }

  @FieldResolver(() => BundlePricingType, { nullable: true, description: "Computed from the run's catalog prices and the discount; null when a price is unknown." })
  async pricing(@Root() bundle: BundleType, @Ctx() ctx: Context): Promise<BundlePricingType | null> {
    const [{ items, facts }, currency] = await Promise.all([factsOf(bundle, ctx), runCurrencyOf(ctx, bundle.runId)]);
    const pricing = priceBundle(
      items.map((item, i) => ({ quantity: item.quantity, role: item.role, price: facts[i].price })),
      bundle.discount,
      currencyDigits(currency),
    );
    return pricing && { ...pricing, runId: bundle.runId };
  }

  @FieldResolver(() => Int, { nullable: true, description: 'Complete bundles stock allows: min over items of floor(available / quantity), untracked and continue-selling items ignored.' })
  availableQuantity(@Root() bundle: BundleType, @Ctx() ctx: Context): number | null | Promise<number | null> {
    return whenReady(factsOf(bundle, ctx), ({ items, facts }) => availableQuantity(items, facts));
  }

  // Read at execution, not part of the kept storefront answers: a response selecting it is never kept whole.
  @Extensions({ responseCache: false })
  @FieldResolver(() => RunType)
  async run(@Root() bundle: BundleType, @Ctx() ctx: Context): Promise<RunType> {
    const run = await new RunService(ctx.em).get(shopIdOf(ctx), bundle.runId);
    if (!run) throw new Error('bundle without its run');
    return RunType.from(run);
  }
}

@Resolver(() => BundlePricingType)
export class BundlePricingResolver {
  @FieldResolver(() => String, { nullable: true, description: "ISO 4217 code most of the run's order lines are in; null without one." })
  currency(@Root() pricing: BundlePricingType, @Ctx() ctx: Context): Promise<string | null> {
    return runCurrencyOf(ctx, pricing.runId);
  }
}

@Resolver(() => BundleItem)
export class BundleItemResolver {
  @FieldResolver(() => String, { nullable: true, description: "From the run's catalog (else variants)." })
  title(@Root() item: BundleItem, @Ctx() ctx: Context): string | null | Promise<string | null> {
    return whenReady(factOf(item, ctx), (fact) => fact.title);
  }

  @FieldResolver(() => DecimalScalar, { nullable: true })
  price(@Root() item: BundleItem, @Ctx() ctx: Context): string | null | Promise<string | null> {
    return whenReady(factOf(item, ctx), (fact) => fact.price);
  }

  @FieldResolver(() => Int, { nullable: true, description: 'Units available over stocked locations, else the catalog total; null when unknown.' })
  available(@Root() item: BundleItem, @Ctx() ctx: Context): number | null | Promise<number | null> {
    return whenReady(factOf(item, ctx), (fact) => fact.available);
  }
}

@Resolver(() => RunType)
export class RunBundlesResolver {
  @FieldResolver(() => BundleConnection, { complexity: connectionComplexity })
  bundles(
    @Root() run: RunType,
    @Args() args: ConnectionArgs,
    @Arg('filter', () => BundleFilter, { nullable: true }) filter: BundleFilter | null,
    @Arg('sortKey', () => BundleSortKey, { nullable: true, defaultValue: BundleSortKey.RANK }) sortKey: BundleSortKey | null,
    @Arg('reverse', () => Boolean, { nullable: true, defaultValue: false }) reverse: boolean | null,
    @Ctx() ctx: Context,
  ): Promise<ConnectionShape<BundleType>> {
    return pageOfBundles(ctx, run.runId, args, filter, sortKey ?? BundleSortKey.RANK, reverse ?? false);
  }
}

async function pageOfBundles(ctx: Context, runId: string | null, args: ConnectionArgs, filter: BundleFilter | null, sortKey: BundleSortKey, reverse: boolean) {
  const request = pageRequest(args);
  const rows = await bundleService(ctx).page(shopIdOf(ctx), runId, filter, sortKey, reverse, request);
  const cursors = new Map<BundleType, CursorValues>();
  const nodes = rows.map(({ bundle, cursor }) => {
    const node = BundleType.from(bundle);
    cursors.set(node, cursor);
    return node;
  });
  return toConnection(nodes, request, (node) => cursors.get(node)!);
}
