import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import {
  BUILD_SETTINGS,
  COVERAGE_DATASETS,
  itemsStatement,
  matchStatement,
  ordersStatement,
  stateStatement,
  type Statement,
} from '../src/coverage/coverage.service';
import { gql, uploadMultipart } from './client';
import { generateCatalog, generateInventory, generateOrders, type GeneratedFile } from './generate';
import { formatCount, formatSize, median, parseSize, renderTable } from './report';
import { runCli, startBenchDatabase, startServerProcess } from './server';

const USAGE = `Usage: bundlegraph bench coverage [options]

Uploads one run (orders, variants, catalog as a Shopify products export, inventory keyed by inventory item id) to a
server child process, then times Run.coverage over HTTP, each field alone and the whole object, in three states:
  cold     nothing computed yet: what the first request after an ORDERS upload finds
  matching the order-line parts computed, the dataset matches not: the first request after a variants, catalog or
           inventory upload
  warm     everything asked for before: any later request
and prints EXPLAIN (ANALYZE, BUFFERS) of the statements behind the whole object.

  --lines N      order lines (default 1M)
  --variants N   variants, catalog rows and inventory items (default 50k; inventory has 2 locations per item)
  --runs N       measurements per field and state, medians reported (default 5)
  --seed N       generator seed (default 1)
  --explain      print the full plans, not only their shape
  --keep         keep the generated files
`;

const MATCH = 'matchedLines unmatchedLines lineRatio matchedSkus skuRatio';

const FIELDS: [string, string][] = [
  ['orderLines', 'orderLines'],
  ['orders', 'orders'],
  ['multiItemOrders', 'multiItemOrders'],
  ['distinctSkusOrdered', 'distinctSkusOrdered'],
  ['variants', `variants { ${MATCH} }`],
  ['catalog', `catalog { ${MATCH} }`],
  ['inventory', `inventory { ${MATCH} }`],
  ['unmatchedSkus', 'unmatchedSkus(first: 20) { sku orderLines quantity }'],
  [
    'whole object',
    `orders orderLines multiItemOrders distinctSkusOrdered variants { ${MATCH} } catalog { ${MATCH} } inventory { ${MATCH} }
     unmatchedSkus(first: 20) { sku orderLines quantity }`,
  ],
];

const SINGLE_COUNTS = ['orderLines', 'orders', 'multiItemOrders', 'distinctSkusOrdered'];

type State = 'cold' | 'matching' | 'warm';
const STATES: State[] = ['cold', 'matching', 'warm'];

function log(message: string): void {
  process.stderr.write(message + '\n');
}

/** MikroORM's `?` placeholders as PostgreSQL's `$n`, for running a service statement on a plain pg client. */
function toPg(statement: Statement): string {
  let n = 0;
  return statement.sql.replace(/\?/g, () => `$${++n}`);
}

/** The plan as a tree of node names with their rows and time: what the report calls its shape. */
function planShape(lines: string[]): string[] {
  const out: string[] = [];
  for (const line of lines) {
    const node = /^(\s*)(?:->\s+)?(.*?)\s+\(actual time=[\d.]+\.\.([\d.]+) rows=([\d.]+) loops=(\d+)\)/.exec(line);
    const cte = /^(\s*)(CTE \w+|SubPlan \d+|InitPlan \d+)$/.exec(line);
    if (node) {
      const loops = Number(node[5]);
      out.push(`${node[1]}${node[2]}  [${formatCount(Number(node[4]) * loops)} rows, ${Number(node[3]).toFixed(0)} ms${loops > 1 ? ` x${loops}` : ''}]`);
    } else if (cte) out.push(`${cte[1]}${cte[2]}`);
    else if (/^\s*(Execution Time|Planning Time)/.test(line)) out.push(line.trim());
  }
  return out;
}

