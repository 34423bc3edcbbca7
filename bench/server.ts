import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startEmbeddedDatabase, type EmbeddedDatabase } from '../src/db/embedded';
import { createLogger } from '../src/logger';

/** The compiled entry points the benchmark runs as child processes (it is itself compiled to dist/bench). */
const DIST_SRC = path.resolve(__dirname, '..', 'src');
export const MAIN_JS = path.join(DIST_SRC, 'main.js');
export const CLI_JS = path.join(DIST_SRC, 'cli.js');

/** A throw-away embedded PostgreSQL under `dir` (deleted on stop). */
export async function startBenchDatabase(dir: string): Promise<EmbeddedDatabase> {
  fs.mkdirSync(dir, { recursive: true });
  // Under root the database runs as the `postgres` user, which must be able to reach its folder.
  fs.chmodSync(dir, 0o755);
  return startEmbeddedDatabase({ dataDir: dir, port: 0, persistent: false, logger: createLogger('warn') });
}

function serverEnv(databaseUrl: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DATABASE_URL: databaseUrl,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    MIGRATE_ON_START: 'true',
    PORT: '0',
    HOST: '127.0.0.1',
    ...extra,
  };
}

/** Runs `node dist/src/cli.js ...args` against the database and returns its stdout parsed as JSON. */
export function runCli(databaseUrl: string, args: string[]): Promise<any> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_JS, ...args], { env: serverEnv(databaseUrl), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`bundlegraph ${args.join(' ')} exited with ${code}: ${err.trim()}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').pop()!));
      } catch {
        reject(new Error(`bundlegraph ${args.join(' ')} printed no JSON: ${out}`));
      }
    });
  });
}

export interface ServerProcess {
  url: string;
  pid: number;
  /** Current and peak resident set size of the server process, in bytes (from /proc/<pid>/status). */
  memory(): { rss: number; hwm: number } | null;
  /** The last lines the server wrote, for error messages. */
  recentOutput(): string;
  stop(): Promise<void>;
}

export interface ServerOptions {
  databaseUrl: string;
  /** Extra node flags for the server process, e.g. --cpu-prof. */
  nodeArgs?: string[];
  env?: Record<string, string>;
}

const READY = /bundlegraph is serving GraphQL at (\S+)/;

/**
 * The node flags `npm start` runs the server with: a larger young generation, so that request garbage dies there
 * instead of being promoted (measured: 10,000-bundle saves about 12% faster).
 */
const SERVER_NODE_FLAGS = ['--max-semi-space-size=64'];

/** Starts `node dist/src/main.js` as a child process and resolves once it prints the address it serves. */
export function startServerProcess(options: ServerOptions): Promise<ServerProcess> {
  const child: ChildProcess = spawn(process.execPath, [...SERVER_NODE_FLAGS, ...(options.nodeArgs ?? []), MAIN_JS], {
    env: serverEnv(options.databaseUrl, options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const recent: string[] = [];
  const remember = (text: string) => {
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      recent.push(line.length > 2000 ? line.slice(0, 2000) + '...' : line);
      if (recent.length > 40) recent.shift();
    }
  };
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );

  return new Promise((resolve, reject) => {
    let buffered = '';
    let ready = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the server did not start within 120 s:\n${recent.join('\n')}`));
    }, 120_000);
    child.stderr!.setEncoding('utf8').on('data', remember);
    child.stdout!.setEncoding('utf8').on('data', (text: string) => {
      remember(text);
      if (ready) return;
      buffered += text;
      const match = READY.exec(buffered);
      if (!match) return;
      ready = true;
      clearTimeout(timer);
      const pid = child.pid!;
      resolve({
        url: match[1]!,
        pid,
        memory: () => readMemory(pid),
        recentOutput: () => recent.join('\n'),
        async stop() {
          if (exited) return;
          child.kill('SIGTERM');
          const killer = setTimeout(() => child.kill('SIGKILL'), 40_000);
          await exit;
          clearTimeout(killer);
        },
      });
    });
    child.once('exit', (code, signal) => {
      if (ready) return;
      clearTimeout(timer);
      reject(new Error(`the server exited (${signal ?? code}) before it was ready:\n${recent.join('\n')}`));
    });
  });
}

function readMemory(pid: number): { rss: number; hwm: number } | null {
  let status: string;
  try {
    status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null;
  }
  const rss = /VmRSS:\s+(\d+) kB/.exec(status);
  const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
  if (!rss || !hwm) return null;
  return { rss: Number(rss[1]) * 1024, hwm: Number(hwm[1]) * 1024 };
}

/** Samples a process's VmRSS every `intervalMs` and keeps the largest value seen. */
export class RssSampler {
  private timer: NodeJS.Timeout | null = null;
  peak = 0;

  constructor(
    private readonly server: ServerProcess,
    private readonly intervalMs = 50,
  ) {}

  start(): this {
    this.peak = 0;
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    return this;
  }

  private sample(): void {
    const memory = this.server.memory();
    if (memory && memory.rss > this.peak) this.peak = memory.rss;
  }

  stop(): number {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.sample();
    return this.peak;
  }
}
