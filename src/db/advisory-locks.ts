/**
 * A row id (a bigint, as text) as the second key of a two-key PostgreSQL advisory lock, which is an int4. Ids past
 * 2^31 wrap: two runs may then share a key and take turns needlessly, never run together wrongly.
 */
export function lockKeyOf(id: string): number {
  return Number(BigInt(id) % 2147483648n);
}
