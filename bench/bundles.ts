import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { Bundle, BundleKind, BundleSource, BundleStatus } from '../src/bundles/bundle.entity';
import { BundleItemRole } from '../src/bundles/bundle-item.entity';
import { connectOrm } from '../src/db/orm';
import { gql, uploadMultipart } from './client';
import { generateCatalog, generateInventory, itemAt } from './generate';
import { formatCount, median, renderTable } from './report';
import { runCli, startBenchDatabase, startServerProcess } from './server';

const USAGE = `Usage: bundlegraph bench bundles [--runs N] [--sizes 40,1000,10000] [--duration S] [--warmup S] [--connections N] [--quick]

Drives recommendedBundles with autocannon (after an unmeasured warm-up of --warmup seconds, 5 by default), then
saves bundle sets of each size over HTTP (bundlesSave into a fresh run, then the same set again as updates) and
inserts the same rows with MikroORM's insertMany for comparison.
`;

const SAVE = `mutation($runId: ID!, $bundles: [BundleInput!]!) {
  bundlesSave(runId: $runId, bundles: $bundles) { inserted updated userErrors { code message } }
}`;

const RECOMMEND = `query($sku: String) { recommendedBundles(sku: $sku, first: 5) { id key title availableQuantity
  items { sku quantity title price available } pricing { originalTotal bundlePrice savings } } }`;

const CATALOG_ITEMS = 5_000;

/** Bundle n: a pair of items from a catalog of CATALOG_ITEMS, so that every bundle is distinct. */
function bundleInput(n: number) {
  const a = n % CATALOG_ITEMS;
  const b = (a + 1 + Math.floor(n / CATALOG_ITEMS)) % CATALOG_ITEMS;
  return {
    kind: 'FREQUENTLY_BOUGHT_TOGETHER',
    status: 'ACTIVE',
    title: `${itemAt(a).productTitle} + ${itemAt(b).productTitle}`,
    rank: n + 1,
    items: [{ sku: itemAt(a).sku }, { sku: itemAt(b).sku }],
    discount: { type: 'PERCENTAGE', value: '10' },
    copy: { title: 'Better together', badge: 'Save 10%' },
  };
}

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await work();
  return [result, performance.now() - started];
}

