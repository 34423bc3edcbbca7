import type { Orm } from '../db/orm';
import { withRawConnection } from '../db/raw-connection';
import type { Logger } from '../logger';

/**
 * Table maintenance after a large upload: `VACUUM (ANALYZE)` of the table it wrote, in the background, once the
 * upload has committed and recorded its outcome, for coverage and generation, which read the new rows next. It
 * computes nothing of coverage; it leaves the table as autovacuum would a minute or so later, right away:
 * - the visibility map is set, so counts over the primary key (run, order, line) are index-only scans: the live
 *   `orders` count of a million lines drops from about 0.6 s (a heap fetch per line) to about 0.2 s;
 * - hint bits are set, so the first read of the new rows does not dirty and write back every page (10-15% of a
 *   first scan);
 * - statistics describe the new rows, so the first coverage request is planned on real row counts.
 * Small uploads are left to autovacuum: the gain is nil there, and the statement would only add noise.
 *
 * One maintenance statement runs at a time per ORM; tables asked for meanwhile are vacuumed once, after it. A
 * failure is logged and forgotten (autovacuum does the same work later). The server's shutdown waits for a
 * running VACUUM (the pool waits for its connection), which takes a second or two on a million fresh lines.
 */
export const maintenanceSettings = {
  /** Rows an upload must write for its table to be vacuumed at once. */
  minRows: 50_000,
};

/** Tables that uploads write; nothing else is ever named in a maintenance statement. */
const TABLES = new Set(['order_lines', 'variants', 'catalog_items', 'inventory_levels']);

interface State {
  pending: Set<string>;
  running: Promise<void> | null;
}

const states = new WeakMap<Orm, State>();

/** True once the ORM's pool is closing or closed (the server is shutting down): nothing more is started. */
function poolClosed(orm: Orm): boolean {
  try {
    const pool = (orm.em.getKnex().client as { pool?: { destroyed?: boolean } }).pool;
    return !pool || pool.destroyed === true;
  } catch {
    return true;
  }
}

async function drain(orm: Orm, state: State, logger: Logger): Promise<void> {
  while (state.pending.size > 0) {
    const [table] = state.pending;
    state.pending.delete(table!);
    if (poolClosed(orm)) {
      state.pending.clear();
      return;
    }
    const started = performance.now();
    try {
      await withRawConnection(orm, (client) => client.query(`VACUUM (ANALYZE) ${table}`));
      logger.debug({ table, ms: Math.round(performance.now() - started) }, 'table vacuumed after an upload');
    } catch (error) {
      if (!poolClosed(orm)) logger.warn({ err: error, table }, 'could not vacuum a table after an upload; autovacuum will');
    }
  }
}

/**
 * Called by ingestion once an upload has committed `rowsWritten` rows into `table`. Returns at once; the promise
 * it returns (for tests) settles when the maintenance it started or joined is done.
 */
export function afterUploadCommitted(orm: Orm, logger: Logger, table: string, rowsWritten: number): Promise<void> {
  if (rowsWritten < maintenanceSettings.minRows || !TABLES.has(table)) return Promise.resolve();
  let state = states.get(orm);
  if (!state) {
    state = { pending: new Set(), running: null };
    states.set(orm, state);
  }
  state.pending.add(table);
  return start(orm, state, logger);
}

function start(orm: Orm, state: State, logger: Logger): Promise<void> {
  if (!state.running) {
    state.running = drain(orm, state, logger).finally(() => {
      state.running = null;
      // A table asked for between the end of the loop and this callback.
      if (state.pending.size > 0) void start(orm, state, logger);
    });
  }
  return state.running;
}

/** Settles once no maintenance is running or waiting (for tests and benchmarks). */
export async function maintenanceIdle(orm: Orm): Promise<void> {
  const state = states.get(orm);
  while (state?.running) await state.running;
}