export async function runCoverageBench(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      lines: { type: 'string' },
      variants: { type: 'string' },
      runs: { type: 'string' },
      seed: { type: 'string' },
      explain: { type: 'boolean' },
      keep: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const lines = parseSize(values.lines ?? '1M');
  const variants = parseSize(values.variants ?? '50k');
  const runs = Number(values.runs ?? 5);
  const seed = Number(values.seed ?? 1);
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a positive whole number');

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bundlegraph-bench-coverage-'));
  fs.chmodSync(dir, 0o755);
  const files = path.join(dir, 'files');
  fs.mkdirSync(files);
  const cleanups: (() => Promise<void>)[] = [];
  const cleanUp = async () => {
    while (cleanups.length) {
      try {
        await cleanups.pop()!();
      } catch (error) {
        log(`cleanup: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (values.keep) log(`generated files kept in ${files}`);
    else fs.rmSync(dir, { recursive: true, force: true });
  };
  const onSignal = (signal: NodeJS.Signals) => {
    log(`\n${signal}: stopping the server and the database`);
    void cleanUp().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    log(`generating ${formatCount(lines)} order lines over ${formatCount(variants)} variants in ${files}`);
    const generated: Record<string, GeneratedFile> = {
      ORDERS: generateOrders({ file: path.join(files, 'orders.csv'), lines, items: variants, unknownItemRate: 0.03, seed }),
      VARIANTS: generateCatalog({ file: path.join(files, 'variants.csv'), rows: variants, seed }),
      CATALOG: generateCatalog({ file: path.join(files, 'products.csv'), rows: variants, seed, format: 'shopify' }),
      INVENTORY: generateInventory({ file: path.join(files, 'inventory.csv'), rows: variants * 2, seed, locations: 2 }),
    };

    log('starting an embedded PostgreSQL and a server');
    const database = await startBenchDatabase(path.join(dir, 'db'));
    cleanups.push(() => database.stop());
    const server = await startServerProcess({ databaseUrl: database.url });
    cleanups.push(() => server.stop());
    const db = new Client({ connectionString: database.url });
    await db.connect();
    cleanups.push(() => db.end());
    const { apiKey: key } = await runCli(database.url, ['shop', 'create', '--domain', `bench-coverage-${process.pid}.myshopify.com`]);

    const runGid = (await gql(server.url, key, 'mutation { runCreate(input: { name: "coverage" }) { run { id } } }')).runCreate.run.id as string;
    const runId = runGid.split('/').pop()!;
    const uploads: string[][] = [['file', 'rows', 'MB', 'upload ms']];
    for (const [kind, file] of Object.entries(generated)) {
      const started = performance.now();
      const result = await uploadMultipart({
        url: server.url,
        key,
        query: `mutation($runId: ID!, $kind: CsvKind!, $file: Upload!) {
          csvUpload(runId: $runId, kind: $kind, file: $file) { upload { status rowsWritten } userErrors { code message } } }`,
        variables: { runId: runGid, kind, file: null },
        variable: 'file',
        file: file.file,
      });
      const payload = result.data?.csvUpload;
      if (!payload || payload.userErrors.length || payload.upload.status !== 'SUCCEEDED') {
        throw new Error(`upload of ${kind} failed: ${JSON.stringify(result.errors ?? payload)}`);
      }
      uploads.push([`${kind} ${path.basename(file.file)}`, formatCount(payload.upload.rowsWritten), (file.bytes / 1024 / 1024).toFixed(0), (performance.now() - started).toFixed(0)]);
      log(`  ${kind}: ${formatCount(payload.upload.rowsWritten)} rows`);
    }

    const ask = async (selection: string): Promise<{ ms: number; data: any }> => {
      const started = performance.now();
      const data = await gql(server.url, key, `query($id: ID!) { run(id: $id) { coverage { ${selection} } } }`, { id: runGid });
      return { ms: performance.now() - started, data: data.run.coverage };
    };
    const whole = FIELDS[FIELDS.length - 1]![1];

    // The first request right after the uploads, while the server may still be vacuuming the new rows.
    const first = await ask(whole);
    log(`first request for the whole object after the uploads: ${first.ms.toFixed(0)} ms`);
    const answer = first.data;

    // Later requests see vacuumed and analysed tables: what the server's background maintenance leaves after a
    // large upload (and autovacuum a minute after a small one). This VACUUM waits for the server's own.
    await db.query('VACUUM (ANALYZE) order_lines, variants, catalog_items, inventory_levels, coverage_parts, coverage_items, csv_uploads');
    const reset = async (state: State) => {
      if (state === 'cold') {
        await db.query('DELETE FROM coverage_parts WHERE run_id = $1', [runId]);
        await db.query('DELETE FROM coverage_items WHERE run_id = $1', [runId]);
      } else if (state === 'matching') {
        await db.query(`DELETE FROM coverage_parts WHERE run_id = $1 AND part = ANY($2::text[])`, [runId, [...COVERAGE_DATASETS]]);
      } else {
        await ask(whole);
      }
    };

    const timings = new Map<string, number[]>();
    const loadBefore = os.loadavg();
    for (let r = 0; r < runs; r++) {
      for (const state of STATES) {
        for (const [name, selection] of FIELDS) {
          if (state === 'matching' && !['variants', 'catalog', 'inventory', 'unmatchedSkus', 'whole object'].includes(name)) continue;
          await reset(state);
          const { ms } = await ask(selection);
          const key = `${state}:${name}`;
          timings.set(key, [...(timings.get(key) ?? []), ms]);
        }
      }
      log(`  round ${r + 1}/${runs} done`);
    }
    const loadAfter = os.loadavg();

    // The least the database itself takes for each order-line figure: the minimal statement over the same lines, on
    // a plain connection, with nothing stored or sent back but the figure. What the service adds is above this.
    const floors: [string, string][] = [
      ['orderLines: count(*)', 'SELECT count(*) FROM order_lines WHERE run_id = $1'],
      ['orders: count(DISTINCT order_id)', 'SELECT count(DISTINCT order_id) FROM order_lines WHERE run_id = $1'],
      ['grouping by order alone (no item)', 'SELECT count(*) FROM (SELECT 1 FROM order_lines WHERE run_id = $1 GROUP BY order_id) g'],
      ['grouping by SKU alone', "SELECT count(*) FROM (SELECT 1 FROM order_lines WHERE run_id = $1 AND sku <> '' GROUP BY sku) g"],
    ];
    const floorTimes: string[][] = [['minimal statement', 'ms (median)', 'min-max']];
    await db.query("SET work_mem = '128MB'");
    await db.query('SET jit = off');
    for (const [label, sql] of floors) {
      const times: number[] = [];
      for (let r = 0; r < runs; r++) {
        const started = performance.now();
        await db.query(sql, [runId]);
        times.push(performance.now() - started);
      }
      floorTimes.push([label, median(times).toFixed(0), `${Math.min(...times).toFixed(0)}-${Math.max(...times).toFixed(0)}`]);
    }
    await db.query('RESET ALL');

    // Plans of the statements behind the whole object, from the cold state, each in a rolled-back transaction.
    await reset('cold');
    const plans: [string, string[]][] = [];
    const explain = async (statement: Statement, settings: boolean, label = statement.step) => {
      await db.query('BEGIN');
      if (settings) await db.query(BUILD_SETTINGS);
      const result = await db.query(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${toPg(statement)}`, statement.params);
      plans.push([label, result.rows.map((row) => row['QUERY PLAN'] as string)]);
      await db.query('ROLLBACK');
    };
    await explain(stateStatement([runId], { LINES: [runId] }), false, 'state (orderLines counted live)');
    // The live counts of orders and distinctSkusOrdered asked alone (they run under the build settings).
    await explain(stateStatement([runId], { ORDER_COUNT: [runId], SKU_COUNT: [runId] }), true, 'state (orders and distinctSkusOrdered counted live)');
    await explain(ordersStatement([runId]), true);
    await explain(itemsStatement([runId]), true);
    // The match reads stored items: build them for real first, as the service does.
    const itemsBuild = itemsStatement([runId]);
    const built = await db.query(toPg(itemsBuild), itemsBuild.params);
    const ordersVersion = String(built.rows[0].orders_version);
    await explain(matchStatement([{ runId, ordersVersion, datasets: COVERAGE_DATASETS }]), true);

    const report: string[] = [];
    const cpus = os.cpus();
    const settings = await db.query(
      `SELECT name, setting, unit FROM pg_settings WHERE name IN ('server_version', 'shared_buffers', 'work_mem', 'max_parallel_workers_per_gather') ORDER BY name`,
    );
    report.push(
      '',
      `bundlegraph coverage benchmark: one run, ${formatCount(lines)} order lines (${formatCount(answer.orders)} orders), ${formatCount(variants)} variants, ` +
        `${formatCount(variants)} catalog rows (Shopify products export: SKUs only), ${formatCount(variants * 2)} inventory rows (inventory item ids only)`,
      `machine: ${cpus.length} x ${cpus[0]?.model ?? 'cpu'}; node ${process.version}; load average ${loadBefore.map((l) => l.toFixed(1)).join(' ')} before, ` +
        `${loadAfter.map((l) => l.toFixed(1)).join(' ')} after (a shared machine: compare states within this run, not across runs)`,
      `PostgreSQL (embedded, same machine): ${settings.rows.map((s) => `${s.name}=${s.setting}${s.unit ? ' ' + s.unit : ''}`).join(', ')}`,
      '',
      renderTable(uploads, [0]),
      '',
      `Answer: orderLines ${formatCount(answer.orderLines)}, orders ${formatCount(answer.orders)}, multiItemOrders ${formatCount(answer.multiItemOrders)}, ` +
        `distinctSkusOrdered ${formatCount(answer.distinctSkusOrdered)}; matched lines: variants ${formatCount(answer.variants.matchedLines)}, ` +
        `catalog ${formatCount(answer.catalog.matchedLines)}, inventory ${formatCount(answer.inventory.matchedLines)}`,
      `First request for the whole object right after the uploads (the server's VACUUM ANALYZE of the new rows possibly still running): ${first.ms.toFixed(0)} ms`,
      '',
      `Run.coverage over HTTP, client wall time in ms, medians of ${runs}:`,
    );
    const table: string[][] = [['field', ...STATES.map((s) => `${s} ms`), `${STATES[0]} min-max`]];
    for (const [name] of FIELDS) {
      const cell = (state: State) => {
        const values = timings.get(`${state}:${name}`);
        return values ? median(values).toFixed(0) : '-';
      };
      const cold = timings.get(`cold:${name}`) ?? [];
      table.push([name, ...STATES.map(cell), `${Math.min(...cold).toFixed(0)}-${Math.max(...cold).toFixed(0)}`]);
    }
    report.push(renderTable(table, [0]), '');

    const verdicts: string[][] = [['target', 'state', 'measured', 'result']];
    for (const state of STATES) {
      const wholeMs = median(timings.get(`${state}:whole object`)!);
      verdicts.push(['whole object < 500 ms', state, `${wholeMs.toFixed(0)} ms`, wholeMs < 500 ? 'PASS' : 'FAIL']);
      if (state === 'matching') continue;
      const worst = SINGLE_COUNTS.map((n) => [n, median(timings.get(`${state}:${n}`)!)] as const).sort((a, b) => b[1] - a[1])[0]!;
      verdicts.push(['each single count < 200 ms', state, `slowest ${worst[0]} ${worst[1].toFixed(0)} ms`, worst[1] < 200 ? 'PASS' : 'FAIL']);
    }
    report.push(renderTable(verdicts, [0, 1, 2, 3]), '');
    report.push(
      `The database alone, for the minimal statement of each order-line figure (psql-like connection, medians of ${runs}):`,
      renderTable(floorTimes, [0]),
      'multiItemOrders needs at least the grouping by order, distinctSkusOrdered the grouping by SKU.',
      '',
    );

    report.push('Statements behind the single counts and the whole object, from the cold state (EXPLAIN ANALYZE, BUFFERS; rolled back):');
    for (const [step, plan] of plans) {
      report.push('', `-- ${step}`);
      report.push(...(values.explain ? plan : planShape(plan)).map((l) => '  ' + l));
    }
    report.push(
      '',
      'How it is measured: the server runs as a child process (NODE_ENV=production) on an embedded PostgreSQL; each',
      'request is one JSON POST of run(id) { coverage { <field> } }. Before each cold request the run\'s rows of',
      'coverage_parts and coverage_items are deleted (what an ORDERS upload amounts to); before each matching request',
      'its VARIANTS, CATALOG and INVENTORY parts are (what another upload amounts to). The tables are VACUUM ANALYZEd',
      'after the uploads, as the server does in the background after a large upload; the first request above ran',
      'right after the last upload, alongside that maintenance.',
      '',
      `Reproduce: npm run bench -- coverage --lines ${formatSize(lines)} --variants ${formatSize(variants)} --runs ${runs} --seed ${seed}`,
      '',
    );
    process.stdout.write(report.join('\n') + '\n');
  } finally {
    await cleanUp();
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}
