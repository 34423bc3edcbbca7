import { PostgreSqlKnexDialect } from '@mikro-orm/postgresql';

/** The last statement sent on each pg connection, which a knex client and its transactions' clients share. */
const lastStatement = new WeakMap<object, Promise<void>>();
const settled = () => undefined;

/**
 * The PostgreSQL dialect with one change: a statement sent on a connection while another runs there waits for its
 * turn here, and goes as soon as that one is done. Bundle saves rely on it: two units of work share the
 * transaction's connection and send their statements as they are ready, so that one chunk is built while the last
 * one is written. pg's Client has a queue of its own for this, deprecated and removed in pg 9. Streamed queries
 * (knex's `stream()`, unused here) do not go through this queue.
 */
export class SerialStatementsDialect extends PostgreSqlKnexDialect {
  _query(connection: object, query: unknown): Promise<unknown> {
    const statement = (lastStatement.get(connection) ?? Promise.resolve()).then(() => super._query(connection, query));
    // Only its end is kept, not its rows.
    lastStatement.set(connection, statement.then(settled, settled));
    return statement;
  }
}
