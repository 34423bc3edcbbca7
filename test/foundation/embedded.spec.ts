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

  it("a lock file naming another cluster's PostgreSQL is stale: that database is left running", async () => {
    const otherDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bundlegraph-embedded-other-'));
    fs.chmodSync(otherDir, 0o755);
    const other = await startEmbeddedDatabase({ dataDir: otherDir, port: 0, persistent: false, logger });
    try {
      const first = await startEmbeddedDatabase({ dataDir, port: 0, persistent: true, logger });
      await first.stop();
      fs.copyFileSync(path.join(otherDir, 'pg', 'postmaster.pid'), path.join(dataDir, 'pg', 'postmaster.pid'));
      const second = await startEmbeddedDatabase({ dataDir, port: 0, persistent: true, logger });
      await second.stop();
      expect(await query(other.url, 'SELECT 1 AS one')).to.deep.equal([{ one: 1 }]);
    } finally {
      await other.stop();
      fs.rmSync(otherDir, { recursive: true, force: true });
    }
  });

  it("commands beside a running server share its database instead of refusing it, and leave it running", async () => {
    const server = await startEmbeddedDatabase({ dataDir, port: 0, persistent: true, logger });
    try {
      await query(server.url, "CREATE TABLE shared (v text); INSERT INTO shared VALUES ('seen')");
      const refused = await startEmbeddedDatabase({ dataDir, port: 0, persistent: true, logger }).then(() => null, (error: Error) => error);
      expect(refused?.message).to.include('in use by another running server');
      const command = await startEmbeddedDatabase({ dataDir, port: 0, persistent: true, logger, shareRunning: true });
      expect(await query(command.url, 'SELECT v FROM shared')).to.deep.equal([{ v: 'seen' }]);
      await command.stop();
      expect(await query(server.url, 'SELECT v FROM shared')).to.deep.equal([{ v: 'seen' }]);
    } finally {
      await server.stop();
    }
  });
});
