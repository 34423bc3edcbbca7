import { Field, Float, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { BundleStatus } from '../bundles/bundle.entity';
import { BundleType } from '../bundles/bundle.types';
import { toGlobalId } from '../graphql/global-id';
import { Node } from '../graphql/relay';
import { DateTimeScalar } from '../graphql/scalars';
import { UserError } from '../graphql/user-error';
import { RunType } from '../runs/run.types';
import { GenerationStatus, GenerationStrategy, type BundleGeneration } from './generation.entity';
import type { SettingsInput } from './settings';

registerEnumType(GenerationStatus, { name: 'GenerationStatus' });
registerEnumType(GenerationStrategy, {
  name: 'GenerationStrategy',
  description:
    'ASSOCIATION_RULES: mined from co-orders. FALLBACK_BEST_SELLERS: too few multi-item orders, volume bundles on the best sellers. FALLBACK_CATALOG: no usable best seller either, suggestions from the catalog alone. NONE: nothing to suggest.',
});

@InputType({ description: 'A discount range for one objective, in percent.' })
export class DiscountCapInput {
  @Field({ description: 'increase_aov, clear_slow_movers, margin_guard or new_launch.' })
  objective!: string;

  @Field(() => Float, { description: 'Smallest percentage off, from 0.' })
  min!: number;

  @Field(() => Float, { description: 'Largest percentage off, at most 99: a discount never gives a bundle away.' })
  max!: number;
}

@InputType({ description: 'How bundles are mined; every field has a default (see README, "Bundle generation").' })
export class BundleGenerationSettingsInput implements SettingsInput {
  @Field(() => Boolean, { nullable: true, description: 'Answer when the generation is done (default true), or at once with status PROCESSING.' })
  wait?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'Count cancelled, voided and fully refunded orders too (default false): their baskets were not kept.' })
  includeCancelled?: boolean | null;

  @Field(() => Int, { nullable: true, description: 'Orders with more distinct items are left out of pair counting (default 50).' })
  maxBasketSize?: number | null;

  @Field(() => Int, { nullable: true, description: 'Orders a pair (or triple) must share (default 3).' })
  minCoOrders?: number | null;

  @Field(() => Float, { nullable: true, description: 'Default 1.2.' })
  minLift?: number | null;

  @Field(() => Float, { nullable: true, description: 'In the stronger direction (default 0.05).' })
  minConfidence?: number | null;

  @Field(() => Float, { nullable: true, description: "Dunning's log-likelihood ratio (default 3.84, p < 0.05)." })
  minLlr?: number | null;

  @Field(() => Int, { nullable: true, description: 'Default 3.' })
  maxBundlesPerItem?: number | null;

  @Field(() => Int, { nullable: true, description: 'Default 200.' })
  maxBundles?: number | null;

  @Field(() => Boolean, { nullable: true, description: 'Look for three-item bundles (default true).' })
  triples?: boolean | null;

  @Field(() => [String], { nullable: true, description: 'SKUs never put in a generated bundle (in any case: "protect" excludes PROTECT).' })
  excludeSkus?: string[] | null;

  @Field(() => [String], { nullable: true, description: 'Variant ids (or ProductVariant gids) never put in a generated bundle: items without a SKU, such as a shipping protection.' })
  excludeVariantIds?: string[] | null;

  @Field(() => Float, { nullable: true, description: 'Share of an item\'s order lines with quantity >= 2 that earns it a volume bundle (default 0.25).' })
  volumeMinShare?: number | null;

  @Field(() => Int, { nullable: true, description: 'Order lines an item needs for a volume bundle (default 5).' })
  volumeMinLines?: number | null;

  @Field(() => Float, { nullable: true, description: 'Confidence of reward given trigger for BUY_X_GET_Y (default 0.2).' })
  bxgyMinConfidence?: number | null;

  @Field(() => Int, { nullable: true, description: 'Window of the slow-mover signal, in days before the latest order (default 30).' })
  slowMoverDays?: number | null;

  @Field(() => Int, { nullable: true, description: 'Units sold within the window at most, for a slow mover with stock (default 2).' })
  slowMoverMaxUnits?: number | null;

  @Field(() => Int, { nullable: true, description: 'Products created this many days before the latest order or later are new launches (default 30).' })
  newLaunchDays?: number | null;

  @Field(() => Int, { nullable: true, description: 'Fewer multi-item orders than this means fallback strategies (default 20).' })
  minMultiItemOrders?: number | null;

  @Field(() => Int, { nullable: true, description: 'Bundles a fallback strategy suggests (default 10).' })
  fallbackBundles?: number | null;

  @Field(() => BundleStatus, { nullable: true, description: 'Status of generated bundles (default DRAFT); one generated again that a merchant approved or archived keeps that status.' })
  status?: BundleStatus | null;

  @Field(() => [DiscountCapInput], {
    nullable: true,
    description: 'Defaults: margin_guard 0-10, clear_slow_movers 5-40, increase_aov 5-20, new_launch 0-15.',
  })
  discountCaps?: DiscountCapInput[] | null;
}

