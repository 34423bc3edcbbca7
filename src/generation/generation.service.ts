import type { Client } from 'pg';
import { BundleItemRole } from '../bundles/bundle-item.entity';
import { BundleKind, BundleSource, BundleStatus, type StoredDiscount } from '../bundles/bundle.entity';
import { deriveKey, keyBySku, type BundleDraft, type DraftItem } from '../bundles/bundle-draft';
import { BundleService } from '../bundles/bundle.service';
import { BundleSaveMode } from '../bundles/bundle.types';
import { loadItemFacts, type ItemFacts } from '../bundles/item-catalog';
import { lockKeyOf } from '../db/advisory-locks';
import { textArray } from '../db/arrays';
import type { Orm } from '../db/orm';
import { withRawConnection } from '../db/raw-connection';
import { toGlobalId } from '../graphql/global-id';
import { DomainError, userError, type UserError } from '../graphql/user-error';
import { readinessOf } from '../ingest/readiness';
import { waitAtMost } from '../ingest/upload-recovery';
import { UploadQueries } from '../ingest/upload.service';
import type { Logger } from '../logger';
import { Run } from '../runs/run.entity';
import { RunService } from '../runs/run.service';
import { Shop } from '../shops/shop.entity';
import { draftCopy, type CopyKind } from '../bundles/copy';
import { BundleGeneration, GenerationStatus, GenerationStrategy, type GenerationResult } from './generation.entity';
import { catalogSuggestions, confidenceBound, itemsByNumber, type CatalogSuggestion, mine, revenueWeight, tripleCounts, volumeCandidates, type ItemRow, type Mined, type PairRow } from './mining';
import { discountWithin, fbtObjective, inStock, quantityTiers, signalsOf, stockObjective, tierPercentages, type ItemSignals } from './objectives';
import { resolveSettings, type GenerationSettings, type Objective, type SettingsInput } from './settings';

/** A PROCESSING generation whose heartbeat is older than this belongs to a server that is gone. */
export const GENERATION_STALE_AFTER_MS = 15_000;
const HEARTBEAT_MS = 1000;
/** First key of the session advisory lock that keeps two generations of one run apart (the second is the run's, lockKeyOf). */
const LOCK_CLASS = 0x62_67; // "bg"
/** Candidate triples counted at most, best pairs first. */
const MAX_TRIPLES = 500;
/** Triples are built from the best TRIPLE_SEED_FACTOR x maxBundles passing pairs. */
const TRIPLE_SEED_FACTOR = 2;
/** Score factor of bundles without association evidence (volume): the capped-lift factor of a lift of 1. */
const NO_LIFT = 1 / 5;
/** Reasons that count orders left out rather than candidates (see GenerationReport.dropped). */
const ORDER_REASONS = new Set(['cancelled_orders', 'oversized_orders']);
/**
 * A BUY_X_GET_Y bundle restates an association that also makes a FREQUENTLY_BOUGHT_TOGETHER bundle: it ranks
 * above that one only when its reward is a slow mover, the objective it exists for.
 */
const BXGY_SLOW_REWARD = 1.1;
const BXGY_OTHER_REWARD = 0.9;

export interface GenerationOutcome {
  generation: BundleGeneration;
  failure: UserError | null;
}

/**
 * The bundles of a run that regeneration leaves exactly as they are, and whose keys and ranks it steps around: the
 * merchant's own (MANUAL), pinned ones, and generated ones a merchant approved or archived (Bundle.decidedAt). An
 * approved bundle is an offer on the storefront: a new generation changes neither its price nor its copy, nor
 * removes it when its pattern is no longer found; archiving or deleting it is the merchant's call. The others,
 * drafts and bundles a generation wrote ACTIVE itself, are replaced (the latter only by a generation that
 * publishes: see keptBy).
 */
const KEPT_BY_REGENERATION = "(source = 'MANUAL' OR pinned OR decided_at IS NOT NULL)";

/**
 * What a generation writing bundles of `status` keeps: a generation of drafts also keeps what earlier generations
 * published (ACTIVE), as it is, so that it changes nothing on the storefront; only one that publishes replaces them.
 */
function keptBy(status: BundleStatus): string {
  return status === BundleStatus.ACTIVE ? KEPT_BY_REGENERATION : `(${KEPT_BY_REGENERATION} OR status = 'ACTIVE')`;
}

/** A bundle before ranking: its identity, figures and the item numbers that the per-item cap counts. */
interface Candidate {
  key: string;
  kind: BundleKind;
  items: { row: ItemRow; quantity: number; role: BundleItemRole }[];
  discount: StoredDiscount | null;
  objective: Objective;
  score: number;
  orderCount: number;
  support: number | null;
  confidence: number | null;
  lift: number | null;
  /** An item is tagged for a season: the copy says so. */
  seasonal: boolean;
}

class Tally {
  readonly dropped: Record<string, number> = {};
  add(reason: string, n = 1): void {
    if (n > 0) this.dropped[reason] = (this.dropped[reason] ?? 0) + n;
  }
}

