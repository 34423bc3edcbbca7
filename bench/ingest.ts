import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { RawCopyBaseline, writeServerCopyText, type ScratchShape } from './baseline';
import { gql, uploadMultipart } from './client';
import { generateCatalog, generateInventory, generateOrders, type GeneratedFile } from './generate';
import { formatCount, formatSize, median, parseSizes, renderTable } from './report';
import { RssSampler, runCli, startBenchDatabase, startServerProcess, type ServerProcess } from './server';

const USAGE = `Usage: bundlegraph bench ingest [options]

Generates synthetic CSV files, uploads each over HTTP to a bundlegraph server running as a child process, and
measures in the same run a raw COPY of the same bytes into a table of the same shape (the physical limit).

  --runs N             measurements per file, medians reported (default 3)
  --sizes LIST         order lines per orders file (default 259,10k,100k,1M)
  --item-sizes LIST    rows per catalog and inventory file (default 259,100k)
  --only LIST          some of: orders,shopify-orders,catalog,shopify-catalog,inventory,merge
  --quick              smoke run: --runs 2 --sizes 259,10k --item-sizes 259,10k
  --seed N             generator seed (default 1)
  --profile            write a CPU profile of the server per file (node --cpu-prof), kept after the run
  --keep               keep the generated files
`;

type Kind = 'ORDERS' | 'CATALOG' | 'INVENTORY';
type Group = 'orders' | 'shopify-orders' | 'catalog' | 'shopify-catalog' | 'inventory' | 'merge';
const GROUPS: Group[] = ['orders', 'shopify-orders', 'catalog', 'shopify-catalog', 'inventory', 'merge'];

interface Case {
  group: Group;
  label: string;
  kind: Kind;
  size: number;
  file: GeneratedFile;
  /** Rows the server should write: order lines, variants (image-only rows are skipped), inventory rows. */
  expected: number;
  format: string;
  shape: ScratchShape;
  warmup: GeneratedFile;
  /** The COPY text the server's transformer makes of the file, for the table COPY measurement. */
  copyText: string;
  /** Upload the file once unmeasured, then measure a second upload into the same run (the merge path). */
  merge?: boolean;
}

interface Measurement {
  e2eMs: number;
  serverMs: number;
  rawMs: number;
  tableMs: number;
  peakRss: number;
}

interface CaseResult {
  case: Case;
  runs: Measurement[];
  idleRss: number;
  error?: string;
}

const SHAPES: Record<Exclude<Group, 'merge'>, ScratchShape> = {
  orders: {
    unique: ['order_id', 'line_item_id'],
    indexes: [],
    describes: 'order_lines: primary key (run_id, order_id, line_key); here unique (run_id, order_id, line_item_id)',
  },
  'shopify-orders': {
    unique: ['Name', 'Lineitem sku'],
    indexes: [],
    describes: 'order_lines: primary key (run_id, order_id, line_key); here unique (run_id, "Name", "Lineitem sku")',
  },
  catalog: {
    unique: ['variant_id'],
    indexes: [['variant_id'], ['sku'], ['inventory_item_id']],
    describes:
      'catalog_items: primary key (run_id, item_key) + 3 indexes; here unique (run_id, variant_id) + (run_id, variant_id), (run_id, sku), (run_id, inventory_item_id)',
  },
  'shopify-catalog': {
    unique: ['Variant SKU'],
    indexes: [['bench_variant_id'], ['Variant SKU'], ['bench_inventory_item_id']],
    nullColumns: ['bench_variant_id', 'bench_inventory_item_id'],
    describes:
      'catalog_items as above; here unique (run_id, "Variant SKU") + indexes on run_id with NULL variant id, "Variant SKU", NULL inventory item id; image-only rows are copied too',
  },
  inventory: {
    unique: ['inventory_item_id', 'location_id'],
    indexes: [['inventory_item_id'], ['bench_variant_id'], ['bench_sku']],
    nullColumns: ['bench_variant_id', 'bench_sku'],
    describes:
      'inventory_levels: primary key (run_id, item_key, location_key) + 3 indexes; here unique (run_id, inventory_item_id, location_id) + (run_id, inventory_item_id) and two indexes of NULL columns (variant_id, sku are not in the file)',
  },
};

