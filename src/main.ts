import fs from 'node:fs';
import path from 'node:path';
import { loadConfig, type Config } from './config';
import { openDatabase, type Database } from './db/database';
import { isMigrated } from './db/orm';
import { createSchema } from './graphql/schema';
import { startHttpServer, type HttpServer } from './http/server';
import { STALE_AFTER_MS, failInterruptedUploads, markStopping, stopUploads } from './ingest/upload-recovery';
import { failInterruptedGenerations, stopGenerations } from './generation/generation.service';
import { createLogger, type Logger } from './logger';
import { ShopService } from './shops/shop.service';

export interface RunningServer {
  url: string;
  database: Database;
  http: HttpServer;
  stop(): Promise<void>;
}

const DEV_SHOP_DOMAIN = 'development.myshopify.com';

/**
 * On the first start of an embedded database there is no shop to authenticate as: create one and print its
 * ADMIN key once, keeping a copy under the data folder for the developer.
 */
async function bootstrapDevelopmentShop(database: Database, config: Config, logger: Logger): Promise<void> {
  const shops = new ShopService(database.orm.em.fork());
  if ((await shops.count()) > 0) return;
  const { shop, token } = await shops.create(DEV_SHOP_DOMAIN);
  const keyFile = path.join(config.dataDir, 'dev-admin-key');
  fs.writeFileSync(keyFile, token + '\n', { mode: 0o600 });
  logger.info({ shop: shop.domain, keyFile }, 'created the development shop');
  process.stdout.write(
    `\nDevelopment shop ${shop.domain} created. Its ADMIN key (shown once, also saved in ${keyFile}):\n\n  ${token}\n\n`,
  );
}

/**
 * Uploads and generations left PROCESSING by a server that died are marked FAILED (INTERRUPTED): at start, and
 * every STALE_AFTER_MS after, since a server sharing the database may die at any time.
 */
async function recoverInterruptedWork(database: Database, logger: Logger): Promise<() => void> {
  const sweep = () => Promise.all([failInterruptedUploads(database.orm, logger), failInterruptedGenerations(database.orm, logger)]);
  await sweep();
  const timer = setInterval(() => {
    sweep().catch((error) => logger.warn({ err: error }, 'could not check for interrupted work'));
  }, STALE_AFTER_MS);
  timer.unref();
  return () => clearInterval(timer);
}

export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  const database = await openDatabase(config, logger);
  try {
    // Told not to migrate a database that needs it: serve anyway, with /readyz saying so, and touch no table.
    const migrated = await isMigrated(database.orm);
    if (!migrated) logger.warn('migrations are pending: run `bundlegraph migrate`; /readyz answers 503 until then');
    if (migrated && database.embedded) await bootstrapDevelopmentShop(database, config, logger);
    const stopWatching = migrated ? await recoverInterruptedWork(database, logger) : () => undefined;
    const schema = await createSchema();
    const http = await startHttpServer({ config, orm: database.orm, schema, logger });
    logger.info({ url: http.url }, 'bundlegraph is serving');
    return {
      url: http.url,
      database,
      http,
      async stop() {
        stopWatching();
        markStopping(database.orm);
        await http.stop();
        await Promise.all([stopUploads(database.orm, logger), stopGenerations(database.orm, logger)]);
        await database.close();
      },
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}

/** `bundlegraph serve`: runs until SIGINT or SIGTERM, then drains requests and stops the database. */
export async function serve(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  // A signal while starting is kept and acted on once started: stopping then stops the database too, which runs in
  // a process group of its own and would otherwise outlive this process.
  let early: string | null = null;
  const keep = (signal: string) => (early ??= signal);
  process.on('SIGINT', keep);
  process.on('SIGTERM', keep);
  const server = await startServer(config, logger);
  process.removeListener('SIGINT', keep);
  process.removeListener('SIGTERM', keep);
  process.stdout.write(`bundlegraph is serving GraphQL at ${server.url}\n`);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    server.stop().then(
      () => process.exit(0),
      (error) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  if (early) shutdown(early);
}

if (require.main === module) {
  serve().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
