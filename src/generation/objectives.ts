import type { ItemFacts } from '../bundles/item-catalog';
import type { ItemRow } from './mining';
import type { DiscountCap, GenerationSettings, Objective } from './settings';

/**
 * Catalog signals of an item, computed at generation time from the run's data (never during ingestion). The
 * reference time is the latest order of the history, not the clock, so that the same files always give the same
 * bundles.
 */
export interface ItemSignals {
  /** At most slowMoverMaxUnits units sold in the last slowMoverDays of the history, and in stock. */
  slowMover: boolean;
  /** Product created within newLaunchDays before the end of the history. */
  newLaunch: boolean;
  /** 1 - price / compare-at price, 0 when not on sale. */
  discountDepth: number;
  /** Tagged for a season or holiday. */
  seasonal: boolean;
  /** Units available, null when nothing says. */
  available: number | null;
  /** False for untracked and continue-selling items, which never run out. */
  limitsStock: boolean;
}

const SEASONAL = /\b(season(al)?|holiday|christmas|xmas|halloween|easter|valentine'?s?|black[- ]friday|cyber[- ]monday|summer|winter|spring|autumn|fall|back[- ]to[- ]school|mother'?s[- ]day|father'?s[- ]day)\b/i;

export function signalsOf(item: ItemRow, facts: ItemFacts | undefined, historyEnd: Date | null, settings: GenerationSettings): ItemSignals {
  const available = facts?.available ?? null;
  const limitsStock = facts?.limitsStock ?? true;
  const inStock = !limitsStock || (available !== null && available > 0);
  // In ten-thousandths (prices have at most four decimals): whole numbers, so that the depth is the exact ratio,
  // rounded once, and 12.00 against 15.00 is 20% off, not 19.999...%.
  const price = item.price === null ? null : Math.round(Number(item.price) * 10_000);
  const compareAt = item.compareAtPrice === null ? null : Math.round(Number(item.compareAtPrice) * 10_000);
  const day = 86_400_000;
  return {
    slowMover: item.recentUnits <= settings.slowMoverMaxUnits && inStock && available !== null,
    newLaunch: Boolean(historyEnd && item.productCreatedAt && item.productCreatedAt.getTime() >= historyEnd.getTime() - settings.newLaunchDays * day),
    discountDepth: price !== null && compareAt !== null && compareAt > price && compareAt > 0 ? (compareAt - price) / compareAt : 0,
    seasonal: SEASONAL.test(item.tags ?? ''),
    available,
    limitsStock,
  };
}

export function inStock(signals: ItemSignals): boolean {
  return !signals.limitsStock || (signals.available !== null && signals.available > 0);
}

/**
 * What a frequently-bought-together bundle serves: a new launch rides on what it is bought with; items already
 * on sale get only a small extra discount (margin guard); otherwise the bundle raises the order value.
 */
export function fbtObjective(items: ItemSignals[], settings: GenerationSettings): Objective {
  if (items.some((s) => s.newLaunch)) return 'new_launch';
  if (items.some((s) => s.discountDepth >= settings.discountedDepth)) return 'margin_guard';
  return 'increase_aov';
}

/** Volume discounts and buy-X-get-Y clear slow movers when the discounted item is one; else they raise the order value. */
export function stockObjective(discounted: ItemSignals): Objective {
  return discounted.slowMover ? 'clear_slow_movers' : 'increase_aov';
}

/**
 * A percentage within the objective's cap: the stronger the evidence that customers buy the bundle anyway
 * (strength 0-1, e.g. the confidence), the smaller the discount it needs. Whole percents.
 */
export function discountWithin(cap: DiscountCap, strength: number): number {
  const s = Math.min(1, Math.max(0, strength));
  return Math.round(cap.max - (cap.max - cap.min) * s);
}

/** Tier percentages rising evenly through the cap: the last tier gets its maximum. */
export function tierPercentages(cap: DiscountCap, tiers: number): number[] {
  return Array.from({ length: tiers }, (_, i) => Math.round(cap.min + ((cap.max - cap.min) * (i + 1)) / tiers));
}

/**
 * Quantity tiers from the observed quantities of the item's multi-unit orders (their median, 75th and 90th
 * percentiles, distinct), or 2 and 3 when there are none; tiers above the stock of a stock-limited item are cut.
 */
export function quantityTiers(quantiles: number[], signals: ItemSignals): number[] {
  const observed = [...new Set(quantiles.map((q) => Math.max(2, Math.round(q))))].sort((a, b) => a - b);
  const tiers = observed.length ? observed : [2, 3];
  if (!signals.limitsStock || signals.available === null) return tiers;
  return tiers.filter((q) => q <= signals.available!);
}
