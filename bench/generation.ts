import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { gql, uploadMultipart } from './client';
import { generateCatalog, generateInventory, generateOrders, plantedPairs } from './generate';
import { formatCount, median, renderTable } from './report';
import { runCli, startBenchDatabase, startServerProcess } from './server';

const USAGE = `Usage: bundlegraph bench generate [--runs N] [--lines N] [--items N] [--pairs N] [--quick] [--verbose]

Uploads a synthetic history (default 1M order lines over about 300k orders and 20k items, with planted
frequently-bought-together pairs), its catalog and inventory over HTTP into a fresh run, then times
bundlesGenerate end to end (median of --runs, default 3) and reports the ranks of the planted pairs.
`;

const GENERATE = `mutation($runId: ID!) {
  bundlesGenerate(runId: $runId) {
    generation { status strategy ordersConsidered itemsConsidered candidatePairs bundlesWritten durationMs dropped { reason count } kinds { kind count } }
    userErrors { code message }
  }
}`;

const RANKED = `query($runId: ID!, $after: String) {
  bundles(runId: $runId, first: 250, after: $after, filter: { kind: [FREQUENTLY_BOUGHT_TOGETHER] }) {
    nodes { key rank }
    pageInfo { hasNextPage endCursor }
  }
}`;

export async function runGenerationBench(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      runs: { type: 'string' },
      lines: { type: 'string' },
      items: { type: 'string' },
      pairs: { type: 'string' },
      quick: { type: 'boolean' },
      verbose: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const quick = Boolean(values.quick);
  const runs = Number(values.runs ?? 3);
  const lines = Number(values.lines ?? (quick ? 50_000 : 1_000_000));
  const items = Number(values.items ?? (quick ? 2_000 : 20_000));
  const pairs = Number(values.pairs ?? 10);
  const seed = 1;

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bundlegraph-bench-generate-'));
  fs.chmodSync(dir, 0o755);
  const database = await startBenchDatabase(path.join(dir, 'db'));
  const server = await startServerProcess({ databaseUrl: database.url });
  try {
    const { apiKey: key } = await runCli(database.url, ['shop', 'create', '--domain', `bench-generate-${process.pid}.myshopify.com`]);
    const orders = generateOrders({ file: path.join(dir, 'orders.csv'), lines, items, seed, pairs });
    const catalog = generateCatalog({ file: path.join(dir, 'catalog.csv'), rows: items, seed });
    const inventory = generateInventory({ file: path.join(dir, 'inventory.csv'), rows: items * 2, locations: 2, seed });
    const runId = (await gql(server.url, key, 'mutation { runCreate(input: { name: "generate" }) { run { id } } }')).runCreate.run.id;
    for (const [kind, file] of [['ORDERS', orders.file], ['CATALOG', catalog.file], ['INVENTORY', inventory.file]] as const) {
      const result = await uploadMultipart({
        url: server.url,
        key,
        query: 'mutation($runId: ID!, $kind: CsvKind!, $file: Upload!) { csvUpload(runId: $runId, kind: $kind, file: $file) { userErrors { code message } } }',
        variables: { runId, kind, file: null },
        variable: 'file',
        file,
      });
      if (result.errors?.length || result.data?.csvUpload.userErrors.length) throw new Error(JSON.stringify(result.errors ?? result.data.csvUpload.userErrors));
    }

    const times: number[] = [];
    let last: any;
    for (let r = 0; r < runs; r++) {
      const started = performance.now();
      const payload = (await gql(server.url, key, GENERATE, { runId })).bundlesGenerate;
      times.push(performance.now() - started);
      if (payload.userErrors.length) throw new Error(JSON.stringify(payload.userErrors));
      last = payload.generation;
    }

    // Where the planted pairs landed among the frequently-bought-together bundles.
    const ranks = new Map<string, number>();
    let after: string | null = null;
    for (;;) {
      const page: any = (await gql(server.url, key, RANKED, { runId, after })).bundles;
      for (const node of page.nodes) ranks.set(node.key, node.rank);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    const planted = plantedPairs({ seed, items, pairs });
    const eligible = planted.filter(([a, b]) => a.status === 'active' && b.status === 'active' && a.productIndex !== b.productIndex);
    const plantedRanks = eligible.map(([a, b]) => {
      const key = `FREQUENTLY_BOUGHT_TOGETHER:${[`v:${a.variantId}`, `v:${b.variantId}`].sort().join('+')}`;
      return ranks.get(key) ?? null;
    });
    const found = plantedRanks.filter((r): r is number => r !== null).sort((x, y) => x - y);
    const fbtRanks = [...ranks.values()].sort((x, y) => x - y);
    const topSlots = fbtRanks.slice(0, eligible.length);
    const allOnTop = found.length === eligible.length && found.every((r, i) => r === topSlots[i]);

    const ms = median(times);
    process.stdout.write(
      `\nbundlesGenerate over HTTP: ${formatCount(orders.rows)} order lines, ${formatCount(orders.orders ?? 0)} orders, ${formatCount(items)} items (median of ${runs})\n` +
        renderTable(
          [
            ['median ms', 'runs ms', 'orders', 'items', 'candidate pairs', 'bundles', 'kinds'],
            [
              ms.toFixed(0),
              times.map((t) => t.toFixed(0)).join(' / '),
              formatCount(last.ordersConsidered),
              formatCount(last.itemsConsidered),
              formatCount(last.candidatePairs),
              formatCount(last.bundlesWritten),
              last.kinds.map((k: any) => `${k.kind} ${k.count}`).join(', '),
            ],
          ],
          [],
        ) +
        `\ndropped: ${last.dropped.map((d: any) => `${d.reason} ${d.count}`).join(', ')}\n` +
        `planted pairs: ${planted.length}, eligible (both active, different products): ${eligible.length}; ` +
        `their ranks among FREQUENTLY_BOUGHT_TOGETHER bundles: ${plantedRanks.map((r) => r ?? 'missing').join(', ')}\n` +
        `planted pairs are the top ${eligible.length} FREQUENTLY_BOUGHT_TOGETHER bundles: ${allOnTop ? 'PASS' : 'FAIL'}\n` +
        (quick ? '' : `end to end < 10 s: ${(ms / 1000).toFixed(2)} s ${ms < 10_000 ? 'PASS' : 'FAIL'}\n`),
    );
    // Phase timings of the last generation, as recorded in its job row.
    const db = new Client({ connectionString: database.url });
    await db.connect();
    const { rows } = await db.query(`SELECT result->'timings' AS timings FROM bundle_generations ORDER BY id DESC LIMIT 1`);
    await db.end();
    process.stdout.write(`phases (ms, last run): ${Object.entries(rows[0]?.timings ?? {}).map(([p, t]) => `${p} ${t}`).join(', ')}\n`);
    if (values.verbose) {
      const top = (await gql(server.url, key, `query($runId: ID!) { bundles(runId: $runId, first: 30) { nodes { rank kind key objective score support confidence lift orderCount } } }`, { runId })).bundles.nodes;
      for (const b of top) process.stdout.write(`${b.rank}\t${b.kind}\t${b.key}\t${b.objective}\tscore ${b.score}\tconf ${b.confidence}\tlift ${b.lift}\tn ${b.orderCount}\n`);
    }
  } finally {
    await server.stop();
    await database.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
