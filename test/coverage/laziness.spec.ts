import { expect } from 'chai';
import { gql, gqlUpload, gqlUploadInPieces, ok } from '../helpers/client';
import { runDbId, sql } from '../helpers/ingest';
import { createRun, createShop, type TestShop } from '../helpers/shop';
import { ALL_FIELDS, MATCH, coverageFixture, coverageOf, upload, uploadFixtureRun } from './helpers';
import { captureSql, coverageSteps } from '../helpers/sql-capture';
import { getHarness } from '../setup';
import { lockKeys } from '../../src/coverage/coverage.service';
import { Client } from 'pg';

const DATASET_TABLES = ['variants', 'catalog_items', 'inventory_levels'];

function mentions(statement: string, table: string): boolean {
  return new RegExp(`\\b${table}\\b`).test(statement);
}

/** The coverage statements that `work` sends, as steps, with their text. */
async function coverageStatements<T>(work: () => Promise<T>): Promise<{ steps: string[]; texts: string[]; result: T }> {
  const { statements, result } = await captureSql(work);
  const texts = statements.filter((s) => coverageSteps([s]).length > 0);
  return { steps: coverageSteps(texts), texts, result };
}

/**
 * Everything asked for from scratch: the state, the two builds (side by side, so in either order), and the matching,
 * which waits for the items; each computing statement preceded, under its locks, by a look for what another request
 * may have stored meanwhile.
 */
function expectEverything(steps: string[]): void {
  expect([...steps].sort()).to.deep.equal(['build-items', 'build-orders', 'match', 'state', 'stored', 'stored', 'stored']);
  expect(steps[0]).to.equal('state');
  expect(steps.indexOf('match')).to.be.greaterThan(steps.indexOf('build-items'));
}

