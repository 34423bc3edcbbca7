import { lockKeyOf } from '../db/advisory-locks';
import { normalizeSku, variantIdOf } from '../ingest/csv';
import type { Em } from '../db/orm';
import { keysetSql, type KeyType } from '../db/keyset';
import type { CursorValues, PageRequest } from '../graphql/relay';
import { DomainError, userError, type UserError } from '../graphql/user-error';
import { Run } from '../runs/run.entity';
import { Shop } from '../shops/shop.entity';
import { forgetRecommendations } from './recommendation-cache';
import { markShopDataChanged } from './recommendations';
import { Bundle, BundleSource, BundleStatus, type StoredCopy, type StoredDiscount } from './bundle.entity';
import { SEASONAL_BADGE, draftCopy, runCurrencies, type CopyKind } from './copy';
import { loadItemFacts, otherKeysSql } from './item-catalog';
import { givenAwayTotal, mayGiveAway } from './pricing';
import { currencyDigits } from './money';
import type { Objective } from '../generation/settings';
import { checkCopy, checkDiscount, checkRank, deriveKey, duplicateKeys, keyBySku, type BundleDraft, type DraftItem } from './bundle-draft';
import { bigintArray, textArray } from '../db/arrays';
import { BundleSaveMode, BundleSortKey, type BundleCopyInput, type BundleFilter, type BundleItem, type BundleUpdateInput } from './bundle.types';

/** Bundles written per flush: the unit of work is cleared between chunks so that memory and diffing stay small. */
export const SAVE_CHUNK = 500;

export interface SaveResult {
  bundles: { bundle: Bundle; items: BundleItem[] }[];
  inserted: number;
  updated: number;
  deleted: number;
}

/** Which bundles a REPLACE save may remove besides those it is given. */
export type ReplaceScope = 'ALL_BUT_PINNED_MANUAL' | 'GENERATED_UNDECIDED' | 'GENERATED_UNDECIDED_UNPUBLISHED';

const REPLACE_SCOPES: Record<ReplaceScope, string> = {
  ALL_BUT_PINNED_MANUAL: "NOT (pinned AND source = 'MANUAL')",
  GENERATED_UNDECIDED: "source = 'GENERATED' AND NOT pinned AND decided_at IS NULL",
  GENERATED_UNDECIDED_UNPUBLISHED: "source = 'GENERATED' AND NOT pinned AND decided_at IS NULL AND status <> 'ACTIVE'",
};

const SORTS: Record<BundleSortKey, { column: string; type: KeyType; descending: boolean }> = {
  [BundleSortKey.RANK]: { column: 'coalesce(b.rank, 2147483647)', type: 'int', descending: false },
  [BundleSortKey.SCORE]: { column: "coalesce(b.score, '-Infinity'::float8)", type: 'float8', descending: true },
  [BundleSortKey.LIFT]: { column: "coalesce(b.lift, '-Infinity'::float8)", type: 'float8', descending: true },
  [BundleSortKey.CREATED_AT]: { column: 'b.created_at', type: 'timestamptz', descending: false },
  [BundleSortKey.UPDATED_AT]: { column: 'b.updated_at', type: 'timestamptz', descending: false },
};

/**
 * A copy edit changes the fields it gives (null clears one) and keeps the others, so that an admin UI can edit the
 * badge alone; a null copy clears them all.
 */
function mergeCopy(current: StoredCopy | null, input: BundleCopyInput | null, checked: StoredCopy | null): StoredCopy | null {
  if (!input || !checked) return null;
  const merged = { ...checked };
  for (const field of Object.keys(checked) as (keyof StoredCopy)[]) {
    if (input[field] === undefined) merged[field] = current?.[field] ?? null;
  }
  return merged;
}

function itemsOf(bundle: Bundle): BundleItem[] {
  const runId = bundle.run.id;
  return bundle.items.map((item) => ({ runId, ...item }));
}

