import { parseArgs } from 'node:util';
import { loadConfig } from './config';
import { openDatabase, type Database } from './db/database';
import { migrate, migrationsSource } from './db/orm';
import { emitSchemaFile } from './graphql/schema';
import { DomainError } from './graphql/user-error';
import { createLogger } from './logger';
import { serve } from './main';
import { ApiKeyScope } from './shops/api-key.entity';
import { ApiKeyService } from './shops/api-key.service';
import { ShopService } from './shops/shop.service';

const USAGE = `Usage: bundlegraph <command>

  serve                                        serve GraphQL (PORT, HOST, DATABASE_URL)
  migrate                                      apply pending migrations
  shop create --domain D                       create a shop and print its first ADMIN key as JSON
  key create --shop D --scope ADMIN|READ       create an API key for a shop and print it as JSON
  schema                                       write schema.graphql from the resolvers
  migration-create                             write a migration for the difference between entities and database
`;

class UsageError extends Error {}

function option(values: Record<string, unknown>, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || !value) throw new UsageError(`--${name} is required`);
  return value;
}

async function withDatabase<T>(work: (db: Database) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const db = await openDatabase(config, createLogger(process.env.LOG_LEVEL ?? 'warn'));
  try {
    return await work(db);
  } finally {
    await db.close();
  }
}

function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value) + '\n');
}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { domain: { type: 'string' }, shop: { type: 'string' }, scope: { type: 'string' }, name: { type: 'string' } },
  });
  const command = positionals.slice(0, 2).join(' ');
  switch (positionals[0]) {
    case 'serve':
      return serve();
    case 'migrate':
      return withDatabase(async (db) => {
        const applied = await migrate(db.orm);
        printJson({ applied });
      });
    case 'schema':
      printJson({ written: await emitSchemaFile() });
      return;
    case 'migration-create':
      return withDatabase(async (db) => {
        const result = await db.orm.getMigrator().createMigration(migrationsSource, false, false);
        printJson({ created: result.fileName || null });
      });
  }
  switch (command) {
    case 'shop create':
      return withDatabase(async (db) => {
        const { shop, token } = await new ShopService(db.orm.em.fork()).create(option(values, 'domain'));
        printJson({ shop: { id: shop.id, domain: shop.domain }, apiKey: token });
      });
    case 'key create':
      return withDatabase(async (db) => {
        const scope = option(values, 'scope').toUpperCase();
        if (scope !== ApiKeyScope.ADMIN && scope !== ApiKeyScope.READ) throw new UsageError('--scope must be ADMIN or READ');
        const em = db.orm.em.fork();
        const shop = await new ShopService(em).requireByDomain(option(values, 'shop'));
        const { apiKey, token } = await new ApiKeyService(em).create(shop, scope as ApiKeyScope, values.name as string | undefined);
        printJson({ shop: { id: shop.id, domain: shop.domain }, apiKey: token, scope: apiKey.scope });
      });
    default:
      throw new UsageError(positionals.length ? `unknown command "${command}"` : 'no command given');
  }
}

main(process.argv.slice(2)).catch((error) => {
  if (error instanceof UsageError) process.stderr.write(`${error.message}\n\n${USAGE}`);
  else if (error instanceof DomainError) process.stderr.write(`${error.message}\n`);
  else process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = error instanceof UsageError ? 2 : 1;
});
