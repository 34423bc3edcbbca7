/**
 * Answers of the storefront path, kept for a few seconds: storefronts ask for the same popular items over and
 * over, and the answer only changes when the shop's bundles, catalog or stock change. Writes through this process
 * drop the shop's entries at once; another process sharing the database sees a change within the lifetime.
 */
const LIFETIME_MS = 5_000;
const MAX_ENTRIES = 50_000;

const entries = new Map<string, { expires: number; value: unknown }>();
/** Bumped by every write of a shop: entries of an older generation are never served. */
const generations = new Map<string, number>();

function keyOf(shopId: string, parts: readonly unknown[]): string {
  return `${shopId}\u0000${generations.get(shopId) ?? 0}\u0000${JSON.stringify(parts)}`;
}

export async function rememberRecommendation<T>(shopId: string, parts: readonly unknown[], compute: () => Promise<T>): Promise<T> {
  const key = keyOf(shopId, parts);
  const now = Date.now();
  const hit = entries.get(key);
  if (hit && hit.expires > now) return hit.value as T;
  const value = await compute();
  if (entries.size >= MAX_ENTRIES) entries.clear();
  entries.set(key, { expires: now + LIFETIME_MS, value });
  return value;
}

/** Called after any write that can change a shop's recommendations: its bundles, catalog, variants or stock. */
export function forgetRecommendations(shopId: string): void {
  generations.set(shopId, (generations.get(shopId) ?? 0) + 1);
}