export async function runBundlesBench(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      runs: { type: 'string' },
      sizes: { type: 'string' },
      duration: { type: 'string' },
      connections: { type: 'string' },
      warmup: { type: 'string' },
      quick: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const quick = Boolean(values.quick);
  const runs = Number(values.runs ?? (quick ? 1 : 3));
  const sizes = (values.sizes ?? (quick ? '40,1000' : '40,1000,10000')).split(',').map(Number);
  const duration = Number(values.duration ?? (quick ? 5 : 30));
  const connections = Number(values.connections ?? 50);
  const warmup = Number(values.warmup ?? (quick ? 2 : 5));

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bundlegraph-bench-bundles-'));
  fs.chmodSync(dir, 0o755);
  const database = await startBenchDatabase(path.join(dir, 'db'));
  const server = await startServerProcess({ databaseUrl: database.url, nodeArgs: process.env.BENCH_CPU_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROFILE_DIR}`] : [] });
  const orm = await connectOrm(database.url);
  try {
    const { apiKey: key, shop } = await runCli(database.url, ['shop', 'create', '--domain', `bench-bundles-${process.pid}.myshopify.com`]);
    const newRun = async (name: string): Promise<string> =>
      (await gql(server.url, key, 'mutation($n: String!) { runCreate(input: { name: $n }) { run { id } } }', { n: name })).runCreate.run.id;
    const upload = async (runId: string, kind: string, file: string) => {
      const result = await uploadMultipart({
        url: server.url,
        key,
        query: 'mutation($runId: ID!, $kind: CsvKind!, $file: Upload!) { csvUpload(runId: $runId, kind: $kind, file: $file) { userErrors { code message } } }',
        variables: { runId, kind, file: null },
        variable: 'file',
        file,
      });
      if (result.data?.csvUpload.userErrors.length) throw new Error(JSON.stringify(result.data.csvUpload.userErrors));
    };
    const catalog = generateCatalog({ file: path.join(dir, 'catalog.csv'), rows: CATALOG_ITEMS });
    const inventory = generateInventory({ file: path.join(dir, 'inventory.csv'), rows: CATALOG_ITEMS * 2, locations: 2 });
    const withCatalog = async (name: string) => {
      const runId = await newRun(name);
      await upload(runId, 'CATALOG', catalog.file);
      await upload(runId, 'INVENTORY', inventory.file);
      return runId;
    };

    // One unmeasured save first, so that the figures are of a warm server (JIT, ORM metadata, connection pool).
    await gql(server.url, key, SAVE, { runId: await withCatalog('warm-up'), bundles: Array.from({ length: 40 }, (_, n) => bundleInput(n)) });

    const verdicts: string[] = [];
    // The storefront path first: ACTIVE bundles of the latest run, looked up by SKU, with items, stock and pricing.
    // Measured before the saves below, whose garbage (tens of thousands of bundles) V8 collects over the next 15 s
    // or so: right after two 10,000-bundle saves the same server served 12-13k req/s with p99 11-17 ms, against
    // 17-20k req/s with p99 6-10 ms before them and 15 s after.
    const runId = await withCatalog('storefront');
    await gql(server.url, key, SAVE, { runId, bundles: Array.from({ length: 2_000 }, (_, n) => bundleInput(n)) });
    const readKey = (await gql(server.url, key, 'mutation { apiKeyCreate(input: { scope: READ, name: "storefront" }) { token } }')).apiKeyCreate.token;
    const skus = Array.from({ length: 500 }, (_, n) => itemAt(n * 7).sku);
    // Encoded once: the load generator shares the two cores with the server, so it should do as little as it can.
    const bodies = skus.map((sku) => JSON.stringify({ query: RECOMMEND, variables: { sku } }));
    let next = 0;
    const drive = (seconds: number) =>
      autocannon({
        url: server.url,
        connections,
        duration: seconds,
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${readKey}` },
        requests: [
          {
            setupRequest: (request) => ({ ...request, body: bodies[next++ % bodies.length] }),
          },
        ],
      });
    // Unmeasured: a storefront's popular items are asked for all day; the first request for each is not the figure.
    await drive(warmup);
    const result = await drive(duration);
    const errors = result.errors + result.timeouts + result.non2xx;
    process.stdout.write(
      `\nrecommendedBundles: ${connections} connections for ${duration} s after ${warmup} s unmeasured, 500 SKUs over 2,000 ACTIVE bundles\n` +
        renderTable(
          [
            ['req/s (mean)', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'requests', 'errors'],
            [result.requests.average.toFixed(0), String(result.latency.p50), String(result.latency.p90), String(result.latency.p99), String(result.latency.max), formatCount(result.requests.total), String(errors)],
          ],
          [],
        ) +
        '\n',
    );
    verdicts.push(`recommendedBundles >= 2,000 req/s: ${result.requests.average.toFixed(0)} ${result.requests.average >= 2000 ? 'PASS' : 'FAIL'}`);
    verdicts.push(`recommendedBundles p99 < 15 ms: ${result.latency.p99} ms ${result.latency.p99 < 15 ? 'PASS' : 'FAIL'}`);
    verdicts.push(`recommendedBundles zero errors: ${errors} ${errors === 0 ? 'PASS' : 'FAIL'}`);

    const rows: string[][] = [];
    const variantOfSku = new Map(Array.from({ length: CATALOG_ITEMS }, (_, n) => [itemAt(n).sku, itemAt(n).variantId]));
    for (const size of sizes) {
      const bundles = Array.from({ length: size }, (_, n) => bundleInput(n));
      const inserts: number[] = [];
      const updates: number[] = [];
      const insertMany: number[] = [];
      for (let r = 0; r < runs; r++) {
        const runId = await withCatalog(`save ${size} #${r}`);
        const [first, insertMs] = await timed(() => gql(server.url, key, SAVE, { runId, bundles }));
        if (first.bundlesSave.inserted !== size) throw new Error(`expected ${size} inserted: ${JSON.stringify(first.bundlesSave)}`);
        inserts.push(insertMs);
        const [again, updateMs] = await timed(() => gql(server.url, key, SAVE, { runId, bundles }));
        if (again.bundlesSave.updated !== size) throw new Error(`expected ${size} updated: ${JSON.stringify(again.bundlesSave)}`);
        updates.push(updateMs);

        // The same rows through MikroORM's insertMany, in a run of their own (the database writes bundle_items the same way).
        const bareRun = (await newRun(`insertMany ${size} #${r}`)).split('/').pop()!;
        const [, manyMs] = await timed(async () => {
          const em = orm.em.fork();
          await em.transactional(async (tem) => {
            const now = new Date();
            await tem.insertMany(
              bundles.map((b, n) => tem.create(Bundle, {
                shop: shop.id,
                run: bareRun,
                key: `FREQUENTLY_BOUGHT_TOGETHER:${n}`,
                kind: BundleKind.FREQUENTLY_BOUGHT_TOGETHER,
                source: BundleSource.MANUAL,
                status: BundleStatus.ACTIVE,
                pinned: false,
                title: b.title,
                rank: b.rank,
                discount: { type: 'PERCENTAGE' as const, value: '10' },
                copy: b.copy,
                items: b.items.map((item) => ({ sku: item.sku, variantId: variantOfSku.get(item.sku) ?? null, quantity: 1, role: BundleItemRole.ITEM })),
                createdAt: now,
                updatedAt: now,
              }, { persist: false })),
            );
          });
        });
        insertMany.push(manyMs);
      }
      const save = median(inserts);
      const ratio = save / median(insertMany);
      rows.push([
        formatCount(size),
        save.toFixed(0),
        median(updates).toFixed(0),
        median(insertMany).toFixed(0),
        ratio.toFixed(2),
        formatCount(Math.round(size / (save / 1000))),
      ]);
      if (size === 40) verdicts.push(`40 bundles end to end < 50 ms: ${save.toFixed(0)} ms ${save < 50 ? 'PASS' : 'FAIL'}`);
      if (size === 10_000) {
        verdicts.push(`10,000 bundles < 1.5 s: ${(save / 1000).toFixed(2)} s ${save < 1500 ? 'PASS' : 'FAIL'}`);
        verdicts.push(`10,000 bundles within 2.5x of insertMany: ${ratio.toFixed(2)}x ${ratio <= 2.5 ? 'PASS' : 'FAIL'}`);
      }
    }
    process.stdout.write(
      `\nbundlesSave over HTTP (medians of ${runs}; a fresh run with a ${formatCount(CATALOG_ITEMS)}-item catalog each time)\n` +
        renderTable([['bundles', 'insert ms', 'update ms', 'insertMany ms', 'ratio', 'bundles/s'], ...rows], [0]) +
        '\n',
    );

    process.stdout.write(`\n${verdicts.join('\n')}\n\nreproduce: npm run bench -- bundles ${args.join(' ')}\n`);
  } finally {
    await orm.close(true);
    await server.stop();
    await database.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
