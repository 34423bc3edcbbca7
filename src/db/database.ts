import type { Config } from '../config';
import type { Logger } from '../logger';
import { startEmbeddedDatabase, type EmbeddedDatabase } from './embedded';
import { connectOrm, migrate, type Orm } from './orm';

export interface Database {
  orm: Orm;
  url: string;
  embedded?: EmbeddedDatabase;
  close(): Promise<void>;
}

/** Connects to DATABASE_URL, or starts the embedded server; applies migrations unless told not to. */
export async function openDatabase(config: Config, logger: Logger, options: { migrate?: boolean; shareRunning?: boolean } = {}): Promise<Database> {
  const embedded = config.databaseUrl
    ? undefined
    : await startEmbeddedDatabase({ dataDir: config.dataDir, port: config.embeddedPort, persistent: true, logger, shareRunning: options.shareRunning });
  const url = config.databaseUrl ?? embedded!.url;
  let orm: Orm;
  try {
    orm = await connectOrm(url, logger);
    if (options.migrate ?? config.migrateOnStart) {
      const applied = await migrate(orm);
      if (applied.length) logger.info({ applied }, 'migrations applied');
    }
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
  return {
    orm,
    url,
    embedded,
    async close() {
      await orm.close(true);
      await embedded?.stop();
    },
  };
}
