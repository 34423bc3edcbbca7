import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig, type Config } from './config';
import { openDatabase, type Database } from './db/database';
import { migrate, migrationsSource } from './db/orm';
import { requireIdOf, toGlobalId } from './graphql/global-id';
import { emitSchemaFile } from './graphql/schema';
import { CsvErrorPolicy, CsvKind } from './ingest/csv-upload.entity';
import { IngestService } from './ingest/ingest.service';
import { CsvRowError, CsvUploadType } from './ingest/ingest.types';
import { uploadLimitsOf } from './ingest/upload-limits';
import { UploadQueries } from './ingest/upload.service';
import { RunService } from './runs/run.service';
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
  key create --shop D --scope ADMIN|READ       create an API key for a shop and print it as JSON (its id revokes it:
         [--name NAME]                         apiKeyRevoke)
  ingest --shop D --run RUN_ID --kind K FILE   ingest a CSV file (K: ORDERS, VARIANTS, CATALOG, INVENTORY)
         [--error-policy REJECT_FILE|SKIP_INVALID_ROWS] [--dry-run]
  schema                                       write schema.graphql from the resolvers
  migration-create                             write a migration for the difference between entities and database
  bench <name> [options]                       benchmarks printing figures and ratios: ingest, coverage, bundles,
                                               generate (\`bench\` alone lists their options)
`;

class UsageError extends Error {}

function option(values: Record<string, unknown>, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || !value) throw new UsageError(`--${name} is required`);
  return value;
}

/** The commands print their result as JSON on standard output, so their logs go to standard error. */
function commandLogger() {
  return createLogger(process.env.LOG_LEVEL ?? 'warn', 'stderr');
}

/** Commands work beside a running server: they use its embedded database rather than refuse it. */
async function withDatabase<T>(work: (db: Database, config: Config) => Promise<T>, options: { migrate?: boolean } = {}): Promise<T> {
  const config = loadConfig();
  const db = await openDatabase(config, commandLogger(), { shareRunning: true, ...options });
  // The embedded database is in a process group of its own: a Ctrl-C reaches only this process, which stops it.
  const interrupt = () => void db.close().finally(() => process.exit(130));
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  try {
    return await work(db, config);
  } finally {
    process.removeListener('SIGINT', interrupt);
    process.removeListener('SIGTERM', interrupt);
    await db.close();
  }
}

function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value) + '\n');
}

function parseCommand(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        domain: { type: 'string' },
        shop: { type: 'string' },
        scope: { type: 'string' },
        name: { type: 'string' },
        run: { type: 'string' },
        kind: { type: 'string' },
        'error-policy': { type: 'string' },
        'dry-run': { type: 'boolean' },
      },
    });
  } catch (error) {
    // An unknown or malformed option is a usage error like any other.
    throw new UsageError((error as Error).message);
  }
}

async function main(argv: string[]): Promise<void> {
  // Benchmarks take options of their own, so they are dispatched before the commands' option parsing.
  if (argv[0] === 'bench') return (await import('../bench')).runBench(argv.slice(1));
  if (argv.length === 0 || argv[0] === 'help' || argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(USAGE);
    return;
  }
  const { values, positionals } = parseCommand(argv);
  const command = positionals.slice(0, 2).join(' ');
  switch (positionals[0]) {
    case 'serve':
      return serve();
    case 'migrate':
      // Opened without migrating, so that what this command applies is what it reports.
      return withDatabase(
        async (db) => {
          const applied = await migrate(db.orm);
          printJson({ applied });
        },
        { migrate: false },
      );
    case 'schema':
      printJson({ written: await emitSchemaFile() });
      return;
    case 'ingest':
      return withDatabase(async (db, config) => {
        const file = positionals[1];
        if (!file) throw new UsageError('the CSV file to ingest is required');
        if (!fs.statSync(file, { throwIfNoEntry: false })?.isFile()) throw new UsageError(`${file} is not a file`);
        const kind = option(values, 'kind').toUpperCase() as CsvKind;
        if (!Object.values(CsvKind).includes(kind)) throw new UsageError(`--kind must be one of ${Object.values(CsvKind).join(', ')}`);
        const errorPolicy = ((values['error-policy'] as string | undefined)?.toUpperCase() ?? CsvErrorPolicy.REJECT_FILE) as CsvErrorPolicy;
        if (!Object.values(CsvErrorPolicy).includes(errorPolicy)) throw new UsageError('--error-policy must be REJECT_FILE or SKIP_INVALID_ROWS');
        const em = db.orm.em.fork();
        const shop = await new ShopService(em).requireByDomain(option(values, 'shop'));
        const runOption = option(values, 'run');
        const run = await new RunService(em).require(shop.id, /^\d+$/.test(runOption) ? runOption : requireIdOf(runOption, 'Run', ['run']), ['run']);
        const logger = commandLogger();
        const { done } = await new IngestService(db.orm, logger, uploadLimitsOf(config)).start(
          shop.id,
          run.id,
          kind,
          { filename: path.basename(file), stream: fs.createReadStream(file) },
          { errorPolicy, dryRun: Boolean(values['dry-run']) },
        );
        const { upload, failure } = await done;
        const rowErrors = await new UploadQueries(db.orm.em.fork()).rowErrors(upload.id, 20);
        const { uploadId: _uploadId, runId: _runId, ...shown } = CsvUploadType.from(upload);
        printJson({
          upload: { ...shown, rowErrors: rowErrors.map(CsvRowError.from) },
          userErrors: failure ? [failure] : [],
        });
        if (failure) process.exitCode = 1;
      });
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
        printJson({ shop: { id: toGlobalId('Shop', shop.id), domain: shop.domain }, apiKey: token });
      });
    case 'key create':
      return withDatabase(async (db) => {
        const scope = option(values, 'scope').toUpperCase();
        if (scope !== ApiKeyScope.ADMIN && scope !== ApiKeyScope.READ) throw new UsageError('--scope must be ADMIN or READ');
        const em = db.orm.em.fork();
        const shop = await new ShopService(em).requireByDomain(option(values, 'shop'));
        const { apiKey, token } = await new ApiKeyService(em).create(shop, scope as ApiKeyScope, values.name as string | undefined);
        printJson({
          shop: { id: toGlobalId('Shop', shop.id), domain: shop.domain },
          apiKey: token,
          id: toGlobalId('ApiKey', apiKey.id),
          name: apiKey.name ?? null,
          scope: apiKey.scope,
        });
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
