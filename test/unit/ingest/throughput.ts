import { parse } from 'csv-parse';
import { PassThrough, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createCsvToCopy, type CsvKind } from '../../../src/ingest/csv';
import { CsvTokenizer } from '../../../src/ingest/csv/tokenizer';
import { Utf8ChunkDecoder } from '../../../src/ingest/csv/utf8';
import { canonicalOrders, shopifyOrders } from './generate';

/**
 * Throughput of the CSV layer: csv-parse alone, the tokenizer alone, csv-parse feeding the encoders, and the
 * whole transformer. Data is generated in memory. Usage: node dist/test/unit/ingest/throughput.js [lines]
 */

function now(): number {
  return Number(process.hrtime.bigint()) / 1e9;
}

async function csvParseOnly(chunks: Buffer[]): Promise<number> {
  let n = 0;
  const p = parse({ relax_column_count: true, relax_quotes: true, bom: true });
  p.on('data', () => n++);
  const src = new PassThrough();
  const done = pipeline(src, p, new Writable({ objectMode: true, write: (_c, _e, cb) => cb() }));
  for (const c of chunks) if (!src.write(c)) await new Promise((r) => src.once('drain', r));
  src.end();
  await done;
  return n - 1;
}

function tokenizerOnly(chunks: Buffer[]): number {
  let n = 0;
  const d = new Utf8ChunkDecoder();
  const t = new CsvTokenizer(() => n++, { maxFieldBytes: 65536 });
  for (const c of chunks) {
    const x = d.decode(c);
    t.push(x.text, x.invalid);
  }
  t.end();
  return n - 1;
}

async function csvParseToCopy(kind: CsvKind, chunks: Buffer[]): Promise<number> {
  const s = createCsvToCopy({ kind, runId: '1', uploadId: '1' });
  const onRecord = (s as unknown as { onRecord(f: string[], n: number, l: number, p: number, a: number, b: number, filled: number, lastFilled: number): void }).onRecord.bind(s);
  let bytes = 0;
  s.on('data', (b: Buffer) => (bytes += b.length));
  const p = parse({ relax_column_count: true, relax_quotes: true, bom: true, info: true });
  p.on('data', (r: { record: string[]; info: { lines: number } }) => onRecord(r.record, r.record.length, r.info.lines, 0, -1, 0, 1, -1));
  const src = new PassThrough();
  const done = pipeline(src, p, new Writable({ objectMode: true, write: (_c, _e, cb) => cb() }));
  for (const c of chunks) if (!src.write(c)) await new Promise((r) => src.once('drain', r));
  src.end();
  await done;
  return s.rowsValid + s.rowsRejected;
}

async function transformer(kind: CsvKind, chunks: Buffer[]): Promise<{ rows: number; out: number; errors: number }> {
  const s = createCsvToCopy({ kind, runId: '1', uploadId: '1' });
  let out = 0;
  const sink = new Writable({
    write(c: Buffer, _e, cb) {
      out += c.length;
      cb();
    },
  });
  const src = new PassThrough();
  const done = pipeline(src, s, sink);
  for (const c of chunks) if (!src.write(c)) await new Promise((r) => src.once('drain', r));
  src.end();
  await done;
  return { rows: s.rowsValid, out, errors: s.errorCount };
}

async function measure(name: string, rows: number, reps: number, fn: () => Promise<number> | number): Promise<number> {
  let best = Infinity;
  let n = 0;
  for (let i = 0; i < reps; i++) {
    const t0 = now();
    n = await fn();
    best = Math.min(best, now() - t0);
  }
  const rate = rows / best;
  console.log(`  ${name.padEnd(28)} ${best.toFixed(2).padStart(6)} s  ${Math.round(rate).toLocaleString('en-US').padStart(10)} rows/s  (${n} rows, best of ${reps})`);
  return rate;
}

async function main(): Promise<void> {
  const lines = Number(process.argv[2] ?? 1_000_000);
  const only = process.argv[3] ?? 'all';
  const reps = Number(process.argv[4] ?? 3);
  const sets: [string, CsvKind, Buffer[]][] = [];
  if (only === 'all' || only === 'canonical') sets.push(['canonical orders', 'ORDERS', [...canonicalOrders(lines)]]);
  if (only === 'all' || only === 'shopify') sets.push(['Shopify orders export', 'ORDERS', [...shopifyOrders(lines)]]);
  for (const [name, kind, chunks] of sets) {
    const mb = chunks.reduce((a, c) => a + c.length, 0) / 1e6;
    console.log(`${name}: ${lines.toLocaleString('en-US')} lines, ${mb.toFixed(1)} MB`);
    const parseOnly = await measure('csv-parse alone', lines, reps, () => csvParseOnly(chunks));
    await measure('tokenizer alone', lines, reps, () => tokenizerOnly(chunks));
    await measure('csv-parse -> COPY text', lines, reps, () => csvParseToCopy(kind, chunks));
    const full = await measure('transformer -> COPY text', lines, reps, async () => {
      const r = await transformer(kind, chunks);
      if (r.errors > 0) console.log('    unexpected row errors:', r.errors);
      return r.rows;
    });
    console.log(`  transformer / csv-parse alone: ${(full / parseOnly).toFixed(2)}x`);
  }
}

void main();
