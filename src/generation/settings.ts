import { BundleStatus } from '../bundles/bundle.entity';
import { normalizeSku, variantIdOf } from '../ingest/csv';
import { DomainError, userError, type UserError } from '../graphql/user-error';

export type Objective = 'increase_aov' | 'clear_slow_movers' | 'margin_guard' | 'new_launch';
export const OBJECTIVES: readonly Objective[] = ['increase_aov', 'clear_slow_movers', 'margin_guard', 'new_launch'];

/** A discount range in percent, inclusive. */
export interface DiscountCap {
  min: number;
  max: number;
}

/** Everything a generation can be told, defaults filled in; stored with the job as it was applied. */
export interface GenerationSettings {
  wait: boolean;
  /** Keep orders that were cancelled, voided or refunded in full in the statistics. */
  includeCancelled: boolean;
  /** Orders with more distinct items than this are left out of pair counting (wholesale orders pair everything). */
  maxBasketSize: number;
  minCoOrders: number;
  minLift: number;
  minConfidence: number;
  /** Dunning's log-likelihood ratio; 3.84 is the 95% point of chi-square with one degree of freedom. */
  minLlr: number;
  maxBundlesPerItem: number;
  maxBundles: number;
  triples: boolean;
  /** SKUs never put in a bundle, matched whatever their case (lower-cased by the database, both sides alike). */
  excludeSkus: string[];
  /** Variant ids never put in a bundle (a variant without a SKU, such as a shipping protection). */
  excludeVariantIds: string[];
  /** An item gets a volume bundle when this share of its order lines has a quantity of 2 or more... */
  volumeMinShare: number;
  /** ...and it has at least this many order lines. */
  volumeMinLines: number;
  /** Confidence of reward given trigger that a BUY_X_GET_Y bundle needs. */
  bxgyMinConfidence: number;
  slowMoverDays: number;
  /** At most this many units sold in the last slowMoverDays of the history (with stock) makes a slow mover. */
  slowMoverMaxUnits: number;
  newLaunchDays: number;
  /** Discount depth (1 - price / compare-at) from which an item counts as already discounted. */
  discountedDepth: number;
  /** Below this many orders with two or more items, association rules are not trusted: fallback. */
  minMultiItemOrders: number;
  /** Bundles of the fallback strategies. */
  fallbackBundles: number;
  status: BundleStatus;
  discountCaps: Record<Objective, DiscountCap>;
}

export const DEFAULT_SETTINGS: GenerationSettings = {
  wait: true,
  includeCancelled: false,
  maxBasketSize: 50,
  minCoOrders: 3,
  minLift: 1.2,
  minConfidence: 0.05,
  minLlr: 3.84,
  maxBundlesPerItem: 3,
  maxBundles: 200,
  triples: true,
  excludeSkus: [],
  excludeVariantIds: [],
  volumeMinShare: 0.25,
  volumeMinLines: 5,
  bxgyMinConfidence: 0.2,
  slowMoverDays: 30,
  slowMoverMaxUnits: 2,
  newLaunchDays: 30,
  discountedDepth: 0.2,
  minMultiItemOrders: 20,
  fallbackBundles: 10,
  status: BundleStatus.DRAFT,
  discountCaps: {
    margin_guard: { min: 0, max: 10 },
    clear_slow_movers: { min: 5, max: 40 },
    increase_aov: { min: 5, max: 20 },
    new_launch: { min: 0, max: 15 },
  },
};

export interface SettingsInput {
  wait?: boolean | null;
  includeCancelled?: boolean | null;
  maxBasketSize?: number | null;
  minCoOrders?: number | null;
  minLift?: number | null;
  minConfidence?: number | null;
  minLlr?: number | null;
  maxBundlesPerItem?: number | null;
  maxBundles?: number | null;
  triples?: boolean | null;
  excludeSkus?: string[] | null;
  excludeVariantIds?: string[] | null;
  volumeMinShare?: number | null;
  volumeMinLines?: number | null;
  bxgyMinConfidence?: number | null;
  slowMoverDays?: number | null;
  slowMoverMaxUnits?: number | null;
  newLaunchDays?: number | null;
  minMultiItemOrders?: number | null;
  fallbackBundles?: number | null;
  status?: BundleStatus | null;
  discountCaps?: { objective: string; min: number; max: number }[] | null;
}

