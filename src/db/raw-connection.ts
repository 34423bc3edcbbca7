import type { Client } from 'pg';
import type { Orm } from './orm';

/**
 * Runs `work` on a pg connection of its own from the ORM's pool, for what the ORM does not do: COPY streams
 * and long set-based transactions. The connection is discarded rather than reused if `work` leaves it broken.
 */
export async function withRawConnection<T>(orm: Orm, work: (client: Client) => Promise<T>): Promise<T> {
  const knex = orm.em.getKnex();
  const client: Client = await knex.client.acquireConnection();
  let broken = false;
  const markBroken = () => (broken = true);
  client.on('error', markBroken);
  try {
    return await work(client);
  } catch (error) {
    try {
      await client.query('ROLLBACK');
    } catch {
      broken = true;
    }
    throw error;
  } finally {
    client.removeListener('error', markBroken);
    if (broken) {
      (client as unknown as { __knex__disposed?: unknown }).__knex__disposed = 'broken during raw use';
      await client.end().catch(() => undefined);
    }
    await knex.client.releaseConnection(client);
  }
}
