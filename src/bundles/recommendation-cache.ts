import type { CacheDependency } from '../graphql/response-cache';

/**
 * Answers of the storefront path, kept briefly: storefronts ask for the same popular items over and over, and an
 * answer only changes when the shop's bundles, catalog or stock change. Writes through this process drop the
 * shop's answers at once (a new generation); another process sharing the database sees a change within
 * FRESH_MS (plus its spread) + STALE_MS. Concurrent requests for one answer share one computation, and an answer past its freshness
 * is served once more while it is recomputed, so that expiry never makes a storefront wait.
 *
 * Each answer is also a CacheDependency: a whole response built from answers is served again for exactly as long
 * as every one of them would be.
 */
const FRESH_MS = 5_000;
const STALE_MS = 5_000;
const MAX_ENTRIES = 50_000;

/**
 * Freshness with a little spread, so that answers computed together (a burst of traffic after a deploy or a
 * write) do not all fall due in the same instant.
 */
function freshUntil(): number {
  return Date.now() + FRESH_MS * (0.8 + 0.4 * Math.random());
}

/** An answer as comparable text; none for an answer that cannot be serialised, which is then never deemed unchanged. */
function fingerprintOf(answer: unknown): string | undefined {
  try {
    return JSON.stringify(answer);
  } catch {
    return undefined;
  }
}

class Entry implements CacheDependency {
  expires = freshUntil();
  refreshing = false;
  /** The answer serialised once computed: a refresh giving the same answer extends this entry instead of replacing it. */
  private fingerprint?: string;

  constructor(
    readonly key: string,
    readonly shopId: string,
    readonly generation: number,
    readonly value: Promise<unknown>,
    private readonly compute: () => Promise<unknown>,
  ) {
    value.then((answer) => (this.fingerprint = fingerprintOf(answer)), () => undefined);
  }

  /** Whether this is still the answer `rememberRecommendation` would give; past its freshness, starts its refresh. */
  isValid(): boolean {
    if (entries.get(this.key) !== this || generationOf(this.shopId) !== this.generation) return false;
    const now = Date.now();
    if (now < this.expires) return true;
    if (now >= this.expires + STALE_MS) return false;
    this.refresh();
    return true;
  }

  refresh(): void {
    if (this.refreshing) return;
    this.refreshing = true;
    const next = this.compute();
    next.then(
      (answer) => {
        if (entries.get(this.key) !== this) return;
        if (this.fingerprint !== undefined && this.fingerprint === fingerprintOf(answer)) {
          // Unchanged: what was built from this entry (whole responses) stays valid.
          this.expires = freshUntil();
          this.refreshing = false;
        } else {
          entries.set(this.key, new Entry(this.key, this.shopId, this.generation, next, this.compute));
        }
      },
      () => (this.refreshing = false),
    );
  }
}

const entries = new Map<string, Entry>();
/** Bumped by every write of a shop: answers of an older generation are never served. */
const generations = new Map<string, number>();

function generationOf(shopId: string): number {
  return generations.get(shopId) ?? 0;
}

function store(key: string, shopId: string, generation: number, compute: () => Promise<unknown>): Entry {
  if (entries.size >= MAX_ENTRIES) entries.clear();
  const entry = new Entry(key, shopId, generation, compute(), compute);
  entries.set(key, entry);
  entry.value.catch(() => {
    if (entries.get(key) === entry) entries.delete(key);
  });
  return entry;
}

/**
 * The answer for `parts` of a shop, computed by `compute` when none is kept. `dependOn` receives the entry the
 * answer comes from, so that a response built from it can be cached for as long as the entry is valid.
 */
export function rememberRecommendation<T>(
  shopId: string,
  parts: readonly unknown[],
  compute: () => Promise<T>,
  dependOn?: (dependency: CacheDependency) => void,
): Promise<T> {
  const generation = generationOf(shopId);
  const key = `${shopId}\u0000${generation}\u0000${JSON.stringify(parts)}`;
  const kept = entries.get(key);
  const entry = kept && kept.isValid() ? kept : store(key, shopId, generation, compute);
  dependOn?.(entry);
  return entry.value as Promise<T>;
}

/** Called after any write that can change a shop's recommendations: its bundles, catalog, variants or stock. */
export function forgetRecommendations(shopId: string): void {
  generations.set(shopId, generationOf(shopId) + 1);
}