const LABELS: Record<Group, string> = {
  orders: 'orders canonical',
  'shopify-orders': 'orders Shopify export',
  catalog: 'catalog canonical',
  'shopify-catalog': 'catalog Shopify products B',
  inventory: 'inventory canonical',
  merge: 'orders canonical re-upload (merge)',
};

const CSV_UPLOAD = `mutation BenchUpload($runId: ID!, $kind: CsvKind!, $file: Upload!) {
  csvUpload(runId: $runId, kind: $kind, file: $file) {
    upload { id status format rowsRead rowsInserted rowsUpdated rowsRejected durationMs }
    userErrors { field code message }
  }
}`;

const RUN_CREATE = `mutation BenchRun($input: RunCreateInput!) { runCreate(input: $input) { run { id } userErrors { code message } } }`;

const ROW_ERRORS = `query BenchRowErrors($id: ID!) { upload(id: $id) { rowErrors(first: 5) { line column value code message } } }`;

const DATA_TABLES = ['order_lines', 'variants', 'catalog_items', 'inventory_levels'];
const WARMUP_ROWS = 5000;
/** The run id written into the COPY text of the table COPY measurement. */
const TABLE_COPY_RUN_ID = '999999999';

function log(message: string): void {
  process.stderr.write(message + '\n');
}

function mb(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(bytes >= 100 * 1024 * 1024 ? 0 : 1);
}

function ms(value: number): string {
  return formatCount(Math.round(value));
}

