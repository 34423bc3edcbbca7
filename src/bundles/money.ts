/**
 * Exact money arithmetic on decimal strings. Amounts are held as BigInt ten-thousandths (the scale of the
 * numeric(18,4) price columns) and rounded half away from zero to cents only when shown.
 */
const SCALE = 10_000n;

export function parseAmount(value: string): bigint {
  const match = /^(-?)(\d+)(?:\.(\d{1,4})\d*)?$/.exec(value.trim());
  if (!match) throw new RangeError(`not a decimal amount: ${value}`);
  const [, sign, whole, fraction = ''] = match;
  const units = BigInt(whole) * SCALE + BigInt(fraction.padEnd(4, '0'));
  return sign ? -units : units;
}

/** The amount rounded to cents, as a string with two decimals. */
export function formatAmount(units: bigint): string {
  const negative = units < 0n;
  const absolute = negative ? -units : units;
  const cents = (absolute + 50n) / 100n;
  const text = `${cents / 100n}.${String(cents % 100n).padStart(2, '0')}`;
  return negative && cents !== 0n ? `-${text}` : text;
}

/** `units * percentage / 100`, with the percentage a decimal string such as "12.5". */
export function percentageOf(units: bigint, percentage: string): bigint {
  const basisPoints = parseAmount(percentage); // percentage in ten-thousandths
  const numerator = units * basisPoints;
  const denominator = 100n * SCALE;
  return (numerator + denominator / 2n) / denominator;
}
