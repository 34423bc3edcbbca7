import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { Client } from 'pg';
import { startEmbeddedDatabase } from '../../src/db/embedded';
import { createLogger } from '../../src/logger';

describe('embedded PostgreSQL lifecycle', function () {
  this.timeout(120_000);
  const logger = createLogger('silent');
  let dataDir: string;

  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bundlegraph-embedded-'));
    fs.chmodSync(dataDir, 0o755);
  });
  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  async function query(url: string, sql: string) {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query(sql)).rows;
    } finally {
      await client.end();
    }
  }

  it("runs PostgreSQL in a process group of its own, out of reach of a terminal's Ctrl-C to the server", async () => {
    const db = await startEmbeddedDatabase({ dataDir, port: 0, persistent: true, logger });
    try {
      const groupOf = (pid: string | number) => {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
      };
      const cluster = fs.readdirSync(dataDir).map((entry) => path.join(dataDir, entry)).find((dir) => fs.existsSync(path.join(dir, 'postmaster.pid')))!;
      const postmaster = fs.readFileSync(path.join(cluster, 'postmaster.pid'), 'utf8').split('\n')[0]!;
      expect(groupOf(postmaster)).to.equal(Number(postmaster));
      expect(groupOf(postmaster)).to.not.equal(groupOf(process.pid));
    } finally {
      await db.stop();
    }
  });

  it('keeps its data across restarts', async () => {
    const first = await startEmbeddedDatabase({ dataDir, port: 0, persistent: true, logger });
    await query(first.url, "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')");
    await first.stop();
    const second = await startEmbeddedDatabase({ dataDir, port: 0, persistent: true, logger });
    try {
      expect(await query(second.url, 'SELECT v FROM kept')).to.deep.equal([{ v: 'still here' }]);
    } finally {
      await second.stop();
    }
  });

  it('recovers from the remains of an interrupted first start', async () => {
    fs.mkdirSync(path.join(dataDir, 'pg'));
    fs.writeFileSync(path.join(dataDir, 'pg', 'PG_VERSION'), '18\n');
    const db = await startEmbeddedDatabase({ dataDir, port: 0, persistent: true, logger });
    try {
      expect(await query(db.url, 'SELECT 1 AS one')).to.deep.equal([{ one: 1 }]);
      expect(fs.readdirSync(dataDir).some((name) => name.startsWith('pg.incomplete-'))).to.equal(true);
    } finally {
      await db.stop();
    }
  });

  it('starts after a crash left a stale lock file', async () => {
    const first = await startEmbeddedDatabase({ dataDir, port: 0, persistent: true, logger });
    await first.stop();
    // A lock file naming a process that no longer runs, as a killed server leaves it.
    fs.writeFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), `999999\n${path.join(dataDir, 'pg')}\n`);
    const second = await startEmbeddedDatabase({ dataDir, port: 0, persistent: true, logger });
    try {
      expect(await query(second.url, 'SELECT 1 AS one')).to.deep.equal([{ one: 1 }]);
    } finally {
      await second.stop();
    }
  });
});
