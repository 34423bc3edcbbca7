import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { loadConfig } from '../src/config';
import { startEmbeddedDatabase, type EmbeddedDatabase } from '../src/db/embedded';
import { createLogger } from '../src/logger';
import { startServer, type RunningServer } from '../src/main';

/**
 * One PostgreSQL and one HTTP server for the whole run. With DATABASE_URL the suite works in a database of its
 * own on that server, dropped afterwards; otherwise it starts a throw-away embedded cluster. Tests isolate their
 * data by creating their own shop (see helpers/shop.ts).
 */
export interface Harness {
  server: RunningServer;
  graphqlUrl: string;
  baseUrl: string;
  databaseUrl: string;
}

let harness: Harness | undefined;
let embedded: EmbeddedDatabase | undefined;
let tempDir: string | undefined;
let dropDatabase: (() => Promise<void>) | undefined;

export function getHarness(): Harness {
  if (!harness) throw new Error('the test harness has not started');
  return harness;
}

async function freshDatabaseOn(serverUrl: string): Promise<string> {
  const name = `bundlegraph_test_${process.pid}_${Date.now()}`;
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  dropDatabase = async () => {
    const client = new Client({ connectionString: serverUrl });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.end();
  };
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(120_000);
    const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
    let databaseUrl: string;
    if (process.env.DATABASE_URL) {
      databaseUrl = await freshDatabaseOn(process.env.DATABASE_URL);
    } else {
      tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bundlegraph-test-'));
      fs.chmodSync(tempDir, 0o755);
      embedded = await startEmbeddedDatabase({ dataDir: tempDir, port: 0, persistent: false, logger });
      databaseUrl = embedded.url;
    }
    const config = loadConfig({ env: 'test', port: 0, host: '127.0.0.1', databaseUrl, dataDir: tempDir ?? os.tmpdir() });
    const server = await startServer(config, logger);
    harness = { server, graphqlUrl: server.url, baseUrl: server.url.replace(/\/graphql$/, ''), databaseUrl };
  },

  async afterAll(this: Mocha.Context) {
    this.timeout(60_000);
    try {
      await harness?.server.stop();
    } finally {
      await embedded?.stop();
      await dropDatabase?.();
      if (tempDir) fs.rmSync(tempDir, { recursive: true, force: true });
    }
  },
};