function chunks<T>(list: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

function notFound(field: (string | number)[]): DomainError {
  return new DomainError(userError('NOT_FOUND', 'No bundle with this id in this shop.', field));
}

/** The advisory lock space of bundle saves ("Bund"), apart from ingestion's (0-3) and coverage's. */
const SAVE_LOCK_SPACE = 0x42756e64;

export class BundleService {
  constructor(private readonly em: Em) {}

  /**
   * Saves drafts through the unit of work, in one transaction. One SELECT finds which keys the run already
   * has (a fresh run has none, so nothing is loaded); then chunk by chunk, the chunk's existing bundles are
   * loaded with their items, the rest are built new with ids taken from the sequence beforehand, and one flush
   * writes them (batched INSERTs and UPDATEs); nothing is read again. What was saved is returned from memory.
   */
  async save(shopId: string, runId: string, drafts: BundleDraft[], mode: BundleSaveMode, scope: ReplaceScope = 'ALL_BUT_PINNED_MANUAL'): Promise<SaveResult> {
    const mismatched = await this.completeIdentities(runId, drafts);
    // Derived keys, each with the key its bundle had while the run did not know its items' variant ids, if another.
    const formerKeys = new Map<string, string>();
    for (const draft of drafts) {
      const derived = deriveKey(draft.kind, draft.items);
      draft.key ??= derived;
      const former = draft.key === derived ? keyBySku(draft.kind, draft.items) : null;
      if (former) formerKeys.set(derived, former);
    }
    const refused = [
      ...mismatched,
      ...duplicateKeys(drafts.map((draft) => draft.key)),
      ...(await this.amountsOverTotal(runId, drafts, (i) => ['bundles', i, 'discount', 'value'])),
    ];
    if (refused.length) throw new DomainError(refused);
    const outcome = await this.em.transactional(async (em) => {
      // Saves into one run take turns (a generation's included): otherwise two could both find a key new and
      // insert it, and the second would fail on the unique key instead of updating the first's bundle.
      await em.execute('SELECT pg_advisory_xact_lock(?, ?)', [SAVE_LOCK_SPACE, lockKeyOf(runId)]);
      const keys = textArray(drafts.map((d) => d.key!));
      const found: { id: string; key: string }[] = await em.execute(
        'SELECT id, key FROM bundles WHERE run_id = ? AND key = ANY(?::text[])',
        [runId, textArray([...drafts.map((d) => d.key!), ...formerKeys.values()])],
      );
      const idOf = existingIds(drafts, found, formerKeys);
      const result = await this.writeInChunks(em, shopId, runId, drafts, idOf);
      if (mode === BundleSaveMode.REPLACE) {
        const removed = await em.execute(
          `DELETE FROM bundles WHERE run_id = ? AND ${REPLACE_SCOPES[scope]} AND NOT (key = ANY(?::text[]))`,
          [runId, keys],
          'run',
        );
        result.deleted = (removed as { affectedRows?: number }).affectedRows ?? 0;
      }
      await markShopDataChanged(em, shopId);
      return result;
    });
    forgetRecommendations(shopId);
    return outcome;
  }

  /**
   * Builds and flushes the drafts chunk by chunk through the unit of work: the existing bundles (`idOf`, by key)
   * loaded and updated, the others created. Two units of work in the transaction take turns, so that while the
   * database runs one chunk's INSERTs and UPDATEs, the next chunk is loaded, built and diffed here. Each waits for
   * its own previous flush before it is cleared and reused; the connection runs the statements one by one in the
   * order they were sent (SerialStatementsDialect). Once one fails, the transaction's later statements fail too:
   * the first failure is the one reported, and no statement may still be on its way when the transaction ends.
   */
  private async writeInChunks(em: Em, shopId: string, runId: string, drafts: BundleDraft[], idOf: Map<string, string>): Promise<SaveResult> {
    const result: SaveResult = { bundles: [], inserted: 0, updated: 0, deleted: 0 };
    const now = new Date();
    // New bundles take their ids from the sequence here, in the order given: the lanes' INSERTs may reach the
    // database in either order, and listings break ties (no rank, one save's timestamps) by id.
    const inserts = drafts.length - idOf.size;
    const newIds: string[] = inserts
      ? (await em.execute<{ id: string }[]>(`SELECT nextval(pg_get_serial_sequence('bundles', 'id'))::text AS id FROM generate_series(1, ?)`, [inserts])).map((row) => row.id)
      : [];
    const lanes = [0, 1].map(() => ({ em: em.fork({ keepTransactionContext: true }), flushed: Promise.resolve() }));
    let failure: { error: unknown } | undefined;
    const fail = (error: unknown) => void (failure ??= { error });
    try {
      for (const [index, chunk] of chunks(drafts, SAVE_CHUNK).entries()) {
        const lane = lanes[index % lanes.length]!;
        await lane.flushed;
        if (failure) break;
        lane.em.clear();
        const ids = chunk.flatMap((draft) => idOf.get(draft.key!) ?? []);
        const existing = ids.length ? await lane.em.find(Bundle, { id: { $in: ids } }) : [];
        const byId = new Map<string, Bundle>(existing.map((bundle) => [bundle.id, bundle]));
        // Shared by the chunk's new bundles: one reference each rather than one lookup per bundle.
        const shop = lane.em.getReference(Shop, shopId);
        const run = lane.em.getReference(Run, runId);
        for (const draft of chunk) {
          const id = idOf.get(draft.key!);
          let bundle = id === undefined ? undefined : byId.get(id);
          if (bundle && draft.source === BundleSource.GENERATED) {
            // A generation skips the keys of the bundles it leaves as they are; one that became such a bundle since
            // (decided, pinned, or saved by hand while the generation ran) is left as it is here too.
            if (bundle.source === BundleSource.MANUAL || bundle.pinned || bundle.decidedAt) continue;
          }
          if (bundle) {
            bundle.key = draft.key!;
            result.updated++;
          } else {
            bundle = new Bundle();
            bundle.id = newIds[result.inserted]!;
            bundle.shop = shop;
            bundle.run = run;
            bundle.key = draft.key!;
            bundle.createdAt = now;
            lane.em.persist(bundle);
            result.inserted++;
          }
          this.assign(bundle, draft, now);
          result.bundles.push({ bundle, items: itemsOf(bundle) });
        }
        lane.flushed = lane.em.flush().catch(fail);
      }
    } catch (error) {
      fail(error);
    }
    await Promise.all(lanes.map((lane) => lane.flushed));
    if (failure) throw failure.error;
    return result;
  }

  /**
   * Fills in the SKU of items given by variant id, and the variant id of items given by SKU, from the run's
   * catalog (else variants), in one query: so that storefronts find a bundle by either, and the same item
   * named both ways makes the same key. Each branch is an `= ANY` on one column, so that it walks that
   * column's (run_id, ...) index; an OR of the two would scan the run. Returns the items given both ways whose
   * variant the run knows under other SKUs only: priced and stocked as one item, found by the other, they are refused.
   */
  private async completeIdentities(runId: string, drafts: BundleDraft[]): Promise<UserError[]> {
    const items: DraftItem[] = [];
    const both: { item: DraftItem; path: (string | number)[] }[] = [];
    const variantIds = new Set<string>();
    const skus = new Set<string>();
    drafts.forEach((draft, i) => {
      draft.items.forEach((item, j) => {
        if (item.sku && item.variantId) {
          // A generation names items as the run's data does (an order line's SKU for a variant the catalog renamed).
          if (draft.source === BundleSource.GENERATED) return;
          both.push({ item, path: ['bundles', i, 'items', j] });
          variantIds.add(item.variantId);
          return;
        }
        items.push(item);
        if (item.variantId) variantIds.add(item.variantId);
        else if (item.sku) skus.add(item.sku);
      });
    });
    if (items.length === 0 && both.length === 0) return [];
    const byVariant = textArray([...variantIds]);
    const bySku = textArray([...skus]);
    const known: { variant_id: string; sku: string; source: number }[] = await this.em.getConnection().execute(
      `SELECT DISTINCT ON (variant_id, sku) variant_id, sku, source FROM (
         SELECT variant_id, sku, 0 AS source FROM catalog_items WHERE run_id = ? AND variant_id = ANY(?::text[]) AND sku IS NOT NULL
         UNION ALL
         SELECT variant_id, sku, 0 AS source FROM catalog_items WHERE run_id = ? AND sku = ANY(?::text[]) AND variant_id IS NOT NULL
         UNION ALL
         SELECT variant_id, sku, 1 AS source FROM variants WHERE run_id = ? AND variant_id = ANY(?::text[]) AND sku IS NOT NULL
         UNION ALL
         SELECT variant_id, sku, 1 AS source FROM variants WHERE run_id = ? AND sku = ANY(?::text[]) AND variant_id IS NOT NULL
       ) found ORDER BY variant_id, sku, source`,
      [runId, byVariant, runId, bySku, runId, byVariant, runId, bySku],
    );
    const skuOf = new Map<string, string>();
    const variantOf = new Map<string, string>();
    const skusOf = new Map<string, { sku: string; source: number }[]>();
    for (const row of known) {
      if (!skuOf.has(row.variant_id)) skuOf.set(row.variant_id, row.sku);
      if (!variantOf.has(row.sku)) variantOf.set(row.sku, row.variant_id);
      skusOf.set(row.variant_id, [...(skusOf.get(row.variant_id) ?? []), row]);
    }
    for (const item of items) {
      if (item.variantId && !item.sku) item.sku = skuOf.get(item.variantId) ?? null;
      else if (item.sku && !item.variantId) item.variantId = variantOf.get(item.sku) ?? null;
    }
    return both.flatMap(({ item, path }) => {
      const known = skusOf.get(item.variantId!);
      if (!known || known.some((k) => k.sku === item.sku)) return [];
      const where = known[0]!.source === 0 ? 'catalog' : 'variants';
      return [userError('MISMATCH', `Variant ${item.variantId} has SKU ${known[0]!.sku} in the run's ${where}, not ${item.sku}: give one of the two, or both as they are there.`, path)];
    });
  }

  /** Copies a draft onto a bundle; the flush writes only what differs from the loaded row. */
  private assign(bundle: Bundle, draft: BundleDraft, now: Date): void {
    Object.assign(bundle, {
      kind: draft.kind,
      source: draft.source,
      status: draft.status,
      pinned: draft.pinned,
      title: draft.title,
      discount: draft.discount,
      copy: draft.copy,
      objective: draft.objective,
      rank: draft.rank,
      support: draft.support ?? null,
      confidence: draft.confidence ?? null,
      lift: draft.lift ?? null,
      score: draft.score ?? null,
      orderCount: draft.orderCount ?? null,
      items: draft.items.map(({ sku, variantId, quantity, role }: DraftItem) => ({ sku: sku ?? null, variantId: variantId ?? null, quantity, role })),
      updatedAt: now,
    });
  }

  async update(shopId: string, bundleId: string, input: BundleUpdateInput): Promise<{ bundle: Bundle; items: BundleItem[] }> {
    const bundle = await this.em.findOne(Bundle, { id: bundleId, shop: shopId });
    if (!bundle) throw notFound(['id']);
    const errors: UserError[] = [];
    const changes: Partial<Bundle> = {};
    if (input.status != null) {
      changes.status = input.status as BundleStatus;
      // Approving or archiving is a decision regeneration respects; back to DRAFT, the bundle is undecided again.
      changes.decidedAt = input.status === BundleStatus.DRAFT ? null : new Date();
    } else if (bundle.status !== BundleStatus.DRAFT && !bundle.decidedAt) {
      // Editing an offer that a generation published (or archived) makes it the merchant's: kept like an approved one.
      changes.decidedAt = new Date();
    }
    if (input.pinned != null) changes.pinned = input.pinned;
    if (input.title !== undefined) changes.title = input.title?.trim() || undefined;
    if (input.title && input.title.trim().length > 255) errors.push(userError('TOO_LONG', 'At most 255 characters.', ['input', 'title']));
    const copyGiven = input.copy !== undefined ? checkCopy(input.copy, ['input', 'copy'], errors) : undefined;
    if (input.discount !== undefined) changes.discount = checkDiscount(input.discount, bundle.kind, bundle.items, ['input', 'discount'], errors);
    if (changes.discount && !errors.length) {
      errors.push(...(await this.amountsOverTotal(bundle.run.id, [{ items: bundle.items, discount: changes.discount }], () => ['input', 'discount', 'value'])));
    }
    if (input.rank !== undefined) changes.rank = checkRank(input.rank, ['input', 'rank'], errors) ?? undefined;
    if (errors.length) throw new DomainError(errors);
    // A generated bundle's copy was drafted from its discount (savings, badge): a new discount drafts again the fields
    // the merchant left as drafted, and copy fields given in the same update go over it. The bundle's title follows
    // the copy's for as long as the two are the same.
    let copy = bundle.copy ?? null;
    if (input.discount !== undefined && bundle.source === BundleSource.GENERATED) {
      copy = await this.redraftCopy(bundle, changes.discount ?? null);
      changes.copy = copy;
    }
    if (input.copy !== undefined) changes.copy = mergeCopy(copy, input.copy, copyGiven ?? null);
    if (changes.copy !== undefined && input.title === undefined && bundle.title === bundle.copy?.title) changes.title = changes.copy?.title ?? undefined;
    Object.assign(bundle, changes, { updatedAt: new Date() });
    await this.em.begin();
    try {
      // Takes turns with saves into the run (a generation's included), so that a decision is seen by the next one.
      await this.em.execute('SELECT pg_advisory_xact_lock(?, ?)', [SAVE_LOCK_SPACE, lockKeyOf(bundle.run.id)]);
      await this.em.flush();
      await markShopDataChanged(this.em, shopId);
      await this.em.commit();
    } catch (error) {
      await this.em.rollback();
      throw error;
    }
    forgetRecommendations(shopId);
    return { bundle, items: itemsOf(bundle) };
  }

  /**
   * Discounts that price their bundle at 0 at the run's catalog prices, in its currency's minor unit: a fixed amount
   * as large as the total, or a percentage that leaves less than half of the smallest coin. Such a bundle would be
   * given away, most likely for a typo. Checked only where prices are known, in one query for all the bundles whose
   * discount could (mayGiveAway). Prices that fall after the save can still bring it about: the bundle is then priced
   * at 0 and left off the storefront (see givenAwayTotal).
   */
  private async amountsOverTotal(
    runId: string,
    drafts: readonly { items: readonly DraftItem[]; discount: StoredDiscount | null }[],
    pathOf: (index: number) => (string | number)[],
  ): Promise<UserError[]> {
    const checked = drafts.flatMap((draft, index) => (mayGiveAway(draft.discount) ? [{ draft, index }] : []));
    if (checked.length === 0) return [];
    const items = checked.flatMap(({ draft }) => draft.items.map((item) => ({ runId, sku: item.sku ?? null, variantId: item.variantId ?? null })));
    const facts = await loadItemFacts(this.em, items);
    const [currency] = await runCurrencies(this.em, [runId]);
    const digits = currencyDigits(currency ?? null);
    const errors: UserError[] = [];
    let at = 0;
    for (const { draft, index } of checked) {
      const own = facts.slice(at, (at += draft.items.length));
      const total = givenAwayTotal(draft.items.map((item, i) => ({ quantity: item.quantity, role: item.role, price: own[i]!.price })), draft.discount, digits);
      if (total === null) continue;
      const message =
        draft.discount!.type === 'FIXED_AMOUNT'
          ? `An amount of ${draft.discount!.value} off is the bundle's whole total of ${total} at the catalog's prices, or more: the bundle would be free.`
          : `This discount leaves less than the smallest coin of the bundle's total of ${total} at the catalog's prices: the bundle would be free.`;
      errors.push(userError('OUT_OF_RANGE', message, pathOf(index)));
    }
    return errors;
  }

  /**
   * The copy of a generated bundle for a new discount: each field drafted again, except those the merchant wrote (that
   * differ from what the old discount drafted), which stay theirs.
   */
  private async redraftCopy(bundle: Bundle, discount: StoredDiscount | null): Promise<StoredCopy> {
    const items = itemsOf(bundle);
    const facts = await loadItemFacts(this.em, items);
    const [currency] = await runCurrencies(this.em, [bundle.run.id]);
    const draftFor = (d: StoredDiscount | null) =>
      draftCopy({
        kind: bundle.kind as CopyKind,
        objective: (bundle.objective ?? 'increase_aov') as Objective,
        names: items.map((item, i) => facts[i]!.title ?? item.sku ?? item.variantId ?? ''),
        discount: d,
        currency,
        seasonal: bundle.copy?.badge === SEASONAL_BADGE,
        observed: (bundle.orderCount ?? 0) > 0,
      });
    const drafted = draftFor(bundle.discount ?? null);
    const copy: StoredCopy = { ...draftFor(discount) };
    const current = bundle.copy ?? {};
    // A field the merchant cleared (null where a draft had text) stays cleared.
    for (const field of Object.keys(current) as (keyof StoredCopy)[]) {
      if ((current[field] ?? null) !== (drafted[field] ?? null)) copy[field] = current[field];
    }
    return copy;
  }

  /** Deletes the shop's bundles among `ids`; ids of other shops or of nothing are reported, not deleted. */
  async delete(shopId: string, ids: { id: string | null; index: number }[]): Promise<{ deleted: string[]; errors: UserError[] }> {
    const wanted = [...new Set(ids.filter((entry) => entry.id !== null).map((entry) => entry.id!))];
    const rows: { id: string }[] = wanted.length
      ? await this.em.transactional(async (em) => {
          const removed: { id: string }[] = await em.execute('DELETE FROM bundles WHERE shop_id = ? AND id = ANY(?::bigint[]) RETURNING id', [shopId, bigintArray(wanted)]);
          if (removed.length) await markShopDataChanged(em, shopId);
          return removed;
        })
      : [];
    const deleted = new Set(rows.map((row) => String(row.id)));
    if (deleted.size) forgetRecommendations(shopId);
    const errors = ids.filter((entry) => !entry.id || !deleted.has(entry.id)).map((entry) => notFound(['ids', entry.index]).errors[0]);
    return { deleted: wanted.filter((id) => deleted.has(id)), errors };
  }

  get(shopId: string, bundleId: string): Promise<Bundle | null> {
    return this.em.findOne(Bundle, { id: bundleId, shop: shopId });
  }

  /** One page of bundles of the shop (or of one of its runs), filtered and walked by keyset on the sort key. */
  async page(shopId: string, runId: string | null, filter: BundleFilter | null | undefined, sortKey: BundleSortKey, reverse: boolean, request: PageRequest) {
    const sort = SORTS[sortKey];
    // Cursors start with their sort key, so that one taken under another ordering is refused, not misread.
    const position = (values: CursorValues | undefined, argument: 'after' | 'before') => {
      if (!values) return undefined;
      if (values[0] !== sortKey) throw new DomainError(userError('INVALID_CURSOR', `The cursor belongs to another sort key than ${sortKey}.`, [argument]));
      return values.slice(1);
    };
    const keyset = keysetSql(
      {
        columns: [
          { sql: sort.column, type: sort.type },
          { sql: 'b.id', type: 'bigint' },
        ],
        descending: sort.descending !== reverse,
      },
      { ...request, after: position(request.after, 'after'), before: position(request.before, 'before') },
    );
    const conditions = ['b.shop_id = ?'];
    const params: unknown[] = [shopId];
    if (runId) {
      conditions.push('b.run_id = ?');
      params.push(runId);
    }
    if (filter?.kind?.length) {
      conditions.push(`b.kind = ANY(?::text[])`);
      params.push(textArray(filter.kind));
    }
    if (filter?.status?.length) {
      conditions.push(`b.status = ANY(?::text[])`);
      params.push(textArray(filter.status));
    }
    if (filter?.source) {
      conditions.push('b.source = ?');
      params.push(filter.source);
    }
    if (filter?.minLift != null) {
      conditions.push('b.lift >= ?');
      params.push(filter.minLift);
    }
    // An item is found by either key, and by the other through the runs' catalog and variants (otherKeysSql), read
    // once, for the runs in view, not once per bundle item.
    const runsInView = runId ? '?::bigint' : 'SELECT id FROM runs WHERE shop_id = ?';
    const scope = runId ?? shopId;
    if (filter?.containsSku) {
      const sku = normalizeSku(filter.containsSku);
      conditions.push(`(EXISTS (SELECT 1 FROM bundle_items bi WHERE bi.run_id = b.run_id AND bi.bundle_id = b.id AND bi.sku = ?)
                        OR b.id IN (SELECT bi.bundle_id FROM bundle_items bi WHERE bi.sku IS NULL AND (bi.run_id, bi.variant_id) IN (${otherKeysSql('variant_id', runsInView)})))`);
      params.push(sku, scope, sku, scope, sku);
    }
    if (filter?.containsVariantId) {
      // Another object's gid names no variant: no bundle contains it.
      const variantId = variantIdOf(filter.containsVariantId) ?? '';
      conditions.push(`(EXISTS (SELECT 1 FROM bundle_items bi WHERE bi.run_id = b.run_id AND bi.bundle_id = b.id AND bi.variant_id = ?)
                        OR b.id IN (SELECT bi.bundle_id FROM bundle_items bi WHERE bi.variant_id IS NULL AND (bi.run_id, bi.sku) IN (${otherKeysSql('sku', runsInView)})))`);
      params.push(variantId, scope, variantId, scope, variantId);
    }
    const rows: Record<string, unknown>[] = await this.em.getConnection().execute(
      `SELECT b.*, ${sort.column}::text AS sort_value FROM bundles b
        WHERE ${conditions.join(' AND ')} AND ${keyset.where}
        ORDER BY ${keyset.orderBy} LIMIT ?`,
      [...params, ...keyset.params, keyset.limit],
    );
    return rows.map((row) => ({ bundle: this.em.map(Bundle, row), cursor: [sortKey, String(row.sort_value), Number(row.id)] as CursorValues }));
  }
}

/**
 * The ids of the drafts' existing bundles, by the drafts' keys: the bundle under the draft's key, else the one under
 * its former key (see keyBySku) when no draft has that key and no other draft claimed it first.
 */
function existingIds(drafts: BundleDraft[], found: { id: string; key: string }[], formerKeys: Map<string, string>): Map<string, string> {
  const idByKey = new Map(found.map((row) => [row.key, String(row.id)]));
  const idOf = new Map<string, string>();
  const claimed = new Set<string>(drafts.map((d) => d.key!));
  for (const draft of drafts) {
    const id = idByKey.get(draft.key!);
    if (id !== undefined) idOf.set(draft.key!, id);
  }
  for (const draft of drafts) {
    const former = formerKeys.get(draft.key!);
    if (idOf.has(draft.key!) || former === undefined || claimed.has(former) || !idByKey.has(former)) continue;
    claimed.add(former);
    idOf.set(draft.key!, idByKey.get(former)!);
  }
  return idOf;
}
