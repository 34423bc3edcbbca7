import { LRUCache } from 'lru-cache';
import type { Em } from '../db/orm';
import { bigintArray } from '../db/arrays';
import type { StoredCopy, StoredDiscount } from './bundle.entity';
import type { Objective } from '../generation/settings';
import { currencyDigits, formatAmount, parseAmount } from './money';

/**
 * Storefront text drafted from templates, so that a generated bundle is presentable without a network call.
 * Clients overwrite it through bundlesSave or bundleUpdate; a new discount on a generated bundle drafts it again
 * (BundleService.update).
 */
export type CopyKind = 'FREQUENTLY_BOUGHT_TOGETHER' | 'VOLUME_DISCOUNT' | 'BUY_X_GET_Y';

export interface CopyInput {
  kind: CopyKind;
  objective: Objective;
  /** Item names in bundle order; for BUY_X_GET_Y the trigger first, then the reward. */
  names: string[];
  discount: StoredDiscount | null;
  currency: string | null;
  seasonal: boolean;
  /** Whether orders show the bundle (bought together, or several at a time); catalog suggestions claim nothing. */
  observed: boolean;
}

export const SEASONAL_BADGE = 'Seasonal pick';

/**
 * The currency of run `run` (an SQL expression): the one most of its order lines are in (a shop selling abroad has
 * orders in other currencies, which must not name the run's by sorting first); null for a run without currencies.
 * What generated copy is written in and what pricing is in.
 */
export function runCurrencySql(run: string): string {
  return `SELECT o.currency FROM order_lines o WHERE o.run_id = ${run} AND o.currency IS NOT NULL
           GROUP BY o.currency ORDER BY count(*) DESC, o.currency LIMIT 1`;
}

/**
 * Runs' currencies with the orders version they were read at, per database (one ORM's configuration): reading one
 * takes a pass over the run's lines, and it changes only with the run's orders (Run.ordersVersion), so most requests
 * need only the versions. A currency being read is shared by the requests that ask for it meanwhile.
 */
const currencies = new WeakMap<object, LRUCache<string, { version: string; currency: Promise<string | null> }>>();

/** The currency of each run (see runCurrencySql). */
export async function runCurrencies(em: Em, runIds: readonly string[]): Promise<(string | null)[]> {
  let known = currencies.get(em.config);
  if (!known) currencies.set(em.config, (known = new LRUCache({ max: 10_000 })));
  const versions: { id: string; version: string }[] = await em.execute(
    `SELECT r.id::text AS id, coalesce(x.orders_version, 0)::text AS version
       FROM unnest(?::bigint[]) WITH ORDINALITY AS r(id, n) LEFT JOIN runs x ON x.id = r.id ORDER BY r.n`,
    [bigintArray(runIds)],
  );
  const stale = versions.filter(({ id, version }) => known.get(id)?.version !== version);
  if (stale.length) {
    const read = em
      .execute<{ id: string; currency: string | null }[]>(
        `SELECT r.id::text AS id, (${runCurrencySql('r.id')}) AS currency FROM unnest(?::bigint[]) AS r(id)`,
        [bigintArray(stale.map((run) => run.id))],
      )
      .then((rows) => new Map(rows.map((row) => [row.id, row.currency])));
    for (const { id, version } of stale) {
      const currency = read.then((found) => found.get(id) ?? null);
      known.set(id, { version, currency });
      // A failed read is not kept: the next request reads again.
      currency.catch(() => known.get(id)?.currency === currency && known.delete(id));
    }
  }
  return Promise.all(versions.map(({ id }) => known.get(id)?.currency ?? null));
}

const formatters = new Map<string, (amount: string) => string>();

/** Money in the run's currency ("$19.99", "CA$19.99"); a plain number when the currency is unknown or invalid. */
export function moneyFormatter(currency: string | null): (amount: string) => string {
  const code = (currency ?? '').toUpperCase();
  let format = formatters.get(code);
  if (!format) {
    try {
      const intl = new Intl.NumberFormat('en', { style: 'currency', currency: code });
      const digits = currencyDigits(code);
      // Rounded as pricing rounds (half away from zero, on the exact decimal), so that copy and pricing agree.
      format = (amount) => intl.format(Number(formatAmount(parseAmount(amount), digits)));
    } catch {
      format = (amount) => formatAmount(parseAmount(amount), 2);
    }
    formatters.set(code, format);
  }
  return format;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max - 1).trimEnd() + '…';
}