function withTimeout<T>(promise: Promise<T>, msTimeout: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not finish within ${msTimeout / 1000} s`)), msTimeout);
    }),
  ]);
}

interface Options {
  runs: number;
  sizes: number[];
  itemSizes: number[];
  groups: Group[];
  seed: number;
  profile: boolean;
  keep: boolean;
  argv: string[];
}

function parseOptions(args: string[]): Options | null {
  const { values } = parseArgs({
    args,
    allowPositionals: false,
    options: {
      runs: { type: 'string' },
      sizes: { type: 'string' },
      'item-sizes': { type: 'string' },
      only: { type: 'string' },
      quick: { type: 'boolean' },
      seed: { type: 'string' },
      profile: { type: 'boolean' },
      keep: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return null;
  }
  const quick = values.quick === true;
  const runs = Number(values.runs ?? (quick ? 2 : 3));
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a positive whole number');
  const seed = Number(values.seed ?? 1);
  if (!Number.isInteger(seed)) throw new Error('--seed must be a whole number');
  const groups = values.only ? (values.only.split(',').map((g) => g.trim()) as Group[]) : GROUPS;
  for (const g of groups) if (!GROUPS.includes(g)) throw new Error(`--only: unknown "${g}"; choose from ${GROUPS.join(', ')}`);
  return {
    runs,
    sizes: parseSizes(values.sizes ?? (quick ? '259,10k' : '259,10k,100k,1M')),
    itemSizes: parseSizes(values['item-sizes'] ?? (quick ? '259,10k' : '259,100k')),
    groups,
    seed,
    profile: values.profile === true,
    keep: values.keep === true,
    argv: args,
  };
}

function reproduceCommand(options: Options): string {
  const parts = [
    `--runs ${options.runs}`,
    `--sizes ${options.sizes.map(formatSize).join(',')}`,
    `--item-sizes ${options.itemSizes.map(formatSize).join(',')}`,
    `--seed ${options.seed}`,
  ];
  if (options.groups.length !== GROUPS.length) parts.push(`--only ${options.groups.join(',')}`);
  if (options.profile) parts.push('--profile');
  return `npm run bench -- ingest ${parts.join(' ')}`;
}

/** Generates the files of every case, smallest first. */
function generateCases(options: Options, dir: string): Case[] {
  const cases: Case[] = [];
  const seed = options.seed;
  const wants = (g: Group) => options.groups.includes(g);
  const timed = <T extends GeneratedFile>(name: string, make: () => T): T => {
    const started = performance.now();
    const file = make();
    log(`  ${name}: ${formatCount(file.rows)} rows, ${mb(file.bytes)} MB in ${ms(performance.now() - started)} ms`);
    return file;
  };
  const at = (name: string) => path.join(dir, name);
  // Warm-up files are large enough for the server's hot paths to be optimised before anything is measured.
  const warmSeed = seed + 1000;
  const warm = {
    orders: generateOrders({ file: at('warmup-orders.csv'), lines: WARMUP_ROWS, seed: warmSeed, items: 500 }),
    shopifyOrders: generateOrders({ file: at('warmup-orders-shopify.csv'), lines: WARMUP_ROWS, seed: warmSeed, items: 500, format: 'shopify' }),
    catalog: generateCatalog({ file: at('warmup-catalog.csv'), rows: WARMUP_ROWS, seed: warmSeed }),
    shopifyCatalog: generateCatalog({ file: at('warmup-catalog-shopify.csv'), rows: WARMUP_ROWS, seed: warmSeed, format: 'shopify' }),
    inventory: generateInventory({ file: at('warmup-inventory.csv'), rows: WARMUP_ROWS, seed: warmSeed }),
  };
  const ordersFiles = new Map<number, GeneratedFile>();
  const orderItems = (lines: number) => Math.max(50, Math.min(20_000, Math.round(lines / 20)));
  for (const group of ['orders', 'shopify-orders'] as const) {
    if (!wants(group) && !(group === 'orders' && wants('merge'))) continue;
    const format = group === 'orders' ? 'canonical' : 'shopify';
    for (const size of options.sizes) {
      if (group === 'orders' && !wants('orders') && size !== mergeSize(options)) continue;
      const name = `orders-${format}-${formatSize(size)}.csv`;
      const file = timed(name, () => generateOrders({ file: at(name), lines: size, seed, format, items: orderItems(size) }));
      if (group === 'orders') ordersFiles.set(size, file);
      if (!wants(group)) continue;
      cases.push({
        group,
        label: LABELS[group],
        kind: 'ORDERS',
        size,
        file,
        expected: size,
        format: format === 'canonical' ? 'canonical' : 'shopify-orders',
        shape: SHAPES[group],
        warmup: format === 'canonical' ? warm.orders : warm.shopifyOrders,
        copyText: file.file.replace(/\.csv$/, '.copy'),
      });
    }
  }
  for (const group of ['catalog', 'shopify-catalog', 'inventory'] as const) {
    if (!wants(group)) continue;
    for (const size of options.itemSizes) {
      const format = group === 'shopify-catalog' ? 'shopify' : 'canonical';
      const name = `${group === 'inventory' ? 'inventory' : 'catalog'}-${format}-${formatSize(size)}.csv`;
      const file =
        group === 'inventory'
          ? timed(name, () => generateInventory({ file: at(name), rows: size, seed, locations: size > 1000 ? 2 : 1 }))
          : timed(name, () => generateCatalog({ file: at(name), rows: size, seed, format }));
      cases.push({
        group,
        label: LABELS[group],
        kind: group === 'inventory' ? 'INVENTORY' : 'CATALOG',
        size,
        file,
        expected: size,
        format: format === 'canonical' ? 'canonical' : 'shopify-products',
        shape: SHAPES[group],
        warmup: group === 'inventory' ? warm.inventory : group === 'catalog' ? warm.catalog : warm.shopifyCatalog,
        copyText: file.file.replace(/\.csv$/, '.copy'),
      });
    }
  }
  const size = mergeSize(options);
  if (wants('merge') && size !== null) {
    cases.push({
      group: 'merge',
      label: LABELS.merge,
      kind: 'ORDERS',
      size,
      file: ordersFiles.get(size)!,
      expected: size,
      format: 'canonical',
      shape: SHAPES.orders,
      warmup: warm.orders,
      copyText: ordersFiles.get(size)!.file.replace(/\.csv$/, '.copy'),
      merge: true,
    });
  }
  return cases;
}

/** The merge path is measured on the 100k orders file, or the largest orders size below it. */
function mergeSize(options: Options): number | null {
  const candidates = options.sizes.filter((s) => s <= 100_000);
  return candidates.length ? Math.max(...candidates) : null;
}

interface Upload {
  id: string;
  status: string;
  format: string;
  rowsRead: number;
  rowsInserted: number;
  rowsUpdated: number;
  rowsRejected: number;
  durationMs: number | null;
}

class Bench {
  private server: ServerProcess | null = null;
  private key = '';

  constructor(
    private readonly databaseUrl: string,
    private readonly baseline: RawCopyBaseline,
    private readonly options: Options,
    private readonly profileDir: string | null,
  ) {}

  async setUp(): Promise<void> {
    // The first server applies the migrations; the shop is then created as a merchant would, with the CLI.
    await this.restart(null);
    const created = await runCli(this.databaseUrl, ['shop', 'create', '--domain', `bench-${process.pid}.myshopify.com`]);
    this.key = created.apiKey;
  }

  async restart(name: string | null): Promise<ServerProcess> {
    await this.stopServer();
    const nodeArgs = name && this.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.join(this.profileDir, name)}`] : [];
    this.server = await startServerProcess({ databaseUrl: this.databaseUrl, nodeArgs });
    return this.server;
  }

  async stopServer(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await server.stop();
  }

  private async createRun(name: string): Promise<string> {
    const data = await gql(this.server!.url, this.key, RUN_CREATE, { input: { name } });
    const payload = data.runCreate;
    if (payload.userErrors.length) throw new Error(`runCreate: ${JSON.stringify(payload.userErrors)}`);
    return payload.run.id;
  }

  private async upload(runId: string, kind: Kind, file: string): Promise<{ upload: Upload; ms: number }> {
    const started = performance.now();
    const result = await uploadMultipart({
      url: this.server!.url,
      key: this.key,
      query: CSV_UPLOAD,
      variables: { runId, kind, file: null },
      variable: 'file',
      file,
    });
    const elapsed = performance.now() - started;
    const payload = result.data?.csvUpload;
    if (result.errors?.length || !payload) {
      throw new Error(`upload of ${path.basename(file)} failed (HTTP ${result.status}): ${JSON.stringify(result.errors)}`);
    }
    if (payload.userErrors.length || payload.upload?.status !== 'SUCCEEDED') {
      let detail = '';
      if (payload.upload?.id) {
        const errors = await gql(this.server!.url, this.key, ROW_ERRORS, { id: payload.upload.id }).catch(() => null);
        detail = errors ? ` rowErrors: ${JSON.stringify(errors.upload?.rowErrors)}` : '';
      }
      throw new Error(
        `upload of ${path.basename(file)} did not succeed: ${JSON.stringify(payload.userErrors)} ${JSON.stringify(payload.upload)}${detail}`,
      );
    }
    return { upload: payload.upload, ms: elapsed };
  }

  /** Every measurement starts from empty data tables and a checkpoint, like the raw COPY it is compared with. */
  private async resetDatabase(): Promise<void> {
    await this.baseline.query(`TRUNCATE ${DATA_TABLES.join(', ')}`);
    await this.baseline.query('CHECKPOINT');
  }

  private check(c: Case, upload: Upload, merge: boolean): void {
    const written = merge ? upload.rowsUpdated : upload.rowsInserted;
    const other = merge ? upload.rowsInserted : upload.rowsUpdated;
    if (written !== c.expected || other !== 0 || upload.rowsRejected !== 0) {
      throw new Error(
        `${c.label} ${formatSize(c.size)}: expected ${c.expected} rows ${merge ? 'updated' : 'inserted'}, got ${JSON.stringify(upload)}`,
      );
    }
    if (upload.format !== c.format) log(`  warning: ${c.file.file} was read as "${upload.format}", not "${c.format}"`);
  }

  async measure(c: Case, table: string): Promise<CaseResult> {
    const name = `${c.group}-${formatSize(c.size)}`;
    if (!fs.existsSync(c.copyText)) await writeServerCopyText(c.kind, c.file.file, c.copyText, TABLE_COPY_RUN_ID);
    const server = await this.restart(name);
    await this.baseline.prepare(table, c.file.header, c.shape);
    const warmRun = await this.createRun(`warm-up ${name}`);
    await this.upload(warmRun, c.kind, c.warmup.file);
    if (c.merge) await this.upload(warmRun, c.kind, c.warmup.file);
    const idleRss = server.memory()?.rss ?? 0;
    const runs: Measurement[] = [];
    for (let r = 0; r < this.options.runs; r++) {
      const measured: Partial<Measurement> = {};
      const steps: (() => Promise<void>)[] = [
        async () => {
          await this.resetDatabase();
          const runId = await this.createRun(`${name} #${r + 1}`);
          if (c.merge) {
            const first = await this.upload(runId, c.kind, c.file.file);
            this.check(c, first.upload, false);
            await this.baseline.query('CHECKPOINT');
          }
          const sampler = new RssSampler(server).start();
          let result: { upload: Upload; ms: number };
          try {
            result = await this.upload(runId, c.kind, c.file.file);
          } finally {
            sampler.stop();
          }
          this.check(c, result.upload, c.merge === true);
          Object.assign(measured, { e2eMs: result.ms, serverMs: result.upload.durationMs ?? NaN, peakRss: sampler.peak });
        },
        async () => {
          measured.rawMs = (await this.baseline.copy(table, c.file.header, c.file.file)).ms;
        },
        async () => {
          await this.resetDatabase();
          measured.tableMs = (await this.baseline.copyIntoTarget(c.kind, c.copyText)).ms;
        },
      ];
      // Rotating the order evens out drift (cache warmth, background writes) between the three measurements.
      for (let i = 0; i < steps.length; i++) await steps[(i + r) % steps.length]!();
      const m = measured as Measurement;
      runs.push(m);
      log(
        `  ${c.label} ${formatSize(c.size)} #${r + 1}: end to end ${ms(m.e2eMs)} ms (server ${ms(m.serverMs)} ms), ` +
          `raw COPY ${ms(m.rawMs)} ms, table COPY ${ms(m.tableMs)} ms, peak RSS ${mb(m.peakRss)} MB`,
      );
    }
    await this.baseline.drop(table);
    return { case: c, runs, idleRss };
  }
}