describe('coverage: computed on demand, per field, in a fixed number of statements', () => {
  let shop: TestShop;
  before(async () => {
    shop = await createShop('coverage-lazy');
  });

  it('ingestion runs no coverage statement and leaves nothing in the coverage tables', async () => {
    const { result, statements } = await captureSql(() =>
      gqlUpload(
        `mutation($input: RunUploadInput!) { runUpload(input: $input) { run { id } uploads { status } userErrors { code } } }`,
        { input: { name: 'no coverage while ingesting', orders: null, variants: null, catalog: null, inventory: null } },
        [
          { variable: 'input.orders', filename: 'orders.csv', content: coverageFixture('orders.csv') },
          { variable: 'input.variants', filename: 'variants.csv', content: coverageFixture('variants.csv') },
          { variable: 'input.catalog', filename: 'catalog.csv', content: coverageFixture('catalog.csv') },
          { variable: 'input.inventory', filename: 'inventory.csv', content: coverageFixture('inventory.csv') },
        ],
        { key: shop.adminKey },
      ),
    );
    const payload = ok(result).runUpload;
    expect(payload.uploads.map((u: { status: string }) => u.status)).to.deep.equal(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    expect(statements.some((s) => /\bCOPY\b/.test(s)), 'the capture sees the upload').to.equal(true);
    expect(coverageSteps(statements)).to.deep.equal([]);
    expect(statements.filter((s) => /coverage_(parts|items)/.test(s))).to.deep.equal([]);
    const run = runDbId(payload.run.id);
    expect(await sql('SELECT count(*)::int AS n FROM coverage_parts WHERE run_id = ?', [run])).to.deep.equal([{ n: 0 }]);
    expect(await sql('SELECT count(*)::int AS n FROM coverage_items WHERE run_id = ?', [run])).to.deep.equal([{ n: 0 }]);
  });

  it('orderLines alone is one statement that counts lines and touches nothing else', async () => {
    const runId = await createRun(shop.adminKey);
    await uploadFixtureRun(shop.adminKey, runId);
    const { steps, texts } = await coverageStatements(async () => {
      expect(await coverageOf(shop.adminKey, runId, 'orderLines')).to.deep.equal({ orderLines: 12 });
    });
    expect(steps).to.deep.equal(['state']);
    expect(mentions(texts[0]!, 'order_lines')).to.equal(true);
    for (const table of [...DATASET_TABLES, 'coverage_items']) expect(mentions(texts[0]!, table), table).to.equal(false);
    expect(await sql('SELECT count(*)::int AS n FROM coverage_parts WHERE run_id = ?', [runDbId(runId)])).to.deep.equal([{ n: 0 }]);
  });

  it('each field group runs only its own statements', async () => {
    const runId = await createRun(shop.adminKey);
    await uploadFixtureRun(shop.adminKey, runId);

    // The single counts, alone, are counted by the state statement and leave nothing stored.
    const counts = await coverageStatements(async () => {
      expect(await coverageOf(shop.adminKey, runId, 'orders')).to.deep.equal({ orders: 7 });
      expect(await coverageOf(shop.adminKey, runId, 'distinctSkusOrdered')).to.deep.equal({ distinctSkusOrdered: 7 });
      expect(await coverageOf(shop.adminKey, runId, 'orderLines orders distinctSkusOrdered')).to.deep.equal({
        orderLines: 12,
        orders: 7,
        distinctSkusOrdered: 7,
      });
    });
    expect(counts.steps).to.deep.equal(['state', 'state', 'state']);
    for (const text of counts.texts) {
      expect(mentions(text, 'order_lines')).to.equal(true);
      for (const table of [...DATASET_TABLES, 'coverage_items']) expect(mentions(text, table), table).to.equal(false);
    }
    expect(await sql('SELECT count(*)::int AS n FROM coverage_parts WHERE run_id = ?', [runDbId(runId)])).to.deep.equal([{ n: 0 }]);

    // multiItemOrders needs the per-order part, which then answers orders and orderLines too.
    const orders = await coverageStatements(() => coverageOf(shop.adminKey, runId, 'orders multiItemOrders'));
    expect(orders.steps).to.deep.equal(['state', 'stored', 'build-orders']);
    expect(mentions(orders.texts[2]!, 'coverage_items')).to.equal(false);
    const fromPart = await coverageStatements(async () => {
      expect(await coverageOf(shop.adminKey, runId, 'orders orderLines')).to.deep.equal({ orders: 7, orderLines: 12 });
    });
    expect(fromPart.steps).to.deep.equal(['state']);

    const catalog = await coverageStatements(() => coverageOf(shop.adminKey, runId, 'catalog { matchedLines }'));
    expect(catalog.steps).to.deep.equal(['state', 'stored', 'build-items', 'stored', 'match']);
    const match = catalog.texts[4]!;
    expect(mentions(match, 'catalog_items')).to.equal(true);
    expect(mentions(match, 'variants') || mentions(match, 'inventory_levels')).to.equal(false);
    expect(mentions(match, 'order_lines'), 'matching reads the stored items, not the lines').to.equal(false);

    // Everything asked for now: only the parts not computed yet (variants, inventory) are.
    const rest = await coverageStatements(() => coverageOf(shop.adminKey, runId));
    expect(rest.steps).to.deep.equal(['state', 'stored', 'match']);
    expect(mentions(rest.texts[2]!, 'inventory_levels') && mentions(rest.texts[2]!, 'variants')).to.equal(true);

    const again = await coverageStatements(() => coverageOf(shop.adminKey, runId));
    expect(again.steps).to.deep.equal(['state']);

    // With the items stored, distinctSkusOrdered alone is read from them.
    const skus = await coverageStatements(async () => {
      expect(await coverageOf(shop.adminKey, runId, 'distinctSkusOrdered')).to.deep.equal({ distinctSkusOrdered: 7 });
    });
    expect(skus.steps).to.deep.equal(['state']);
  });

  it('everything for several runs: seven statements in all, not seven per run', async () => {
    const own = await createShop('coverage-batch');
    for (let i = 0; i < 3; i++) {
      const runId = await createRun(own.adminKey, `batch ${i}`);
      await uploadFixtureRun(own.adminKey, runId, i === 2 ? ['ORDERS', 'VARIANTS'] : undefined);
    }
    const page = await coverageStatements(async () => {
      const data = ok(await gql(`{ runs(first: 3) { nodes { coverage { ${ALL_FIELDS} } } } }`, {}, { key: own.adminKey }));
      const nodes = data.runs.nodes.map((n: any) => n.coverage);
      expect(nodes.map((c: any) => c.orderLines)).to.deep.equal([12, 12, 12]);
      expect(nodes.map((c: any) => c.catalog.matchedLines)).to.deep.equal([0, 8, 8]);
      expect(nodes.map((c: any) => c.inventory.matchedSkus)).to.deep.equal([0, 4, 4]);
    });
    expectEverything(page.steps);

    // Runs asked for by separate root fields give the same answers, from the stored parts.
    const runIds = ok(await gql('{ runs(first: 3) { nodes { id } } }', {}, { key: own.adminKey })).runs.nodes.map((n: any) => n.id);
    const query = `{ ${runIds.map((id: string, i: number) => `r${i}: run(id: "${id}") { coverage { ${ALL_FIELDS} } }`).join(' ')} }`;
    const roots = await coverageStatements(async () => {
      const data = ok(await gql(query, {}, { key: own.adminKey }));
      expect([data.r0, data.r1, data.r2].map((r: any) => r.coverage.variants.matchedLines)).to.deep.equal([5, 5, 5]);
    });
    expect(roots.steps.every((step) => step === 'state')).to.equal(true);
  });

  it('an upload makes the parts it affects stale: orders rebuild everything, a dataset only the matching', async () => {
    const runId = await createRun(shop.adminKey);
    await uploadFixtureRun(shop.adminKey, runId);
    await coverageOf(shop.adminKey, runId);

    // A dry run writes nothing, so nothing is recomputed.
    await upload(shop.adminKey, runId, 'CATALOG', 'variant_id,sku\n,B\n', { dryRun: true });
    expect((await coverageStatements(() => coverageOf(shop.adminKey, runId))).steps).to.deep.equal(['state']);

    // The catalog now also has SKU B: the matching is recomputed from the stored items.
    await upload(shop.adminKey, runId, 'CATALOG', 'variant_id,sku\n,B\n');
    const afterCatalog = await coverageStatements(async () => {
      const coverage = await coverageOf(shop.adminKey, runId, `orderLines distinctSkusOrdered catalog { ${MATCH} } unmatchedSkus { sku }`);
      expect(coverage).to.deep.equal({
        orderLines: 12,
        distinctSkusOrdered: 7,
        catalog: { matchedLines: 9, unmatchedLines: 3, lineRatio: 9 / 12, matchedSkus: 5, skuRatio: 5 / 7 },
        unmatchedSkus: [{ sku: 'G' }, { sku: 'H' }],
      });
    });
    expect(afterCatalog.steps).to.deep.equal(['state', 'stored', 'match']);

    // More orders: the lines are read again.
    await upload(shop.adminKey, runId, 'ORDERS', 'order_id,created_at,line_item_id,sku,quantity\n1008,2025-11-08,13,Z,1\n1008,2025-11-08,14,B,2\n');
    const afterOrders = await coverageStatements(async () => {
      const coverage = await coverageOf(shop.adminKey, runId, `orders orderLines multiItemOrders distinctSkusOrdered catalog { matchedLines matchedSkus } unmatchedSkus { sku orderLines quantity }`);
      expect(coverage).to.deep.equal({
        orders: 8,
        orderLines: 14,
        multiItemOrders: 4,
        distinctSkusOrdered: 8,
        catalog: { matchedLines: 10, matchedSkus: 5 },
        unmatchedSkus: [
          { sku: 'G', orderLines: 1, quantity: 4 },
          { sku: 'H', orderLines: 1, quantity: 1 },
          { sku: 'Z', orderLines: 1, quantity: 1 },
        ],
      });
    });
    expectEverything(afterOrders.steps);
    const versions = await sql('SELECT DISTINCT orders_version FROM coverage_items WHERE run_id = ? ORDER BY 1', [runDbId(runId)]);
    expect(versions, 'the previous items stay one version, older ones go').to.have.length(2);
  });

  it('an upload that finishes after a later one still makes the parts it affects stale', async () => {
    const runId = await createRun(shop.adminKey);
    await upload(shop.adminKey, runId, 'ORDERS', 'order_id,created_at,sku,quantity\n1,2025-11-01,A,1\n');
    await upload(shop.adminKey, runId, 'CATALOG', 'sku\nA\n');

    // An orders upload starts first and is still streaming when a catalog upload, started after it, has finished.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const slow = gqlUploadInPieces(
      `mutation($runId: ID!, $file: Upload!) { csvUpload(runId: $runId, kind: ORDERS, file: $file) { upload { id status } userErrors { code } } }`,
      { runId, file: null },
      'file',
      ['order_id,created_at,sku,quantity\n2,2025-11-02,C,1\n', '2,2025-11-02,D,1\n'],
      () => released,
      shop.adminKey,
    );
    const uploadsOf = async () => ok(await gql(`query($id: ID!) { run(id: $id) { uploads { id kind status } } }`, { id: runId }, { key: shop.adminKey })).run.uploads;
    while (!(await uploadsOf()).some((u: { status: string }) => u.status === 'PROCESSING')) await new Promise((resolve) => setTimeout(resolve, 20));
    const catalog = await upload(shop.adminKey, runId, 'CATALOG', 'sku\nX\n');
    const selection = `orderLines catalog { matchedLines unmatchedLines }`;
    expect(await coverageOf(shop.adminKey, runId, selection)).to.deep.equal({ orderLines: 1, catalog: { matchedLines: 1, unmatchedLines: 0 } });

    release();
    const { body } = await slow.response;
    expect(body.data.csvUpload.upload.status).to.equal('SUCCEEDED');
    expect(runDbId(body.data.csvUpload.upload.id), 'the orders upload has the lower id').to.satisfy((id: string) => BigInt(id) < BigInt(runDbId(catalog.id)));
    expect(await coverageOf(shop.adminKey, runId, 'orderLines')).to.deep.equal({ orderLines: 3 });
    expect(await coverageOf(shop.adminKey, runId, selection)).to.deep.equal({ orderLines: 3, catalog: { matchedLines: 1, unmatchedLines: 2 } });
  });

  it('concurrent requests for the same runs get the same answers and leave one set of parts', async () => {
    const runs: string[] = [];
    for (let i = 0; i < 2; i++) {
      const runId = await createRun(shop.adminKey, `concurrent ${i}`);
      await uploadFixtureRun(shop.adminKey, runId);
      runs.push(runId);
    }
    const query = (order: string[]) => `{ ${order.map((id, i) => `r${i}: run(id: "${id}") { coverage { ${ALL_FIELDS} } }`).join(' ')} }`;
    const answers = await Promise.all(
      [runs, [...runs].reverse(), runs, [...runs].reverse()].map((order) => gql(query(order), {}, { key: shop.adminKey })),
    );
    const byRun = answers.map((response, n) => {
      const data = ok(response);
      return n % 2 === 0 ? [data.r0.coverage, data.r1.coverage] : [data.r1.coverage, data.r0.coverage];
    });
    for (const answer of byRun) expect(answer).to.deep.equal(byRun[0]);
    expect(byRun[0]![0].catalog.matchedLines).to.equal(8);
    const parts = await sql('SELECT run_id, count(*)::int AS n FROM coverage_parts WHERE run_id = ANY(?::bigint[]) GROUP BY run_id ORDER BY run_id', [
      `{${runs.map(runDbId).join(',')}}`,
    ]);
    expect(parts.map((p) => p.n)).to.deep.equal([5, 5]);
  });

  it('a stampede of requests for a run just uploaded computes each part once', async () => {
    const runId = await createRun(shop.adminKey, 'stampede');
    await uploadFixtureRun(shop.adminKey, runId);
    const { steps, result } = await coverageStatements(() => Promise.all(Array.from({ length: 12 }, () => coverageOf(shop.adminKey, runId))));
    for (const answer of result) expect(answer).to.deep.equal(result[0]);
    expect(result[0].multiItemOrders).to.equal(3);
    expect(steps.filter((s) => s === 'state')).to.have.length(12);
    expect(steps.filter((s) => s !== 'state' && s !== 'stored').sort()).to.deep.equal(['build-items', 'build-orders', 'match']);
  });

  it('a request that waited for another computing the same part reads what it stored', async () => {
    const runId = await createRun(shop.adminKey, 'waits');
    await uploadFixtureRun(shop.adminKey, runId);
    const [space, keys] = lockKeys('build-orders', [runDbId(runId)]);
    const key = Number(keys.slice(1, -1));
    // Another process, as it were, computing the ORDERS part: it holds the lock, then stores a part no build would.
    const other = new Client({ connectionString: getHarness().databaseUrl });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query('SELECT pg_advisory_xact_lock($1, $2)', [space, key]);
      const { steps, result } = await coverageStatements(async () => {
        const asked = coverageOf(shop.adminKey, runId, 'orders multiItemOrders');
        for (let waiting = 0; waiting === 0; ) {
          await new Promise((resolve) => setTimeout(resolve, 20));
          const { rows } = await other.query(
            `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND classid = $1 AND objid = $2 AND objsubid = 2`,
            [space, key],
          );
          waiting = rows[0].n;
        }
        await other.query(
          `INSERT INTO coverage_parts (run_id, part, version, value, computed_at)
           SELECT id, 'ORDERS', orders_version, '{"orderLines": 12, "orders": 7, "multiItemOrders": 99}', now() FROM runs WHERE id = $1`,
          [runDbId(runId)],
        );
        await other.query('COMMIT');
        return asked;
      });
      expect(result).to.deep.equal({ orders: 7, multiItemOrders: 99 });
      expect(steps).to.deep.equal(['state', 'stored']);
    } finally {
      await other.query('ROLLBACK').catch(() => undefined);
      await other.end();
      await sql(`DELETE FROM coverage_parts WHERE run_id = ?`, [runDbId(runId)]);
    }
  });

  it("another shop's key gets nothing: not the run, not its coverage, by any path", async () => {
    const runId = await createRun(shop.adminKey, 'private');
    await uploadFixtureRun(shop.adminKey, runId);
    const mine = await coverageOf(shop.adminKey, runId);
    const uploadId = ok(await gql('query($id: ID!) { run(id: $id) { uploads { id } } }', { id: runId }, { key: shop.adminKey })).run.uploads[0].id;

    const other = await createShop('coverage-other');
    for (const key of [other.adminKey, await other.readKey()]) {
      const data = ok(
        await gql(
          `query($run: ID!, $upload: ID!) {
            run(id: $run) { coverage { orderLines catalog { matchedLines } } }
            node(id: $run) { ... on Run { coverage { orderLines } } }
            upload(id: $upload) { run { coverage { orderLines } } }
            runs(first: 50) { nodes { id coverage { orderLines } } }
          }`,
          { run: runId, upload: uploadId },
          { key },
        ),
      );
      expect(data).to.deep.equal({ run: null, node: null, upload: null, runs: { nodes: [] } });
    }

    // The other shop's own run with the same files has its own parts, computed for it.
    const theirs = await createRun(other.adminKey, 'theirs');
    await uploadFixtureRun(other.adminKey, theirs, ['ORDERS']);
    const { steps } = await coverageStatements(async () => {
      expect(await coverageOf(other.adminKey, theirs, `orderLines catalog { ${MATCH} }`)).to.deep.equal({
        orderLines: 12,
        catalog: { matchedLines: 0, unmatchedLines: 12, lineRatio: 0, matchedSkus: 0, skuRatio: 0 },
      });
    });
    expect(steps).to.deep.equal(['state', 'stored', 'build-items', 'stored', 'match']);
    expect(mine.catalog.matchedLines).to.equal(8);
  });
});
