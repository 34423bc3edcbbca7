import type { Em, Orm } from '../db/orm';
import type { CacheDependency } from '../graphql/response-cache';
import { DomainError, userError } from '../graphql/user-error';
import { RunService } from '../runs/run.service';
import { Bundle } from './bundle.entity';
import { BundleType, type BundleItem } from './bundle.types';
import { availableQuantity, loadItemFacts, otherKeysSql } from './item-catalog';
import { rememberRecommendation } from './recommendation-cache';
import { runCurrencies } from './copy';
import { currencyDigits } from './money';
import { givenAwayTotal, mayGiveAway } from './pricing';

export interface RecommendationRequest {
  sku: string | null;
  variantId: string | null;
  runId: string | null;
  first: number;
  inStockOnly: boolean;
}

/**
 * What every storefront answer of a shop is computed from, as one value that only grows: the shop's data counter,
 * bumped by every transaction that writes its bundles (markShopDataChanged) or commits an upload (catalog, variants,
 * stock). A primary-key read, at most once per freshness interval whatever the traffic (recommendation-cache.ts).
 */
export async function shopDataVersion(em: Em, shopId: string): Promise<string> {
  const [row] = await em.execute<{ version: string }[]>('SELECT data_version AS version FROM shops WHERE id = ?', [shopId]);
  return row?.version ?? '';
}

/**
 * Bumps the shop's bundle write counter. Called as the last statement of every transaction that writes the shop's
 * bundles: the counter changes in the same commit as the bundles, and the shop's row is locked only once all of
 * the transaction's bundle rows are, so that two writers never wait on each other in opposite orders.
 */
export async function markShopDataChanged(em: Em, shopId: string): Promise<void> {
  await em.execute('UPDATE shops SET data_version = data_version + 1 WHERE id = ?', [shopId], 'run');
}

/**
 * The storefront read path: ACTIVE bundles containing an item, from the shop's latest run with ACTIVE bundles (or
 * `runId`), best rank first, in stock unless told otherwise. A run whose bundles are all still drafts does not
 * take the storefront over: the bundles a merchant approved go on serving until some of the new run's are. Two index-backed queries per batch of candidates:
 * the candidates (with their items, in their rows), then the items' facts; answers are kept until the shop's
 * data changes (recommendation-cache.ts).
 */
export class RecommendationService {
  constructor(
    private readonly orm: Orm,
    /** Told what each answer was built from, so that a response made of it can be kept as long (response-cache.ts). */
    private readonly dependOn?: (dependency: CacheDependency) => void,
  ) {}

  /** Bundles ready to serve, their items carrying their facts; kept and shared as they are, never modified. */
  recommend(shopId: string, request: RecommendationRequest): Promise<BundleType[]> {
    const { sku, variantId, runId, first, inStockOnly } = request;
    const readVersion = () => shopDataVersion(this.orm.em.fork(), shopId);
    const compute = async () => {
      // An entity manager of the computation's own, made only here: most requests are answered from memory.
      const em = this.orm.em.fork();
      // A run asked for must be the shop's (an error is not kept: the next request looks again).
      if (runId !== null) await new RunService(em).require(shopId, runId);
      const servingRun = runId ?? (await this.servingRun(shopId, readVersion));
      if (servingRun === null) return [];
      if (sku !== null && variantId !== null) await this.requireOneItem(em, servingRun, sku, variantId);
      const chosen: BundleType[] = [];
      let digits: Promise<number> | null = null;
      const digitsOf = () => (digits ??= runCurrencies(em, [servingRun]).then(([currency]) => currencyDigits(currency ?? null)));
      const batch = inStockOnly ? Math.max(first * 2, 10) : first;
      for (let offset = 0; chosen.length < first; offset += batch) {
        const candidates = await this.candidates(em, shopId, servingRun, request, batch, offset);
        const facts = await loadItemFacts(em, candidates.flatMap((c) => c.items));
        let at = 0;
        for (const candidate of candidates) {
          const own = facts.slice(at, (at += candidate.items.length));
          if (inStockOnly && availableQuantity(candidate.items, own) === 0) continue;
          // Never offered for nothing: a discount that the catalog's prices fell below since it was saved.
          const priced = candidate.items.map((item, i) => ({ quantity: item.quantity, role: item.role, price: own[i]!.price }));
          if (mayGiveAway(candidate.bundle.discount) && givenAwayTotal(priced, candidate.bundle.discount, await digitsOf()) !== null) continue;
          chosen.push(BundleType.from(candidate.bundle, candidate.items.map((item, i) => ({ ...item, facts: own[i] }))));
          if (chosen.length === first) break;
        }
        if (candidates.length < batch) break;
      }
      return chosen;
    };
    return rememberRecommendation(shopId, [sku, variantId, runId, first, inStockOnly], { compute, readVersion }, this.dependOn);
  }

