import type { CacheDependency } from '../graphql/response-cache';

/**
 * Answers of the storefront path, kept: storefronts ask for the same popular items over and over, and an answer
 * only changes when the shop's bundles, catalog or stock change.
 *
 * - Writes through this process drop the shop's answers at once (a new generation).
 * - Writes through another process sharing the database are found by checking the shop, not each answer: at most
 *   every FRESH_MS, one small read of the shop's data version (see RecommendationSource.readVersion); a new
 *   version drops the shop's answers, an unchanged one keeps them all fresh. While that check runs, answers are
 *   still served, for up to STALE_MS more, so that a check never makes a storefront wait. Another process's
 *   change is thus seen within FRESH_MS + STALE_MS.
 * - Concurrent requests for one answer share one computation.
 *
 * Each answer is also a CacheDependency: a whole response built from answers is served again for exactly as long
 * as every one of them would be.
 */
const FRESH_MS = 5_000;
const STALE_MS = 5_000;
const MAX_ENTRIES = 50_000;

/** How an answer is computed, and how to tell whether the shop's data changed since. */
export interface RecommendationSource<T> {
  compute(): Promise<T>;
  /** A value that changes whenever anything an answer of the shop depends on changes, and never comes back. */
  readVersion(): Promise<string>;
}

interface ShopState {
  /** Bumped by every write through this process and by every new version found: older answers are never served. */
  generation: number;
  /** The data version found by the last check; null before the first. */
  version: string | null;
  /** Until when answers are served without a check. */
  freshUntil: number;
  checking: boolean;
  /** How the check reads the version: the latest source given for the shop. */
  readVersion: () => Promise<string>;
}

const shops = new Map<string, ShopState>();

function shopState(shopId: string, readVersion: () => Promise<string>): ShopState {
  let state = shops.get(shopId);
  // A new shop starts due for its first check, inside the stale allowance: its first answers are served while it runs.
  if (!state) shops.set(shopId, (state = { generation: 0, version: null, freshUntil: Date.now(), checking: false, readVersion }));
  else state.readVersion = readVersion;
  return state;
}

/**
 * When the shop is past its freshness, reads its data version in the background (once at a time); a version other
 * than the last one drops its answers.
 */
function checkWhenDue(state: ShopState): void {
  if (state.checking || Date.now() < state.freshUntil) return;
  state.checking = true;
  state.readVersion().then(
    (version) => {
      // The first check drops too: answers computed before it cannot say which version they were read from.
      if (version !== state.version) state.generation++;
      state.version = version;
      state.freshUntil = Date.now() + FRESH_MS;
      state.checking = false;
    },
    () => (state.checking = false),
  );
}

class Entry implements CacheDependency {
  constructor(
    readonly key: string,
    readonly state: ShopState,
    readonly generation: number,
    readonly value: Promise<unknown>,
  ) {}

  /** Whether this is still the answer `rememberRecommendation` would give; starts the shop's check when it is due. */
  isValid(): boolean {
    if (entries.get(this.key) !== this || this.state.generation !== this.generation) return false;
    const now = Date.now();
    if (now < this.state.freshUntil) return true;
    checkWhenDue(this.state);
    return now < this.state.freshUntil + STALE_MS;
  }
}

const entries = new Map<string, Entry>();

/**
 * The answer for `parts` of a shop, computed by `source` when none is kept. `dependOn` receives the entry the
 * answer comes from, so that a response built from it can be cached for as long as the entry is valid.
 */
export function rememberRecommendation<T>(
  shopId: string,
  parts: readonly unknown[],
  source: RecommendationSource<T>,
  dependOn?: (dependency: CacheDependency) => void,
): Promise<T> {
  const state = shopState(shopId, source.readVersion);
  const key = `${shopId}\u0000${JSON.stringify(parts)}`;
  let entry = entries.get(key);
  if (!entry || !entry.isValid()) {
    checkWhenDue(state);
    if (entries.size >= MAX_ENTRIES) entries.clear();
    const created = new Entry(key, state, state.generation, source.compute());
    created.value.catch(() => {
      if (entries.get(key) === created) entries.delete(key);
    });
    entries.set(key, created);
    entry = created;
  }
  dependOn?.(entry);
  return entry.value as Promise<T>;
}

/** Called after any write that can change a shop's recommendations: its bundles, catalog, variants or stock. */
export function forgetRecommendations(shopId: string): void {
  // A shop without state has no answers: any being computed made its state first.
  const state = shops.get(shopId);
  if (state) state.generation++;
}