interface TargetRow {
  target: string;
  measured: string;
  result: 'PASS' | 'FAIL' | 'n/a';
}

function findResult(results: CaseResult[], group: Group, size: number): CaseResult | undefined {
  return results.find((r) => r.case.group === group && r.case.size === size && !r.error && r.runs.length);
}

function largest(results: CaseResult[], group: Group): CaseResult | undefined {
  const ok = results.filter((r) => r.case.group === group && !r.error && r.runs.length);
  return ok.sort((a, b) => b.case.size - a.case.size)[0];
}

function stats(result: CaseResult) {
  const e2e = median(result.runs.map((r) => r.e2eMs));
  const raw = median(result.runs.map((r) => r.rawMs));
  const table = median(result.runs.map((r) => r.tableMs));
  return {
    e2e,
    raw,
    table,
    server: median(result.runs.map((r) => r.serverMs)),
    ratio: e2e / raw,
    tableRatio: e2e / table,
    peak: Math.max(...result.runs.map((r) => r.peakRss)),
    min: Math.min(...result.runs.map((r) => r.e2eMs)),
    max: Math.max(...result.runs.map((r) => r.e2eMs)),
  };
}

const MB = 1024 * 1024;

/** A target defined on the 1M-line file; on a smaller file the value is shown but not judged. */
function atMillion(results: CaseResult[], group: Group): { result: CaseResult; exact: boolean } | undefined {
  const exact = findResult(results, group, 1_000_000);
  if (exact) return { result: exact, exact: true };
  const other = largest(results, group);
  return other && { result: other, exact: false };
}