function round(value: number, digits = 6): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

function draftItem(row: ItemRow, quantity: number, role: BundleItemRole): DraftItem {
  return { sku: row.sku, variantId: row.variantId, quantity, role };
}

function nameOf(row: ItemRow): string {
  return row.title ?? row.sku ?? row.item.slice(2);
}

/**
 * Orchestrates one generation: readiness, the per-run lock, the job record and its heartbeat, the mining
 * transaction, drafting in Node, and the save through BundleService (REPLACE of generated, unpinned bundles).
 */
export class GenerationService {
  constructor(
    private readonly orm: Orm,
    private readonly logger: Logger,
  ) {}

  /**
   * Starts a generation of the run. With `wait`, resolves when it is done; without, as soon as it holds the
   * run's lock and has its record (status PROCESSING). A second generation of a running run is refused.
   */
  async generate(shopId: string, runId: string, input: SettingsInput | null | undefined): Promise<GenerationOutcome> {
    const settings = resolveSettings(input);
    const em = this.orm.em.fork();
    await new RunService(em).require(shopId, runId);
    const readiness = readinessOf((await new UploadQueries(em).datasetsOf([runId])).get(runId)!);
    if (!readiness.canGenerateBundles) {
      throw new DomainError(userError('NOT_READY', readiness.message ?? 'The run is not ready for bundle generation.', ['runId']));
    }
    await failInterruptedGenerations(this.orm, this.logger, GENERATION_STALE_AFTER_MS, runId);

    let announce!: (generation: BundleGeneration) => void;
    const started = new Promise<BundleGeneration>((resolve) => (announce = resolve));
    const done = withRawConnection(this.orm, async (client) => {
      const { rows } = await client.query('SELECT pg_try_advisory_lock($1::int, $2::int) AS locked', [LOCK_CLASS, lockKeyOf(runId)]);
      if (!rows[0].locked) throw await this.inProgress(runId);
      try {
        const generation = await this.record(shopId, runId, settings);
        announce(generation);
        const running = track(this.orm, generation.id);
        // Named while it works for this generation, so that a stopping server cancels this connection's statement only
        // then (see stopGenerations).
        await client.query(`SELECT set_config('application_name', $1, false)`, [running.name]);
        try {
          return await this.process(client, generation, settings, running);
        } finally {
          await client.query('RESET application_name').catch(() => undefined);
          running.end();
        }
      } finally {
        await client.query('SELECT pg_advisory_unlock($1::int, $2::int)', [LOCK_CLASS, lockKeyOf(runId)]);
      }
    });
    if (settings.wait) return done;
    const generation = await Promise.race([started, done.then((outcome) => outcome.generation)]);
    done.catch((error) => this.logger.error({ err: error, generation: generation.id }, 'background generation failed'));
    return { generation, failure: null };
  }

  private async inProgress(runId: string): Promise<DomainError> {
    const running = await this.orm.em.fork().findOne(BundleGeneration, { run: runId, status: GenerationStatus.PROCESSING }, { orderBy: { id: 'desc' } });
    const which = running ? ` (${toGlobalId('BundleGeneration', running.id)}, started ${running.startedAt.toISOString()})` : '';
    return new DomainError(
      userError('GENERATION_IN_PROGRESS', `Bundles of this run are being generated already${which}; wait for it to finish, then try again.`, ['runId']),
    );
  }

  private async record(shopId: string, runId: string, settings: GenerationSettings): Promise<BundleGeneration> {
    const em = this.orm.em.fork();
    const now = new Date();
    const generation = em.create(BundleGeneration, {
      shop: em.getReference(Shop, shopId),
      run: em.getReference(Run, runId),
      settings: settings as unknown as Record<string, unknown>,
      startedAt: now,
      heartbeatAt: now,
    });
    await em.flush();
    return generation;
  }

