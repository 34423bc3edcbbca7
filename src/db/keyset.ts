import type { CursorValues, PageRequest } from '../graphql/relay';
import { DomainError, userError } from '../graphql/user-error';

/** The SQL type of a sort key column: what a cursor's value must be, checked before it reaches PostgreSQL. */
export type KeyType = 'int' | 'bigint' | 'float8' | 'timestamptz';

export interface KeysetOrder {
  /** SQL expressions of the sort key with their types, the last one unique (the id). */
  columns: { sql: string; type: KeyType }[];
  descending: boolean;
}

const INT_PATTERN = /^-?\d{1,19}$/;
const FLOAT_PATTERN = /^(-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?|-?Infinity|NaN)$/;
/** A timestamptz as PostgreSQL writes it as text: `2026-11-30 10:00:00.123456+00` (offsets may have minutes). */
const TIMESTAMP_PATTERN = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?[+-](\d{2})(:\d{2}){0,2}$/;

function isTimestamp(text: string): boolean {
  const match = TIMESTAMP_PATTERN.exec(text);
  if (!match) return false;
  const [year, month, day, hour, minute, second, , offset] = match.slice(1).map((part) => Number(part?.replace('.', '') ?? 0));
  const daysInMonth = new Date(Date.UTC(year!, month!, 0)).getUTCDate();
  return month! >= 1 && month! <= 12 && day! >= 1 && day! <= daysInMonth && hour! <= 23 && minute! <= 59 && second! <= 59 && offset! <= 15;
}

/** Whether a cursor's value can be compared with a column of `type`: forged cursors are refused, not sent. */
function fitsType(value: unknown, type: KeyType): boolean {
  if (typeof value !== 'string' && typeof value !== 'number') return false;
  const text = String(value);
  switch (type) {
    case 'int':
      return INT_PATTERN.test(text) && Math.abs(Number(text)) <= 2147483647;
    case 'bigint':
      return INT_PATTERN.test(text) && BigInt(text) <= 9223372036854775807n && BigInt(text) >= -9223372036854775808n;
    case 'float8':
      // -Infinity stands for a missing score or lift (see the bundle sorts); nothing sorts as NaN or Infinity.
      return FLOAT_PATTERN.test(text) && (Number.isFinite(Number(text)) || text === '-Infinity');
    case 'timestamptz':
      return isTimestamp(text);
  }
}

export interface KeysetSql {
  /** A condition to AND into the query's WHERE ("true" when there is no cursor). */
  where: string;
  params: unknown[];
  orderBy: string;
  limit: number;
}

/**
 * Keyset pagination over a sort key, compared as a row value so that PostgreSQL can walk one index:
 * rows after a cursor are `(a, b, id) > (?, ?, ?)` in ascending order. Backward pages walk the ordering
 * in reverse and are flipped back by `toConnection`.
 */
export function keysetSql(order: KeysetOrder, request: PageRequest): KeysetSql {
  const tuple = `(${order.columns.map((c) => c.sql).join(', ')})`;
  const placeholders = (values: CursorValues, argument: 'after' | 'before') => {
    if (values.length !== order.columns.length) {
      throw new DomainError(userError('INVALID_CURSOR', 'The cursor belongs to another sort order.', [argument]));
    }
    if (!values.every((value, i) => fitsType(value, order.columns[i]!.type))) {
      throw new DomainError(userError('INVALID_CURSOR', 'The cursor is not one this connection returned.', [argument]));
    }
    return `(${order.columns.map((c) => `?::${c.type}`).join(', ')})`;
  };
  const conditions: string[] = [];
  const params: unknown[] = [];
  if (request.after) {
    conditions.push(`${tuple} ${order.descending ? '<' : '>'} ${placeholders(request.after, 'after')}`);
    params.push(...request.after);
  }
  if (request.before) {
    conditions.push(`${tuple} ${order.descending ? '>' : '<'} ${placeholders(request.before, 'before')}`);
    params.push(...request.before);
  }
  const walkDescending = order.descending !== request.backward;
  return {
    where: conditions.length ? conditions.join(' AND ') : 'true',
    params,
    orderBy: order.columns.map((c) => `${c.sql} ${walkDescending ? 'DESC' : 'ASC'}`).join(', '),
    limit: request.limit + 1,
  };
}
