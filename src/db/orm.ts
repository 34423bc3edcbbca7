import 'reflect-metadata';
import path from 'node:path';
import { MikroORM, defineConfig, type EntityManager } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import type { Logger } from '../logger';
import { entities } from './entities';
import { SerialStatementsDialect } from './serial-statements';

export type Orm = MikroORM;
export type Em = EntityManager;

const projectRoot = path.resolve(__dirname, '..', '..', '..');
/** Migrations are written as TypeScript in `migrations/` and run from their compiled form. */
export const migrationsSource = path.join(projectRoot, 'migrations');
const migrationsCompiled = path.join(projectRoot, 'dist', 'migrations');

export function ormConfig(databaseUrl: string, logger?: Logger) {
  return defineConfig({
    clientUrl: databaseUrl,
    entities,
    extensions: [Migrator],
    discovery: { warnWhenNoEntities: true },
    pool: { min: 0, max: 20 },
    // A request waits at most this long for a connection, then answers 503 (format-error.ts: databaseUnavailable), which a
    // client may retry, rather than a minute.
    // TCP keepalive: a connection whose database host went away (a failover, a dropped network path) errors within a
    // minute or so instead of waiting forever for an answer that cannot come.
    driverOptions: {
      client: SerialStatementsDialect,
      acquireConnectionTimeout: 15_000,
      connection: { keepAlive: true, keepAliveInitialDelayMillis: 10_000 },
      // Knex's own warnings (a connection lost) go to the server's log, not to the console.
      log: {
        warn: (message: unknown) => logger?.warn({ db: String(message) }, 'database connection'),
        error: (message: unknown) => logger?.error({ db: String(message) }, 'database connection'),
        deprecate: () => undefined,
        debug: () => undefined,
      },
    },
    forceUtcTimezone: true,
    // A DATABASE_URL naming a database that does not exist is a mistake to report, not a database to create.
    ensureDatabase: false,
    debug: false,
    logger: (message) => logger?.debug({ orm: message }),
    migrations: {
      tableName: 'mikro_orm_migrations',
      path: migrationsCompiled,
      pathTs: migrationsSource,
      glob: '!(*.d).js',
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      emit: 'ts',
    },
  });
}

export async function connectOrm(databaseUrl: string, logger?: Logger): Promise<Orm> {
  return MikroORM.init(ormConfig(databaseUrl, logger));
}

export async function migrate(orm: Orm): Promise<string[]> {
  const applied = await orm.getMigrator().up();
  return applied.map((m) => m.name);
}

/** True when every migration has run: what `/readyz` reports. */
export async function isMigrated(orm: Orm): Promise<boolean> {
  const pending = await orm.getMigrator().getPendingMigrations();
  return pending.length === 0;
}