  /**
   * The run that serves the storefront: the shop's latest with ACTIVE bundles. Kept like the answers, and dropped
   * with them, so it is read once per change of the shop's data; the read walks the (shop, run) index from the newest
   * run, past the drafts of newer runs, to the first ACTIVE bundle.
   */
  private servingRun(shopId: string, readVersion: () => Promise<string>): Promise<string | null> {
    const compute = async () => {
      const rows: { run_id: string | null }[] = await this.orm.em
        .fork()
        .getConnection()
        .execute(`SELECT max(run_id)::text AS run_id FROM bundles WHERE shop_id = ? AND status = 'ACTIVE'`, [shopId]);
      return rows[0]?.run_id ?? null;
    };
    return rememberRecommendation(shopId, ['serving run'], { compute, readVersion });
  }

  /** Named both ways, the item must be one: a variant the run knows under another SKU is refused, as bundlesSave does. */
  private async requireOneItem(em: Em, runId: string, sku: string, variantId: string): Promise<void> {
    const rows: { sku: string }[] = await em.getConnection().execute(`SELECT k.sku FROM (${otherKeysSql('sku', '?::bigint')}) k`, [runId, variantId, runId, variantId]);
    if (rows.length > 0 && !rows.some((row) => row.sku === sku)) {
      throw new DomainError(
        userError('MISMATCH', `Variant ${variantId} is SKU ${rows[0]!.sku} in the run's catalog, not ${sku}: give one of them, or both of one item.`, ['sku']),
      );
    }
  }

  private async candidates(em: Em, shopId: string, runId: string, request: RecommendationRequest, limit: number, offset: number): Promise<{ bundle: Bundle; items: BundleItem[] }[]> {
    const { sku, variantId } = request;
    const rows: Record<string, unknown>[] = await em.getConnection().execute(
      // One index-walking branch per key, rather than one OR that would read every item of the run without a
      // variant; the item is found by its other key too (otherKeysSql). Named both ways, the item is one variant:
      // a bundle item with a variant id is then matched on it alone, as coverage matches lines (another variant of
      // the same SKU is another item).
      `WITH containing AS (
         SELECT bi.bundle_id FROM bundle_items bi
          WHERE bi.run_id = ? AND bi.sku = ? AND (?::text IS NULL OR bi.variant_id IS NULL OR bi.variant_id = ?)
         UNION
         SELECT bi.bundle_id FROM bundle_items bi WHERE bi.run_id = ? AND bi.variant_id = ?
         UNION
         SELECT bi.bundle_id FROM bundle_items bi
          WHERE bi.run_id = ? AND bi.variant_id IS NULL AND bi.sku IN (SELECT k.sku FROM (${otherKeysSql('sku', '?::bigint')}) k)
         UNION
         SELECT bi.bundle_id FROM bundle_items bi
          WHERE bi.run_id = ? AND bi.sku IS NULL AND ?::text IS NULL
            AND bi.variant_id IN (SELECT k.variant_id FROM (${otherKeysSql('variant_id', '?::bigint')}) k)
       ),
       candidates AS (
         SELECT b.id, coalesce(b.rank, 2147483647) AS sort_rank
           FROM containing c JOIN bundles b ON b.id = c.bundle_id
          WHERE b.shop_id = ? AND b.status = 'ACTIVE'
          ORDER BY sort_rank, b.id
          LIMIT ? OFFSET ?
       )
       SELECT b.* FROM candidates c JOIN bundles b ON b.id = c.id ORDER BY c.sort_rank, c.id`,
      [runId, sku, variantId, variantId, runId, variantId, runId, runId, variantId, runId, variantId, runId, variantId, runId, sku, runId, sku, shopId, limit, offset],
    );
    return rows.map((row) => {
      const bundle = em.map(Bundle, row);
      const runId = bundle.run.id;
      return { bundle, items: bundle.items.map((item) => ({ runId, ...item })) };
    });
  }
}
