import type { CursorValues, PageRequest } from '../graphql/relay';
import { DomainError, userError } from '../graphql/user-error';

export interface KeysetOrder {
  /** SQL expressions of the sort key, the last one unique (the id). */
  columns: string[];
  descending: boolean;
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
  const tuple = `(${order.columns.join(', ')})`;
  const placeholders = (values: CursorValues) => {
    if (values.length !== order.columns.length) {
      throw new DomainError(userError('INVALID_CURSOR', 'The cursor belongs to another sort order.'));
    }
    return `(${values.map(() => '?').join(', ')})`;
  };
  const conditions: string[] = [];
  const params: unknown[] = [];
  if (request.after) {
    conditions.push(`${tuple} ${order.descending ? '<' : '>'} ${placeholders(request.after)}`);
    params.push(...request.after);
  }
  if (request.before) {
    conditions.push(`${tuple} ${order.descending ? '>' : '<'} ${placeholders(request.before)}`);
    params.push(...request.before);
  }
  const walkDescending = order.descending !== request.backward;
  return {
    where: conditions.length ? conditions.join(' AND ') : 'true',
    params,
    orderBy: order.columns.map((c) => `${c} ${walkDescending ? 'DESC' : 'ASC'}`).join(', '),
    limit: request.limit + 1,
  };
}
