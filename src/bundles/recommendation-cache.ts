/**
 * Answers of the storefront path, kept briefly: storefronts ask for the same popular items over and over, and an
 * answer only changes when the shop's bundles, catalog or stock change. Writes through this process drop the
 * shop's answers at once (a new generation); another process sharing the database sees a change within
 * FRESH_MS + STALE_MS. Concurrent requests for one answer share one computation, and an answer past its freshness
 * is served once more while it is recomputed, so that expiry never makes a storefront wait.
 */
const FRESH_MS = 5_000;
const STALE_MS = 5_000;
const MAX_ENTRIES = 50_000;

interface Entry {
  value: Promise<unknown>;
  expires: number;
  refreshing: boolean;
}

const entries = new Map<string, Entry>();
/** Bumped by every write of a shop: answers of an older generation are never served. */
const generations = new Map<string, number>();

function store(key: string, compute: () => Promise<unknown>): Entry {
  if (entries.size >= MAX_ENTRIES) entries.clear();
  const entry: Entry = { value: compute(), expires: Date.now() + FRESH_MS, refreshing: false };
  entries.set(key, entry);
  entry.value.catch(() => {
    if (entries.get(key) === entry) entries.delete(key);
  });
  return entry;
}

export function rememberRecommendation<T>(shopId: string, parts: readonly unknown[], compute: () => Promise<T>): Promise<T> {
  const key = `${shopId}\u0000${generations.get(shopId) ?? 0}\u0000${JSON.stringify(parts)}`;
  const now = Date.now();
  const entry = entries.get(key);
  if (entry && now < entry.expires) return entry.value as Promise<T>;
  if (entry && now < entry.expires + STALE_MS) {
    if (!entry.refreshing) {
      entry.refreshing = true;
      const next = compute();
      next.then(
        () => entries.get(key) === entry && entries.set(key, { value: next, expires: Date.now() + FRESH_MS, refreshing: false }),
        () => (entry.refreshing = false),
      );
    }
    return entry.value as Promise<T>;
  }
  return store(key, compute).value as Promise<T>;
}

/** Called after any write that can change a shop's recommendations: its bundles, catalog, variants or stock. */
export function forgetRecommendations(shopId: string): void {
  generations.set(shopId, (generations.get(shopId) ?? 0) + 1);
}