function evaluateTargets(results: CaseResult[]): TargetRow[] {
  const rows: TargetRow[] = [];
  const judged = (ok: boolean, exact: boolean): TargetRow['result'] => (exact ? (ok ? 'PASS' : 'FAIL') : 'n/a');
  const ratioTarget = (group: Group, limit: number, text: string) => {
    const found = atMillion(results, group);
    if (!found) return rows.push({ target: text, measured: 'not measured', result: 'n/a' });
    const s = stats(found.result);
    const where = found.exact ? '' : ` at ${formatSize(found.result.case.size)} (target is for 1M)`;
    rows.push({ target: text, measured: `${s.ratio.toFixed(2)}x${where}`, result: judged(s.ratio <= limit, found.exact) });
  };
  ratioTarget('orders', 1.25, '1M canonical order lines, end to end <= 1.25x raw COPY');
  ratioTarget('shopify-orders', 2, '1M-line Shopify orders export, end to end <= 2x raw COPY');
  for (const group of ['catalog', 'inventory'] as const) {
    const text = `259 ${group} rows, end to end < 150 ms`;
    const r = findResult(results, group, 259);
    if (!r) rows.push({ target: text, measured: 'not measured', result: 'n/a' });
    else {
      const s = stats(r);
      rows.push({ target: text, measured: `${ms(s.e2e)} ms (server ${ms(s.server)} ms)`, result: s.e2e < 150 ? 'PASS' : 'FAIL' });
    }
  }
  for (const group of ['orders', 'shopify-orders'] as const) {
    const found = atMillion(results, group);
    const text = `server peak RSS < 300 MB, ${LABELS[group]} 1M`;
    if (!found) rows.push({ target: text, measured: 'not measured', result: 'n/a' });
    else {
      const peak = stats(found.result).peak;
      const where = found.exact ? '' : ` at ${formatSize(found.result.case.size)} (target is for 1M)`;
      rows.push({ target: text, measured: `${mb(peak)} MB${where}`, result: judged(peak < 300 * MB, found.exact) });
    }
  }
  for (const group of ['orders', 'shopify-orders'] as const) {
    const measured = results.filter((r) => r.case.group === group && !r.error && r.runs.length && r.case.size >= 10_000);
    const text = `peak RSS not growing with size, ${LABELS[group]}: largest <= 10k file's + 64 MB`;
    if (measured.length < 2) {
      rows.push({ target: text, measured: 'needs two sizes >= 10k', result: 'n/a' });
      continue;
    }
    measured.sort((a, b) => a.case.size - b.case.size);
    const peaks = measured.map((r) => `${formatSize(r.case.size)} ${mb(stats(r).peak)}`).join(', ');
    const growth = stats(measured[measured.length - 1]!).peak - stats(measured[0]!).peak;
    rows.push({
      target: text,
      measured: `${peaks} MB (${growth >= 0 ? '+' : ''}${mb(growth)} MB)`,
      result: growth <= 64 * MB ? 'PASS' : 'FAIL',
    });
  }
  return rows;
}

