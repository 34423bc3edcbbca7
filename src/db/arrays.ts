/**
 * PostgreSQL array literals for `?::text[]` and `?::bigint[]` parameters: MikroORM's `execute` spreads a JS array
 * into a list of parameters, so arrays travel as one literal string instead.
 */
export function textArray(values: readonly (string | null)[]): string {
  return `{${values.map((v) => (v === null ? 'NULL' : `"${v.replace(/(["\\])/g, '\\$1')}"`)).join(',')}}`;
}

export function bigintArray(values: readonly (string | number)[]): string {
  return `{${values.map((v) => String(BigInt(v))).join(',')}}`;
}
