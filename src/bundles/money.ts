/**
 * Exact money arithmetic on decimal strings. Amounts are held as BigInt ten-thousandths (the scale of the
 * numeric(18,4) price columns) and rounded half away from zero to the currency's minor unit (cents unless told
 * otherwise) only when shown or charged.
 */
const SCALE = 10_000n;

export function parseAmount(value: string): bigint {
  const match = /^(-?)(\d+)(?:\.(\d{1,4})\d*)?$/.exec(value.trim());
  if (!match) throw new RangeError(`not a decimal amount: ${value}`);
  const [, sign, whole, fraction = ''] = match;
  const units = BigInt(whole) * SCALE + BigInt(fraction.padEnd(4, '0'));
  return sign ? -units : units;
}

const digitsOf = new Map<string, number>();

/**
 * Decimals of a currency's minor unit, as money is shown and charged in it: 2 for USD, 0 for JPY, 3 for KWD; 2 when
 * the code is unknown or missing.
 */
export function currencyDigits(currency: string | null): number {
  const code = (currency ?? '').toUpperCase();
  let digits = digitsOf.get(code);
  if (digits === undefined) {
    try {
      digits = Math.min(4, new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions().maximumFractionDigits ?? 2);
    } catch {
      digits = 2;
    }
    digitsOf.set(code, digits);
  }
  return digits;
}

/** The amount rounded, half away from zero, to `digits` decimals (still in ten-thousandths). */
export function roundAmount(units: bigint, digits = 2): bigint {
  const step = 10n ** BigInt(4 - digits);
  const negative = units < 0n;
  const rounded = (((negative ? -units : units) + step / 2n) / step) * step;
  return negative ? -rounded : rounded;
}

/** The amount rounded to `digits` decimals (cents by default), as a string with that many decimals. */
export function formatAmount(units: bigint, digits = 2): string {
  const rounded = roundAmount(units, digits);
  const negative = rounded < 0n;
  const minor = (negative ? -rounded : rounded) / 10n ** BigInt(4 - digits);
  const scale = 10n ** BigInt(digits);
  const text = digits === 0 ? `${minor}` : `${minor / scale}.${String(minor % scale).padStart(digits, '0')}`;
  return negative ? `-${text}` : text;
}

/** `units * percentage / 100`, with the percentage a decimal string such as "12.5". */
export function percentageOf(units: bigint, percentage: string): bigint {
  const basisPoints = parseAmount(percentage); // percentage in ten-thousandths
  const numerator = units * basisPoints;
  const denominator = 100n * SCALE;
  return (numerator + denominator / 2n) / denominator;
}