function printReport(results: CaseResult[], options: Options, context: string[]): void {
  const out: string[] = [];
  out.push('', `bundlegraph ingest benchmark: ${options.runs} run(s) per file, medians`, ...context, '');
  const table: string[][] = [
    ['file', 'rows', 'MB', 'e2e ms', 'e2e min-max', 'server ms', 'rows/s', 'raw COPY ms', 'ratio', 'table COPY ms', 'e2e/table', 'peak RSS MB', 'idle RSS MB'],
  ];
  for (const r of results) {
    const name = `${r.case.label} ${formatSize(r.case.size)}`;
    if (r.error || !r.runs.length) {
      table.push([name, formatCount(r.case.file.rows), mb(r.case.file.bytes), 'ERROR', '', '', '', '', '', '', '', '', '']);
      continue;
    }
    const s = stats(r);
    table.push([
      name,
      formatCount(r.case.file.rows),
      mb(r.case.file.bytes),
      ms(s.e2e),
      `${ms(s.min)}-${ms(s.max)}`,
      ms(s.server),
      formatCount(Math.round(r.case.expected / (s.e2e / 1000))),
      ms(s.raw),
      s.ratio.toFixed(2),
      ms(s.table),
      s.tableRatio.toFixed(2),
      mb(s.peak),
      mb(r.idleRss),
    ]);
  }
  out.push(renderTable(table, [0]));
  out.push('');
  const targets = evaluateTargets(results);
  out.push(renderTable([['target', 'measured', 'result'], ...targets.map((t) => [t.target, t.measured, t.result])], [0, 1, 2]));
  const failed = results.filter((r) => r.error);
  if (failed.length) {
    out.push('', 'Errors:');
    for (const r of failed) out.push(`  ${r.case.label} ${formatSize(r.case.size)}: ${r.error}`);
  }
  out.push(
    '',
    'How it is measured:',
    '  e2e ms       client wall time of one csvUpload multipart POST (file streamed from disk, response read), into a',
    '               fresh run of empty data tables (the direct-COPY path); the merge row re-uploads the file into the run',
    '               that already holds it (every row replaces one). server ms: the upload record\'s durationMs.',
    '  rows/s       rows the server wrote / e2e median. Rows: data records in the file (Shopify products: image-only',
    '               rows included, which the server skips).',
    '  raw COPY ms  the same file\'s bytes streamed with pg-copy-streams into COPY ... FROM STDIN (FORMAT csv, HEADER),',
    '               same database, table truncated and CHECKPOINT before each run. The scratch table has the CSV\'s',
    '               columns as text, run_id bigint by default, and as many b-tree indexes as the target:',
  );
  const seen = new Set<Group>();
  for (const r of results) {
    if (seen.has(r.case.group) || r.case.group === 'merge') continue;
    seen.add(r.case.group);
    out.push(`                 ${LABELS[r.case.group]}: ${r.case.shape.describes}`);
  }
  out.push(
    '  ratio        e2e median / raw COPY median, all measured in this run, rotating which goes first. The targets use it.',
    '  table COPY   the COPY text the server\'s own transformer makes of the file (written before measuring) streamed',
    '               into the real target table (empty, CHECKPOINT first): the database\'s share of an upload. e2e/table',
    '               is what parsing, HTTP and GraphQL add on top, as far as they do not overlap with COPY.',
    '  peak RSS     max VmRSS of the server process sampled every 50 ms during the measured uploads of the file;',
    '               idle RSS: after start and a warm-up upload. The server is restarted for every file. The merge',
    '               row\'s peak includes what the unmeasured first upload just before it left on the heap.',
    '',
    `Reproduce: ${reproduceCommand(options)}`,
    `       or: npm run build && npx bundlegraph bench ingest ${options.argv.join(' ')}`.trimEnd(),
    '',
  );
  process.stdout.write(out.join('\n') + '\n');
}

