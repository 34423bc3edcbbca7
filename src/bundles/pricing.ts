import { BundleItemRole } from './bundle-item.entity';
import type { StoredDiscount } from './bundle.entity';
import { formatAmount, parseAmount, percentageOf, roundAmount } from './money';

export interface PricedItem {
  quantity: number;
  role: BundleItemRole;
  /** The unit price from the run's catalog (else its variants), or null when unknown. */
  price: string | null;
}

export interface BundlePricing {
  originalTotal: string;
  bundlePrice: string;
  savings: string;
  savingsPercentage: number;
}

/** The tier that applies to a quantity: the one with the highest minimum not above it. */
export function tierFor(tiers: NonNullable<StoredDiscount['tiers']>, quantity: number) {
  return [...tiers].sort((a, b) => b.minQuantity - a.minQuantity).find((t) => quantity >= t.minQuantity) ?? null;
}

/**
 * What the bundle costs, from the items' catalog prices and the discount: never from figures a client sent.
 * Amounts are shown in the currency's minor unit (`digits` decimals: 2 for USD, 0 for JPY). Null when any item's
 * price is unknown, since a partial total would mislead.
 *
 * - PERCENTAGE: off the whole bundle; for BUY_X_GET_Y only off the GET items.
 * - FIXED_AMOUNT: off the whole bundle, at most down to zero.
 * - FREE_ITEM: the GET items are free (the cheapest item when none is marked GET).
 * - QUANTITY_TIERS: the percentage of the tier reached by the bundle's total quantity.
 */
export function priceBundle(items: PricedItem[], discount: StoredDiscount | null | undefined, digits = 2): BundlePricing | null {
  if (items.length === 0 || items.some((item) => item.price === null)) return null;
  const lineTotal = (item: PricedItem) => parseAmount(item.price!) * BigInt(item.quantity);
  const original = items.reduce((sum, item) => sum + lineTotal(item), 0n);
  const rewarded = items.filter((item) => item.role === BundleItemRole.GET);
  let savings = 0n;
  switch (discount?.type) {
    case 'PERCENTAGE': {
      const base = rewarded.length ? rewarded.reduce((sum, item) => sum + lineTotal(item), 0n) : original;
      savings = percentageOf(base, discount.value ?? '0');
      break;
    }
    case 'FIXED_AMOUNT':
      // An amount the currency cannot charge ("1.005" dollars, "3.5" yen) is the nearest one it can, as the copy says.
      savings = roundAmount(parseAmount(discount.value ?? '0'), digits);
      break;
    case 'FREE_ITEM': {
      const free = rewarded.length ? rewarded : [items.reduce((cheapest, item) => (parseAmount(item.price!) < parseAmount(cheapest.price!) ? item : cheapest))];
      savings = rewarded.length ? free.reduce((sum, item) => sum + lineTotal(item), 0n) : parseAmount(free[0].price!);
      break;
    }
    case 'QUANTITY_TIERS': {
      const quantity = items.reduce((sum, item) => sum + item.quantity, 0);
      const tier = tierFor(discount.tiers ?? [], quantity);
      savings = tier ? percentageOf(original, tier.percentage) : 0n;
      break;
    }
    default:
      savings = 0n;
  }
  if (savings > original) savings = original;
  const bundlePrice = original - savings;
  const roundedOriginal = roundAmount(original, digits);
  const roundedSavings = roundedOriginal - roundAmount(bundlePrice, digits);
  return {
    originalTotal: formatAmount(original, digits),
    bundlePrice: formatAmount(bundlePrice, digits),
    savings: formatAmount(roundedSavings, digits),
    savingsPercentage: roundedOriginal > 0n ? Math.round(Number((roundedSavings * 100_000n) / roundedOriginal) / 10) / 100 : 0,
  };
}

/**
 * Whether a discount can price a bundle at 0: a fixed amount, or a percentage of 50 or more (a smaller one leaves at
 * least half of the smallest coin, which rounds up). Only those are checked against prices.
 */
export function mayGiveAway(discount: StoredDiscount | null | undefined): boolean {
  switch (discount?.type) {
    case 'FIXED_AMOUNT':
      return discount.value != null;
    case 'PERCENTAGE':
      return Number(discount.value ?? 0) >= 50;
    case 'QUANTITY_TIERS':
      return (discount.tiers ?? []).some((tier) => Number(tier.percentage) >= 50);
    default:
      return false;
  }
}

/**
 * The bundle's total at these prices when the discount prices it at 0 in the currency's minor unit (`digits`): the
 * bundle would be given away; else null, as while any price is unknown. Refused when saved; a price cut after the
 * save can still bring it about, and the storefront then leaves the bundle out.
 */
export function givenAwayTotal(items: PricedItem[], discount: StoredDiscount | null | undefined, digits = 2): string | null {
  if (!mayGiveAway(discount)) return null;
  const priced = priceBundle(items, discount, digits);
  return priced !== null && parseAmount(priced.bundlePrice) === 0n && parseAmount(priced.originalTotal) > 0n ? priced.originalTotal : null;
}