@ObjectType({ description: 'Candidates left out for one reason.' })
export class DroppedCount {
  @Field({
    description:
      'cancelled_orders (cancelled, voided, refunded in full or expired) and oversized_orders count orders; the others count candidates: below_min_lift, below_min_confidence, below_min_llr, same_product, gift_card, zero_price, not_active, excluded_sku, excluded_variant, unknown_item (pairs); triple_below_min_co_orders, triple_below_min_lift, triple_below_min_confidence; insufficient_stock (volume); manual_bundle_exists, pinned_bundle_exists, active_bundle_exists, archived_bundle_exists, over_item_cap, over_total_cap (any bundle).',
  })
  reason!: string;

  @Field(() => Int)
  count!: number;
}

@ObjectType({ description: 'Bundles written, by kind.' })
export class KindCount {
  @Field()
  kind!: string;

  @Field(() => Int)
  count!: number;
}

@ObjectType('BundleGeneration', { implements: Node, description: 'One bundlesGenerate job and what it found.' })
export class BundleGenerationType extends Node {
  generationId!: string;
  runId!: string;

  @Field(() => GenerationStatus)
  status!: GenerationStatus;

  @Field({ description: 'queued, baskets, orders, items, basket_items, pairs, candidates, fetch, volume, stock, triples, drafting, ranking, saving, done.' })
  phase!: string;

  @Field(() => Int, { description: 'Orders whose baskets were read (cancelled, voided and fully refunded ones left out unless included).' })
  ordersConsidered!: number;

  @Field(() => Int, { description: 'Distinct items (variant ids, else SKUs) in those orders.' })
  itemsConsidered!: number;

  @Field(() => Int, { description: 'Distinct pairs of items ordered together at least minCoOrders times: those the thresholds are applied to.' })
  candidatePairs!: number;

  @Field(() => Int)
  bundlesWritten!: number;

  @Field(() => [DroppedCount])
  dropped!: DroppedCount[];

  @Field(() => [KindCount])
  kinds!: KindCount[];

  @Field(() => GenerationStrategy, { nullable: true, description: 'Null while the generation runs.' })
  strategy!: GenerationStrategy | null;

  @Field(() => String, { nullable: true, description: 'Why the strategy was chosen, or why there are no bundles.' })
  message!: string | null;

  @Field(() => UserError, { nullable: true, description: 'What ended a FAILED generation.' })
  failure!: UserError | null;

  @Field(() => DateTimeScalar)
  startedAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true })
  finishedAt!: Date | null;

  @Field(() => Int, { nullable: true })
  durationMs!: number | null;

  static from(generation: BundleGeneration): BundleGenerationType {
    const result = generation.result ?? null;
    const failure = generation.errorCode ? Object.assign(new UserError(), { code: generation.errorCode, message: generation.errorMessage ?? '' }) : null;
    return Object.assign(new BundleGenerationType(), {
      id: toGlobalId('BundleGeneration', generation.id),
      generationId: generation.id,
      runId: generation.run.id,
      status: generation.status,
      phase: generation.phase,
      ordersConsidered: generation.ordersConsidered,
      itemsConsidered: generation.itemsConsidered,
      candidatePairs: generation.candidatePairs,
      bundlesWritten: generation.bundlesWritten,
      dropped: Object.entries(result?.dropped ?? {}).sort(([a], [b]) => a.localeCompare(b)).map(([reason, count]) => ({ reason, count })),
      kinds: Object.entries(result?.kinds ?? {}).sort(([a], [b]) => a.localeCompare(b)).map(([kind, count]) => ({ kind, count })),
      strategy: result?.strategy ?? null,
      message: result?.message ?? null,
      failure,
      startedAt: generation.startedAt,
      finishedAt: generation.finishedAt ?? null,
      durationMs: generation.durationMs ?? null,
    });
  }
}

@ObjectType()
export class BundlesGeneratePayload {
  @Field(() => BundleGenerationType, { nullable: true })
  generation!: BundleGenerationType | null;

  @Field(() => RunType, { nullable: true })
  run!: RunType | null;

  /** Filled by a field resolver from the run's generated bundles. */
  bundles?: BundleType[];

  @Field(() => [UserError])
  userErrors!: UserError[];
}