type NumericKey = {
  [K in keyof GenerationSettings]: GenerationSettings[K] extends number ? K : never;
}[keyof GenerationSettings];

/** The largest discount percentage a cap may allow (rounded, 99.5 would give 100%). */
const MAX_DISCOUNT_CAP = 99;

const RANGES: Record<Exclude<NumericKey, 'discountedDepth'>, { min: number; max: number; integer: boolean }> = {
  maxBasketSize: { min: 2, max: 1000, integer: true },
  minCoOrders: { min: 1, max: 1_000_000, integer: true },
  minLift: { min: 0, max: 1_000_000, integer: false },
  minConfidence: { min: 0, max: 1, integer: false },
  minLlr: { min: 0, max: 1_000_000, integer: false },
  maxBundlesPerItem: { min: 1, max: 1000, integer: true },
  maxBundles: { min: 0, max: 10_000, integer: true },
  volumeMinShare: { min: 0, max: 1, integer: false },
  volumeMinLines: { min: 1, max: 1_000_000, integer: true },
  bxgyMinConfidence: { min: 0, max: 1, integer: false },
  slowMoverDays: { min: 1, max: 3650, integer: true },
  slowMoverMaxUnits: { min: 0, max: 1_000_000, integer: true },
  newLaunchDays: { min: 1, max: 3650, integer: true },
  minMultiItemOrders: { min: 0, max: 1_000_000_000, integer: true },
  fallbackBundles: { min: 0, max: 1000, integer: true },
};

/** The settings with defaults filled in; every out-of-range value is reported with its path under `settings`. */
export function resolveSettings(input: SettingsInput | null | undefined): GenerationSettings {
  const settings: GenerationSettings = structuredClone(DEFAULT_SETTINGS);
  if (!input) return settings;
  const errors: UserError[] = [];
  for (const [key, range] of Object.entries(RANGES) as [keyof typeof RANGES, (typeof RANGES)[keyof typeof RANGES]][]) {
    const value = input[key];
    if (value == null) continue;
    if (!Number.isFinite(value) || value < range.min || value > range.max || (range.integer && !Number.isInteger(value))) {
      errors.push(userError('OUT_OF_RANGE', `${key} must be ${range.integer ? 'a whole number ' : ''}between ${range.min} and ${range.max}.`, ['settings', key]));
      continue;
    }
    settings[key] = value;
  }
  for (const key of ['wait', 'includeCancelled', 'triples'] as const) {
    if (input[key] != null) settings[key] = input[key]!;
  }
  if (input.status === BundleStatus.ARCHIVED) {
    errors.push(userError('INVALID', 'Generated bundles are written DRAFT (to review) or ACTIVE (published), not ARCHIVED.', ['settings', 'status']));
  } else if (input.status) settings.status = input.status;
  if (input.excludeSkus) settings.excludeSkus = [...new Set(input.excludeSkus.map((sku) => normalizeSku(sku)).filter(Boolean))].sort();
  input.excludeVariantIds?.forEach((raw, i) => {
    const id = variantIdOf(raw);
    if (id === null) errors.push(userError('INVALID', 'A variant id or a gid://shopify/ProductVariant/ gid.', ['settings', 'excludeVariantIds', i]));
    else if (id) settings.excludeVariantIds.push(id);
  });
  settings.excludeVariantIds = [...new Set(settings.excludeVariantIds)].sort();
  input.discountCaps?.forEach((cap, i) => {
    if (!OBJECTIVES.includes(cap.objective as Objective)) {
      errors.push(userError('INVALID', `objective must be one of ${OBJECTIVES.join(', ')}.`, ['settings', 'discountCaps', i, 'objective']));
    } else if (!(cap.min >= 0 && cap.max <= MAX_DISCOUNT_CAP && cap.min <= cap.max)) {
      // A discount never gives a bundle away: 100% is refused on bundles too.
      errors.push(userError('OUT_OF_RANGE', `A discount cap goes from min to max within 0-${MAX_DISCOUNT_CAP}.`, ['settings', 'discountCaps', i]));
    } else {
      settings.discountCaps[cap.objective as Objective] = { min: cap.min, max: cap.max };
    }
  });
  if (errors.length) throw new DomainError(errors);
  return settings;
}