function list(names: string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/**
 * What a discount takes off, in its own terms ("10%", "$5.00", the free item), never as a computed total: the copy
 * is stored, while prices follow every catalog upload, so a total written into it would go stale. The bundle's
 * `pricing` carries the totals, computed when read.
 */
function discountTerms(discount: StoredDiscount | null, money: (amount: string) => string, rewarded: string | null) {
  switch (discount?.type) {
    case 'PERCENTAGE': {
      const percent = Number(discount.value ?? 0);
      return percent > 0 ? { off: `${percent}%`, free: null } : null;
    }
    case 'FIXED_AMOUNT':
      return Number(discount.value ?? 0) > 0 ? { off: money(discount.value ?? '0'), free: null } : null;
    case 'FREE_ITEM':
      return { off: null, free: rewarded ?? 'the cheapest item' };
    default:
      return null;
  }
}

export function draftCopy(input: CopyInput): StoredCopy {
  const money = moneyFormatter(input.currency);
  const { discount, names } = input;
  let title: string;
  let description: string;
  let badge: string;
  let savingsMessage: string | null;
  switch (input.kind) {
    case 'VOLUME_DISCOUNT': {
      const tiers = discount?.tiers ?? [];
      const terms = discountTerms(discount, money, null);
      title = `Buy more, save more: ${names[0]}`;
      const offer = tiers.length
        ? ` ${tiers.map((t, i) => `${i === 0 ? 'Buy' : 'buy'} ${t.minQuantity}, save ${Number(t.percentage)}%`).join('; ')}.`
        : terms?.off
          ? ` Save ${terms.off}.`
          : terms?.free
            ? ` One of them is free.`
            : '';
      description = `${input.observed ? `${names[0]} is often bought several at a time.` : `Stock up on ${names[0]}.`}${offer}`;
      badge = tiers.length ? `Up to ${Number(tiers[tiers.length - 1].percentage)}% off` : terms?.off ? `Save ${terms.off}` : 'Multi-buy';
      savingsMessage = tiers.length ? tiers.map((t) => `Buy ${t.minQuantity}, save ${Number(t.percentage)}%`).join(' · ') : terms?.off ? `Save ${terms.off}` : null;
      break;
    }
    case 'BUY_X_GET_Y': {
      const [trigger, reward] = names;
      const terms = discountTerms(discount, money, reward ?? null);
      // A percentage comes off the reward; an amount, off the whole bundle (see priceBundle).
      const onReward = discount?.type === 'PERCENTAGE';
      if (terms?.off && onReward) {
        title = `Buy ${trigger}, get ${reward} ${terms.off} off`;
        description = `Customers who buy ${trigger} often add ${reward}. Add it now for ${terms.off} off.`;
        badge = `${terms.off} off ${reward}`;
        savingsMessage = `Save ${terms.off} on ${reward}`;
      } else if (terms?.off) {
        title = `Buy ${trigger}, add ${reward} and save ${terms.off}`;
        description = `Customers who buy ${trigger} often add ${reward}. Add it now and save ${terms.off}.`;
        badge = `Save ${terms.off}`;
        savingsMessage = `Save ${terms.off} on the bundle`;
      } else if (terms?.free) {
        title = `Buy ${trigger}, get ${reward} free`;
        description = `Customers who buy ${trigger} often add ${reward}. Add it now for free.`;
        badge = `Free ${reward}`;
        savingsMessage = `${reward} is free`;
      } else {
        title = `Buy ${trigger}, add ${reward}`;
        description = `Customers who buy ${trigger} often add ${reward}.`;
        badge = 'Add-on';
        savingsMessage = null;
      }
      break;
    }
    default: {
      const terms = discountTerms(discount, money, null);
      const together = names.length === 2 ? 'both' : `all ${names.length}`;
      title = input.observed ? `Frequently bought together: ${names.join(' + ')}` : `Pairs well: ${names.join(' + ')}`;
      const offer = terms?.off ? ` Get ${together} and save ${terms.off}.` : terms?.free ? ` Get ${together} and ${terms.free} is free.` : '';
      description = input.observed ? `Customers often buy ${list(names)} together.${offer}` : `${list(names)} go well together.${offer}`;
      badge = input.objective === 'new_launch' ? 'New' : terms?.off ? `Save ${terms.off}` : terms?.free ? 'Free item' : 'Better together';
      savingsMessage = terms?.off ? `Save ${terms.off} on the bundle` : terms?.free ? `${terms.free[0]!.toUpperCase()}${terms.free.slice(1)} is free` : null;
    }
  }
  if (input.seasonal && input.objective !== 'new_launch') badge = SEASONAL_BADGE;
  return {
    title: clip(title, 255),
    description: clip(description, 2000),
    badge: clip(badge, 60),
    savingsMessage: savingsMessage && clip(savingsMessage, 255),
  };
}