async function describeEnvironment(baseline: RawCopyBaseline, startLoad: number): Promise<string[]> {
  const settings = await baseline.rows(
    `SELECT name, setting, unit FROM pg_settings WHERE name IN ('server_version', 'shared_buffers', 'max_wal_size', 'synchronous_commit', 'wal_level') ORDER BY name`,
  );
  const pg = settings.map((s) => `${s.name}=${s.setting}${s.unit ? ' ' + s.unit : ''}`).join(', ');
  const cpu = os.cpus();
  return [
    `machine: ${cpu.length} x ${cpu[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 1024 ** 3)} GB RAM; node ${process.version}`,
    `PostgreSQL (embedded, same machine): ${pg}`,
    `load average (1 min) before the run: ${startLoad.toFixed(1)} on ${cpu.length} cores` +
      (startLoad >= 1 ? ': other processes were using the CPU, so absolute times are inflated; compare ratios' : ''),
  ];
}

export async function runIngestBench(args: string[]): Promise<void> {
  const options = parseOptions(args);
  if (!options) return;
  const startLoad = os.loadavg()[0]!;
  const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bundlegraph-bench-'));
  fs.chmodSync(tempDir, 0o755);
  const filesDir = path.join(tempDir, 'files');
  fs.mkdirSync(filesDir);
  const profileDir = options.profile ? fs.mkdtempSync(path.join(os.tmpdir(), 'bundlegraph-bench-profiles-')) : null;

  const cleanups: { what: string; run: () => Promise<void> }[] = [];
  let cleaning: Promise<void> | null = null;
  const cleanUp = () =>
    (cleaning ??= (async () => {
      while (cleanups.length) {
        const step = cleanups.pop()!;
        try {
          await withTimeout(step.run(), 60_000, step.what);
        } catch (error) {
          log(`cleanup: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    })());
  cleanups.push({
    what: 'removing temporary files',
    run: async () => {
      if (options.keep) log(`generated files kept in ${filesDir}`);
      else fs.rmSync(tempDir, { recursive: true, force: true });
    },
  });
  const onSignal = (signal: NodeJS.Signals) => {
    log(`\n${signal}: stopping the server and the database`);
    void cleanUp().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    log(`generating files in ${filesDir}`);
    const cases = generateCases(options, filesDir);

    log('starting an embedded PostgreSQL');
    const database = await startBenchDatabase(path.join(tempDir, 'db'));
    cleanups.push({ what: 'stopping the embedded database', run: () => database.stop() });
    const baseline = await RawCopyBaseline.connect(database.url);
    cleanups.push({ what: 'closing the baseline connection', run: () => baseline.close() });
    const bench = new Bench(database.url, baseline, options, profileDir);
    cleanups.push({ what: 'stopping the server', run: () => bench.stopServer() });
    await bench.setUp();
    const context = await describeEnvironment(baseline, startLoad);

    const results: CaseResult[] = [];
    for (const [i, c] of cases.entries()) {
      log(`${c.label} ${formatSize(c.size)} (${formatCount(c.file.rows)} rows, ${mb(c.file.bytes)} MB)`);
      try {
        results.push(await bench.measure(c, `bench_copy_${i}`));
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        log(`  ERROR: ${message}`);
        results.push({ case: c, runs: [], idleRss: 0, error: message });
      }
    }
    await bench.stopServer();
    printReport(results, options, context);
    if (profileDir) process.stdout.write(`CPU profiles of the server (one folder per file): ${profileDir}\n`);
  } finally {
    await cleanUp();
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}
