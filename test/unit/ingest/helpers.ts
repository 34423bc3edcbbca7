import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  COPY_COLUMNS,
  createCsvToCopy,
  decodeCopyText,
  type CsvHeaderInfo,
  type CsvKind,
  type CsvToCopyStream,
} from '../../../src/ingest/csv';

/** test/fixtures/csv, from the compiled spec's folder (dist/test/unit/ingest) or the source folder. */
export const FIXTURES = resolve(__dirname, __dirname.includes('/dist/') ? '../../../../test/fixtures/csv' : '../../fixtures/csv');

export function fixture(name: string): Buffer {
  return readFileSync(resolve(FIXTURES, name));
}

export type Row = Record<string, string | null>;

export interface RunResult {
  stream: CsvToCopyStream;
  /** Decoded COPY rows, as column -> value (null for \N). */
  rows: Row[];
  /** The raw COPY text emitted. */
  text: string;
  /** Number of chunks emitted. */
  chunks: number;
  error: (Error & { code?: string }) | null;
  header: CsvHeaderInfo | null;
  /** Whether data was emitted before the stream failed. */
  emittedBeforeError: boolean;
}

export interface RunOptions {
  /** Feed the input in pieces of this many bytes (default: one piece). */
  pieceBytes?: number;
  chunkRows?: number;
  maxFieldBytes?: number;
  runId?: string;
  uploadId?: string;
}

/** Runs one input through the transformer and decodes its output. */
export async function runCsv(kind: CsvKind, input: Buffer | string, opts: RunOptions = {}): Promise<RunResult> {
  const buf = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const pieces: Buffer[] = [];
  const step = opts.pieceBytes ?? Math.max(buf.length, 1);
  for (let i = 0; i < buf.length; i += step) pieces.push(buf.subarray(i, i + step));
  const stream = createCsvToCopy({
    kind,
    runId: opts.runId ?? 'run-1',
    uploadId: opts.uploadId ?? 'upload-1',
    ...(opts.chunkRows !== undefined ? { chunkRows: opts.chunkRows } : {}),
    ...(opts.maxFieldBytes !== undefined ? { maxFieldBytes: opts.maxFieldBytes } : {}),
  });
  const out: Buffer[] = [];
  let header: CsvHeaderInfo | null = null;
  stream.on('header', (h: CsvHeaderInfo) => (header = h));
  let error: RunResult['error'] = null;
  try {
    await pipeline(
      Readable.from(pieces),
      stream,
      new Writable({
        write(chunk: Buffer, _enc, cb) {
          out.push(chunk);
          cb();
        },
      }),
    );
  } catch (err) {
    error = err as RunResult['error'];
  }
  const text = Buffer.concat(out).toString('utf8');
  const cols = COPY_COLUMNS[kind];
  const rows = decodeCopyText(text).map((r) => {
    if (r.length !== cols.length) throw new Error(`COPY row has ${r.length} fields, expected ${cols.length}: ${JSON.stringify(r)}`);
    return Object.fromEntries(cols.map((c, i) => [c, r[i]!]));
  });
  return { stream, rows, text, chunks: out.length, error, header, emittedBeforeError: out.length > 0 };
}

/** Keeps only the given columns of each row. */
export function pick(rows: Row[], ...cols: string[]): Row[] {
  return rows.map((r) => Object.fromEntries(cols.map((c) => [c, r[c] ?? null])));
}