  private async process(client: Client, generation: BundleGeneration, settings: GenerationSettings, running: RunningGeneration): Promise<GenerationOutcome> {
    const started = performance.now();
    const state = { phase: 'queued', ordersConsidered: 0, itemsConsidered: 0, candidatePairs: 0 };
    const timings: Record<string, number> = {};
    let phaseStarted = performance.now();
    const enter = (phase: string) => {
      const now = performance.now();
      timings[state.phase] = Math.round((timings[state.phase] ?? 0) + now - phaseStarted);
      phaseStarted = now;
      state.phase = phase;
    };
    const heartbeat = setInterval(() => {
      void this.orm.em
        .fork()
        .nativeUpdate(BundleGeneration, { id: generation.id, status: GenerationStatus.PROCESSING }, { ...state, heartbeatAt: new Date() })
        .catch((error) => this.logger.warn({ err: error, generation: generation.id }, 'could not record generation progress'));
    }, HEARTBEAT_MS);
    let failure: UserError | null = null;
    let written = 0;
    let result: GenerationResult | null = null;
    try {
      const shopId = generation.shop.id;
      const runId = generation.run.id;
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      let drafted: { candidates: Candidate[]; tally: Tally; mined: Mined; strategy: GenerationStrategy; message: string | null };
      try {
        drafted = await this.draft(client, runId, settings, (phase, counters) => {
          running.checkStop();
          enter(phase);
          Object.assign(state, counters);
        });
      } finally {
        // Nothing is written in this transaction: ending it drops the temporary tables.
        await client.query('ROLLBACK');
      }
      const { candidates, tally, mined, strategy } = drafted;
      enter('ranking');
      const chosen = await this.choose(runId, candidates, settings, tally);
      const ranks = await this.freeRanks(runId, chosen.length, settings.status);
      const drafts: BundleDraft[] = chosen.map((c, i) => ({
        key: c.key,
        kind: c.kind,
        source: BundleSource.GENERATED,
        status: settings.status,
        pinned: false,
        title: null,
        items: c.items.map((item) => draftItem(item.row, item.quantity, item.role)),
        discount: c.discount,
        copy: null,
        objective: c.objective,
        rank: ranks[i]!,
        support: c.support,
        confidence: c.confidence,
        lift: c.lift,
        score: round(c.score),
        orderCount: c.orderCount,
      }));
      this.writeCopy(chosen, drafts, mined.currency);
      running.checkStop();
      enter('saving');
      const saved = await new BundleService(this.orm.em.fork()).save(shopId, runId, drafts, BundleSaveMode.REPLACE,
        settings.status === BundleStatus.ACTIVE ? 'GENERATED_UNDECIDED' : 'GENERATED_UNDECIDED_UNPUBLISHED',
      );
      written = saved.bundles.length;
      const kinds: Record<string, number> = {};
      for (const c of chosen) kinds[c.kind] = (kinds[c.kind] ?? 0) + 1;
      enter('done');
      let message = drafted.message;
      if (written === 0) {
        // Orders left out are counted in orders, not candidates: they explain no candidate's fate, unless nothing
        // else does (every order cancelled).
        const top = (entries: [string, number][]) => entries.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 3).map(([r, n]) => `${r} ${n}`);
        const candidates = top(Object.entries(tally.dropped).filter(([reason]) => !ORDER_REASONS.has(reason)));
        const orders = top(Object.entries(tally.dropped).filter(([reason]) => ORDER_REASONS.has(reason)));
        const why = candidates.length
          ? `; candidates were dropped most often for ${candidates.join(', ')}`
          : orders.length
            ? `; orders were left out: ${orders.join(', ')}`
            : '';
        // Most candidates naming items no catalog or variants file has: the files do not line up (see Run.coverage).
        const unmatched = candidates[0]?.startsWith('unknown_item ')
          ? " Most of the ordered items are in neither the run's catalog nor its variants: upload one whose SKUs or variant ids are the orders' (Run.coverage shows which are missing)."
          : '';
        message = [message, `No bundle was written${why}.${unmatched}`].filter(Boolean).join(' ');
      }
      result = { strategy: written === 0 && strategy !== GenerationStrategy.ASSOCIATION_RULES ? GenerationStrategy.NONE : strategy, message, dropped: tally.dropped, kinds, historyEnd: mined.historyEnd?.toISOString() ?? null, timings };
    } catch (error) {
      if (error instanceof DomainError) {
        failure = error.errors[0]!;
      } else if (running.stopping) {
        failure = userError(INTERRUPTED.code, INTERRUPTED.message);
        this.logger.warn({ generation: generation.id }, 'bundle generation stopped with the server');
      } else {
        failure = userError('GENERATION_FAILED', 'Bundle generation failed on the server; the run\'s bundles were left as they were. Try again.');
        this.logger.error({ err: error, generation: generation.id }, 'bundle generation failed unexpectedly');
      }
    } finally {
      clearInterval(heartbeat);
    }
    const outcome = {
      status: failure ? GenerationStatus.FAILED : GenerationStatus.SUCCEEDED,
      phase: 'done',
      ordersConsidered: state.ordersConsidered,
      itemsConsidered: state.itemsConsidered,
      candidatePairs: state.candidatePairs,
      bundlesWritten: written,
      result,
      errorCode: failure?.code,
      errorMessage: failure?.message,
      finishedAt: new Date(),
      heartbeatAt: new Date(),
      durationMs: Math.round(performance.now() - started),
    };
    Object.assign(generation, outcome);
    await this.orm.em.fork().nativeUpdate(BundleGeneration, { id: generation.id }, outcome);
    this.logger.info(
      { generation: generation.id, run: generation.run.id, status: generation.status, strategy: result?.strategy, orders: state.ordersConsidered, pairs: state.candidatePairs, written, ms: generation.durationMs },
      'bundle generation finished',
    );
    return { generation, failure };
  }

  /** Mines the run and turns what survives into candidates; inside the mining transaction. */
  private async draft(client: Client, runId: string, settings: GenerationSettings, progress: Parameters<typeof mine>[3]) {
    const mined = await mine(client, runId, settings, progress);
    const tally = new Tally();
    for (const [reason, n] of Object.entries(mined.dropped)) tally.add(reason, n);
    progress('volume');
    let strategy = GenerationStrategy.ASSOCIATION_RULES;
    let message: string | null = null;
    const candidates: Candidate[] = [];

    if (mined.multiItemOrders < settings.minMultiItemOrders) {
      // Lines that name neither a SKU nor a variant id (a shop without SKUs, custom items) are no item: say so, or
      // "0 of 0 orders" reads as an empty history. Counted only here, on the way to a fallback.
      const { rows: [lines] } = await client.query(
        `SELECT count(*)::int AS all_lines, (count(*) FILTER (WHERE variant_id IS NULL AND sku IS NULL))::int AS itemless
           FROM order_lines WHERE run_id = $1`,
        [runId],
      );
      const itemless =
        lines.itemless > 0
          ? ` ${lines.itemless} of the run's ${lines.all_lines} order lines name neither a SKU nor a variant id, so they match no item: give the products SKUs (Shopify: Variant SKU) and export the orders again.`
          : '';
      message = `Only ${mined.multiItemOrders} of ${mined.ordersConsidered} orders hold two or more items (association rules need ${settings.minMultiItemOrders}),`;
      const volume = await volumeCandidates(client, settings, true);
      const facts = await this.factsOf(runId, volume.map((v) => v.item));
      for (const { item, quantities } of volume) {
        const candidate = this.volumeCandidate(item, quantities, facts.get(item.no)!, mined, settings, tally);
        if (candidate) candidates.push(candidate);
      }
      if (candidates.length) {
        strategy = GenerationStrategy.FALLBACK_BEST_SELLERS;
        message += ' so volume bundles are suggested on the best sellers instead.' + itemless;
      } else {
        strategy = GenerationStrategy.FALLBACK_CATALOG;
        message += ' and no best seller qualifies for a volume bundle, so items of the same product type are suggested from the catalog alone.' + itemless;
        candidates.push(...(await this.catalogCandidates(client, runId, settings)));
      }
      return { candidates, tally, mined, strategy, message };
    }

    const numbers = new Set<number>();
    for (const p of mined.pairs) numbers.add(p.a).add(p.b);
    const volume = await volumeCandidates(client, settings, false);
    const rows = await itemsByNumber(client, [...numbers]);
    for (const v of volume) rows.set(v.item.no, v.item);
    progress('stock');
    const facts = await this.factsOf(runId, [...rows.values()]);
    progress('triples');
    const signals = new Map<number, ItemSignals>([...rows.values()].map((row) => [row.no, signalsOf(row, facts.get(row.no), mined.historyEnd, settings)]));

    for (const pair of mined.pairs) candidates.push(this.pairCandidate(pair, rows, signals, settings));
    if (settings.triples) candidates.push(...(await this.tripleCandidates(client, mined, rows, signals, settings, tally)));
    progress('drafting');
    candidates.push(...this.bxgyCandidates(mined.pairs, rows, signals, settings));
    for (const { item, quantities } of volume) {
      const candidate = this.volumeCandidate(item, quantities, facts.get(item.no)!, mined, settings, tally);
      if (candidate) candidates.push(candidate);
    }
    return { candidates, tally, mined, strategy, message };
  }

  private async factsOf(runId: string, rows: ItemRow[]): Promise<Map<number, ItemFacts>> {
    const facts = rows.length ? await loadItemFacts(this.orm.em.fork(), rows.map((row) => ({ runId, sku: row.sku, variantId: row.variantId }))) : [];
    return new Map(rows.map((row, i) => [row.no, facts[i]]));
  }

  /** `figures.evidence`: the confidence the score counts on (see confidenceBound). */
  private fbt(
    items: ItemRow[],
    signals: ItemSignals[],
    figures: { support: number; confidence: number; evidence: number; lift: number; orderCount: number },
    settings: GenerationSettings,
  ): Candidate {
    const objective = fbtObjective(signals, settings);
    const percentage = discountWithin(settings.discountCaps[objective], figures.confidence / 0.5);
    const total = items.reduce((sum, item) => sum + Number(item.price ?? 0), 0);
    const draftItems = items.map((row) => ({ row, quantity: 1, role: BundleItemRole.ITEM }));
    return {
      key: deriveKey(BundleKind.FREQUENTLY_BOUGHT_TOGETHER, draftItems.map((i) => draftItem(i.row, i.quantity, i.role))),
      kind: BundleKind.FREQUENTLY_BOUGHT_TOGETHER,
      items: draftItems,
      discount: percentage > 0 ? { type: 'PERCENTAGE', value: String(percentage) } : null,
      objective,
      score: figures.evidence * (Math.min(figures.lift, 5) / 5) * revenueWeight(total),
      orderCount: figures.orderCount,
      support: round(figures.support),
      confidence: round(figures.confidence),
      lift: round(figures.lift),
      seasonal: signals.some((s) => s.seasonal),
    };
  }

  private pairCandidate(pair: PairRow, rows: Map<number, ItemRow>, signals: Map<number, ItemSignals>, settings: GenerationSettings): Candidate {
    const a = rows.get(pair.a)!;
    const b = rows.get(pair.b)!;
    const candidate = this.fbt([a, b], [signals.get(a.no)!, signals.get(b.no)!], {
      support: pair.support,
      confidence: Math.max(pair.confidenceAb, pair.confidenceBa),
      evidence: pair.evidence,
      lift: pair.lift,
      orderCount: pair.nAb,
    }, settings);
    // The score SQL ranked the pair by when choosing which pairs to fetch (the same formula), so that floating-point
    // rounding cannot reorder what was fetched.
    candidate.score = pair.score;
    return candidate;
  }

  /** Three items whose every pair passed, counted in SQL; they pass when the triple reaches minCoOrders. */
  private async tripleCandidates(client: Client, mined: Mined, rows: Map<number, ItemRow>, signals: Map<number, ItemSignals>, settings: GenerationSettings, tally: Tally): Promise<Candidate[]> {
    const passing = new Map<string, PairRow>(mined.pairs.map((p) => [`${p.a},${p.b}`, p]));
    // Triples are sought among the best pairs only: a triple is never stronger than its weakest pair's evidence,
    // and counting triples of the long tail would cost more than the rest of the drafting.
    const seeds = mined.pairs.slice(0, TRIPLE_SEED_FACTOR * settings.maxBundles);
    const neighbours = new Map<number, number[]>();
    for (const p of seeds) {
      if (!neighbours.has(p.a)) neighbours.set(p.a, []);
      neighbours.get(p.a)!.push(p.b);
    }
    const found: { triple: [number, number, number]; strength: number }[] = [];
    for (const p of seeds) {
      for (const c of neighbours.get(p.b) ?? []) {
        const ac = passing.get(`${p.a},${c}`);
        if (!ac) continue;
        const bc = passing.get(`${p.b},${c}`)!;
        found.push({ triple: [p.a, p.b, c], strength: Math.min(p.score, ac.score, bc.score) });
      }
    }
    found.sort((x, y) => y.strength - x.strength || x.triple.join(',').localeCompare(y.triple.join(',')));
    if (found.length > MAX_TRIPLES) tally.add('over_total_cap', found.length - MAX_TRIPLES);
    const triples = found.slice(0, MAX_TRIPLES).map((f) => f.triple);
    const counts = await tripleCounts(client, triples);
    const out: Candidate[] = [];
    for (const [a, b, c] of triples) {
      const n = counts.get(`${a},${b},${c}`) ?? 0;
      if (n < settings.minCoOrders) {
        tally.add('triple_below_min_co_orders');
        continue;
      }
      const pairCount = (x: number, y: number) => passing.get(`${Math.min(x, y)},${Math.max(x, y)}`)!.nAb;
      const [ra, rb, rc] = [rows.get(a)!, rows.get(b)!, rows.get(c)!];
      const N = mined.pairOrders;
      // The weakest of the three rules "two of them -> the third": a strong pair plus an item seen with it a
      // few times is a pair, not a triple.
      const largestPair = Math.max(pairCount(a, b), pairCount(a, c), pairCount(b, c));
      const confidence = n / largestPair;
      const lift = (n * N * N) / (ra.assocOrders * rb.assocOrders * rc.assocOrders);
      // Each item must add to the other two: the lift of the third given each pair. A strong pair's lift carries a
      // triple whose third item goes with it by chance (lift about 1 given the pair) past the triple's own lift.
      const added = Math.min(
        (n * N) / (pairCount(a, b) * rc.assocOrders),
        (n * N) / (pairCount(a, c) * rb.assocOrders),
        (n * N) / (pairCount(b, c) * ra.assocOrders),
      );
      if (lift < settings.minLift || added < settings.minLift) {
        tally.add('triple_below_min_lift');
        continue;
      }
      if (confidence < settings.minConfidence) {
        tally.add('triple_below_min_confidence');
        continue;
      }
      out.push(this.fbt([ra, rb, rc], [signals.get(a)!, signals.get(b)!, signals.get(c)!], { support: n / N, confidence, evidence: confidenceBound(n, largestPair), lift, orderCount: n }, settings));
    }
    return out;
  }

  /**
   * A trigger with the reward that most follows it: confidence(reward | trigger) at least bxgyMinConfidence,
   * reward cheaper than the trigger and in stock; slow-moving rewards first, then the most confident. One per
   * trigger.
   */
  private bxgyCandidates(pairs: PairRow[], rows: Map<number, ItemRow>, signals: Map<number, ItemSignals>, settings: GenerationSettings): Candidate[] {
    const best = new Map<number, { reward: number; pair: PairRow; confidence: number }>();
    for (const pair of pairs) {
      for (const [trigger, reward, confidence] of [[pair.a, pair.b, pair.confidenceAb], [pair.b, pair.a, pair.confidenceBa]] as const) {
        const t = rows.get(trigger)!;
        const r = rows.get(reward)!;
        if (confidence < settings.bxgyMinConfidence || r.price === null || t.price === null || Number(r.price) >= Number(t.price)) continue;
        if (!inStock(signals.get(reward)!)) continue;
        const current = best.get(trigger);
        const better = (x: { reward: number; confidence: number }, y: { reward: number; confidence: number }) => {
          const sx = signals.get(x.reward)!.slowMover ? 1 : 0;
          const sy = signals.get(y.reward)!.slowMover ? 1 : 0;
          return sx !== sy ? sx > sy : x.confidence !== y.confidence ? x.confidence > y.confidence : x.reward < y.reward;
        };
        const offer = { reward, pair, confidence };
        if (!current || better(offer, current)) best.set(trigger, offer);
      }
    }
    const out: Candidate[] = [];
    for (const [trigger, { reward, pair, confidence }] of [...best.entries()].sort((x, y) => x[0] - y[0])) {
      const t = rows.get(trigger)!;
      const r = rows.get(reward)!;
      const objective = stockObjective(signals.get(reward)!);
      const percentage = Math.max(1, discountWithin(settings.discountCaps[objective], confidence));
      const items = [
        { row: t, quantity: 1, role: BundleItemRole.BUY },
        { row: r, quantity: 1, role: BundleItemRole.GET },
      ];
      out.push({
        key: deriveKey(BundleKind.BUY_X_GET_Y, items.map((i) => draftItem(i.row, i.quantity, i.role))),
        kind: BundleKind.BUY_X_GET_Y,
        items,
        discount: { type: 'PERCENTAGE', value: String(percentage) },
        objective,
        score:
          confidenceBound(pair.nAb, t.assocOrders) * (Math.min(pair.lift, 5) / 5) * revenueWeight(Number(t.price) + Number(r.price)) *
          (signals.get(reward)!.slowMover ? BXGY_SLOW_REWARD : BXGY_OTHER_REWARD),
        orderCount: pair.nAb,
        support: round(pair.support),
        confidence: round(confidence),
        lift: round(pair.lift),
        seasonal: signals.get(trigger)!.seasonal || signals.get(reward)!.seasonal,
      });
    }
    return out;
  }

  private volumeCandidate(item: ItemRow, quantities: number[], facts: ItemFacts | undefined, mined: Mined, settings: GenerationSettings, tally: Tally): Candidate | null {
    const signals = signalsOf(item, facts, mined.historyEnd, settings);
    const tiers = quantityTiers(quantities, signals);
    if (tiers.length === 0) {
      tally.add('insufficient_stock');
      return null;
    }
    const objective = stockObjective(signals);
    const percentages = tierPercentages(settings.discountCaps[objective], tiers.length);
    const share = item.lines > 0 ? item.multiLines / item.lines : 0;
    const items = [{ row: item, quantity: tiers[0], role: BundleItemRole.ITEM }];
    return {
      key: deriveKey(BundleKind.VOLUME_DISCOUNT, items.map((i) => draftItem(i.row, i.quantity, i.role))),
      kind: BundleKind.VOLUME_DISCOUNT,
      items,
      discount: { type: 'QUANTITY_TIERS', tiers: tiers.map((minQuantity, i) => ({ minQuantity, percentage: String(percentages[i]) })) },
      objective,
      score: share * NO_LIFT * revenueWeight(Number(item.price ?? 0) * tiers[0]),
      orderCount: item.multiLines,
      support: round(item.orders / Math.max(1, mined.ordersConsidered)),
      confidence: round(share),
      lift: null,
      seasonal: signals.seasonal,
    };
  }

  private async catalogCandidates(client: Client, runId: string, settings: GenerationSettings): Promise<Candidate[]> {
    const types = await catalogSuggestions(client, runId, settings);
    const facts = await loadItemFacts(this.orm.em.fork(), types.flatMap((t) => t.items.map((item) => ({ runId, sku: item.sku, variantId: item.variantId }))));
    let at = 0;
    const suggestions: CatalogSuggestion[] = [];
    for (const type of types) {
      const own = facts.slice(at, (at += type.items.length));
      // Sold out only when the stock says so: an item without stock figures is offered, as on the storefront.
      const offered = type.items.filter((_, n) => !own[n]!.limitsStock || own[n]!.available === null || own[n]!.available! > 0).slice(0, 2);
      if (offered.length === 2) suggestions.push({ productType: type.productType, items: offered });
    }
    suggestions.sort((a, b) => Number(b.items[0]!.price) + Number(b.items[1]!.price) - Number(a.items[0]!.price) - Number(a.items[1]!.price));
    return suggestions.slice(0, settings.fallbackBundles).map((s, i) => {
      const rows: ItemRow[] = s.items.map((item, n) => ({
        no: -(i * 2 + n + 1),
        item: item.variantId ? `v:${item.variantId}` : `s:${item.sku}`,
        sku: item.sku,
        variantId: item.variantId,
        productId: item.productId,
        title: item.title || null,
        price: item.price,
        compareAtPrice: null,
        status: 'active',
        tags: null,
        productCreatedAt: null,
        orders: 0,
        assocOrders: 0,
        lines: 0,
        multiLines: 0,
        units: 0,
        recentUnits: 0,
        excluded: null,
      }));
      const cap = settings.discountCaps.increase_aov;
      const items = rows.map((row) => ({ row, quantity: 1, role: BundleItemRole.ITEM }));
      const total = rows.reduce((sum, row) => sum + Number(row.price), 0);
      return {
        key: deriveKey(BundleKind.FREQUENTLY_BOUGHT_TOGETHER, items.map((x) => draftItem(x.row, x.quantity, x.role))),
        kind: BundleKind.FREQUENTLY_BOUGHT_TOGETHER,
        items,
        discount: { type: 'PERCENTAGE', value: String(cap.min) },
        objective: 'increase_aov' as Objective,
        score: NO_LIFT * 0.01 * revenueWeight(total),
        orderCount: 0,
        support: null,
        confidence: null,
        lift: null,
        seasonal: false,
      } satisfies Candidate;
    });
  }

  /**
   * The first `count` ranks from 1 that no bundle kept by regeneration holds, so that the run's ranks stay distinct:
   * a merchant's bundle pinned at rank 1 stays first, and generated ones follow around it.
   */
  private async freeRanks(runId: string, count: number, status: BundleStatus): Promise<number[]> {
    const rows: { rank: number }[] = await this.orm.em.fork().getConnection().execute(
      `SELECT DISTINCT rank FROM bundles WHERE run_id = ? AND ${keptBy(status)} AND rank IS NOT NULL`,
      [runId],
    );
    const taken = new Set(rows.map((row) => Number(row.rank)));
    const ranks: number[] = [];
    for (let rank = 1; ranks.length < count; rank++) if (!taken.has(rank)) ranks.push(rank);
    return ranks;
  }

  /**
   * Ranks every candidate by score, then co-order count (both descending), then key; skips those whose key is a
   * bundle of the run that regeneration leaves as it is (MANUAL, pinned, or decided: see KEPT_BY_REGENERATION), and
   * those with an item already in maxBundlesPerItem bundles (the ACTIVE kept bundles count: they are on the
   * storefront too); keeps maxBundles.
   */
  private async choose(runId: string, candidates: Candidate[], settings: GenerationSettings, tally: Tally): Promise<Candidate[]> {
    const unique = new Map<string, Candidate>();
    for (const c of candidates) if (!unique.has(c.key)) unique.set(c.key, c);
    const ranked = [...unique.values()].sort((x, y) => y.score - x.score || y.orderCount - x.orderCount || (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
    const protectedKeys = new Map<string, string>();
    // A bundle kept under the key its items had before the run knew their variant ids is the same bundle (keyBySku).
    const formerKeys = new Map<Candidate, string>();
    for (const c of ranked) {
      const former = keyBySku(c.kind, c.items.map((i) => draftItem(i.row, i.quantity, i.role)));
      if (former) formerKeys.set(c, former);
    }
    if (ranked.length) {
      const rows: { key: string; source: string; pinned: boolean; status: string }[] = await this.orm.em.fork().getConnection().execute(
        `SELECT key, source, pinned, status FROM bundles WHERE run_id = ? AND ${keptBy(settings.status)} AND key = ANY(?::text[])`,
        [runId, textArray([...ranked.map((c) => c.key), ...formerKeys.values()])],
      );
      for (const row of rows) {
        const reason = row.source === 'MANUAL' ? 'manual' : row.pinned ? 'pinned' : row.status.toLowerCase();
        protectedKeys.set(row.key, `${reason}_bundle_exists`);
      }
    }
    const perItem = new Map<string, number>();
    const kept: { item: string }[] = await this.orm.em.fork().getConnection().execute(
      `SELECT CASE WHEN bi.variant_id IS NOT NULL THEN 'v:' || bi.variant_id ELSE 's:' || bi.sku END AS item
         FROM bundles b JOIN bundle_items bi ON bi.bundle_id = b.id
        WHERE b.run_id = ? AND b.status = 'ACTIVE' AND ${keptBy(settings.status)}`,
      [runId],
    );
    for (const { item } of kept) perItem.set(item, (perItem.get(item) ?? 0) + 1);
    // An item's bundles saved before the run knew its variant id count under its SKU.
    const bundlesOf = (row: ItemRow) => (perItem.get(row.item) ?? 0) + (row.variantId && row.sku ? (perItem.get(`s:${row.sku}`) ?? 0) : 0);
    const chosen: Candidate[] = [];
    for (const c of ranked) {
      const former = formerKeys.get(c);
      const reason = protectedKeys.get(c.key) ?? (former === undefined ? undefined : protectedKeys.get(former));
      if (reason) {
        tally.add(reason);
        continue;
      }
      if (c.items.some((i) => bundlesOf(i.row) >= settings.maxBundlesPerItem)) {
        tally.add('over_item_cap');
        continue;
      }
      if (chosen.length >= settings.maxBundles) {
        tally.add('over_total_cap');
        continue;
      }
      chosen.push(c);
      for (const i of c.items) perItem.set(i.row.item, (perItem.get(i.row.item) ?? 0) + 1);
    }
    return chosen;
  }

  private writeCopy(chosen: Candidate[], drafts: BundleDraft[], currency: string | null): void {
    chosen.forEach((c, i) => {
      const copy = draftCopy({
        kind: c.kind as CopyKind,
        objective: c.objective,
        names: c.items.map((item) => nameOf(item.row)),
        discount: c.discount,
        currency,
        seasonal: c.seasonal,
        observed: c.orderCount > 0,
      });
      drafts[i].copy = copy;
      drafts[i].title = copy.title ?? null;
    });
  }
}

/**
 * Marks generations left PROCESSING by a server that died as FAILED (INTERRUPTED); their bundles were never
 * saved. Runs at start, and before each generation for its run, since only a stopped heartbeat tells a dead
 * server from a live one sharing the database.
 */
export async function failInterruptedGenerations(orm: Orm, logger: Logger, staleAfterMs = GENERATION_STALE_AFTER_MS, runId?: string): Promise<number> {
  const cutoff = new Date(Date.now() - staleAfterMs);
  const count = await orm.em.fork().nativeUpdate(
    BundleGeneration,
    { status: GenerationStatus.PROCESSING, heartbeatAt: { $lt: cutoff }, ...(runId ? { run: runId } : {}) },
    {
      status: GenerationStatus.FAILED,
      phase: 'done',
      errorCode: INTERRUPTED.code,
      errorMessage: INTERRUPTED.message,
      finishedAt: new Date(),
    },
  );
  if (count) logger.warn({ count }, 'marked interrupted bundle generations as failed');
  return count;
}

const INTERRUPTED = { code: 'INTERRUPTED', message: 'The server stopped, or lost its database, while bundles were being generated; nothing was saved. Generate again.' };

class GenerationStopped extends Error {
  constructor() {
    super('the server is stopping');
  }
}

/** A generation this process runs: named for its mining connection, told to stop between statements. */
class RunningGeneration {
  stopping = false;
  readonly ended: Promise<void>;
  end!: () => void;

  constructor(readonly name: string) {
    this.ended = new Promise<void>((resolve) => (this.end = resolve));
  }

  checkStop(): void {
    if (this.stopping) throw new GenerationStopped();
  }
}

/** The generations this process runs, per database. */
const running = new WeakMap<Orm, Map<string, RunningGeneration>>();

function track(orm: Orm, generationId: string): RunningGeneration {
  let generations = running.get(orm);
  if (!generations) running.set(orm, (generations = new Map()));
  const generation = new RunningGeneration(`bundlegraph generation ${generationId}`);
  generations.set(generationId, generation);
  void generation.ended.then(() => generations.delete(generationId));
  return generation;
}

/**
 * For a stopping server (markStopping first), once its requests are drained: tells the generations it runs to stop
 * (those started without `wait` outlive their request) before their next statement and before they save, cancels the
 * statement their mining connection is running, waits up to `waitMs` for them to record their end, and marks FAILED
 * (INTERRUPTED) those that could not, before the database closes. One already saving its bundles finishes.
 */
export async function stopGenerations(orm: Orm, logger: Logger, waitMs = 10_000): Promise<void> {
  const generations = running.get(orm);
  if (!generations?.size) return;
  for (const generation of generations.values()) generation.stopping = true;
  await orm.em
    .fork()
    .getConnection()
    .execute(`SELECT count(pg_cancel_backend(pid)) FROM pg_stat_activity WHERE state = 'active' AND application_name = ANY(?::text[])`, [
      textArray([...generations.values()].map((g) => g.name)),
    ])
    .catch((error) => logger.warn({ err: error }, 'could not cancel the generations in progress'));
  await waitAtMost([...generations.values()].map((g) => g.ended), waitMs);
  if (generations.size === 0) return;
  const count = await orm.em
    .fork()
    .nativeUpdate(
      BundleGeneration,
      { id: { $in: [...generations.keys()] }, status: GenerationStatus.PROCESSING },
      { status: GenerationStatus.FAILED, phase: 'done', errorCode: INTERRUPTED.code, errorMessage: INTERRUPTED.message, finishedAt: new Date() },
    );
  logger.warn({ count }, 'stopped with bundle generations in progress, marked as failed');
}
