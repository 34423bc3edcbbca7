import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { copyStatement, createCsvToCopy, TABLES, type CsvKind } from '../src/ingest/csv';

/**
 * The physical limit an upload is compared with: the file's raw bytes streamed into
 * `COPY <scratch> FROM STDIN WITH (FORMAT csv, HEADER true)`, no parsing in Node.
 *
 * The scratch table has exactly the CSV's columns, all `text`, plus `run_id bigint` filled by its default, and the
 * same number of b-tree indexes as the target table, built on the CSV columns that carry the same values: a unique
 * index in place of the natural primary key (run_id first, as in the target) and one index per secondary index.
 * Where the CSV has no column for an indexed column of the target (inventory has no variant_id or sku), an extra
 * always-NULL column is indexed, as the target indexes its NULLs.
 */
export interface ScratchShape {
  /** CSV columns of the unique index (after run_id). */
  unique: string[];
  /** Secondary indexes (after run_id): a CSV column, or a name of an extra NULL column. */
  indexes: string[][];
  /** Extra always-NULL columns. */
  nullColumns?: string[];
  /** What the shape mirrors, for the report. */
  describes: string;
}

function ident(name: string): string {
  return '"' + name.replace(/"/g, '""') + '"';
}

export class RawCopyBaseline {
  private constructor(private readonly client: Client) {}

  static async connect(databaseUrl: string): Promise<RawCopyBaseline> {
    const client = new Client({ connectionString: databaseUrl });
    await client.connect();
    return new RawCopyBaseline(client);
  }

  /** Creates (or re-creates) the scratch table `table` for a file with this header. */
  async prepare(table: string, header: string[], shape: ScratchShape): Promise<void> {
    const extra = shape.nullColumns ?? [];
    const columns = ['run_id bigint NOT NULL DEFAULT 1', ...header.map((c) => `${ident(c)} text`), ...extra.map((c) => `${ident(c)} text`)];
    await this.client.query(`DROP TABLE IF EXISTS ${ident(table)}`);
    await this.client.query(`CREATE TABLE ${ident(table)} (${columns.join(', ')})`);
    await this.client.query(
      `CREATE UNIQUE INDEX ${ident(`${table}_key`)} ON ${ident(table)} (run_id, ${shape.unique.map(ident).join(', ')})`,
    );
    for (const [i, index] of shape.indexes.entries()) {
      await this.client.query(`CREATE INDEX ${ident(`${table}_idx${i}`)} ON ${ident(table)} (run_id, ${index.map(ident).join(', ')})`);
    }
  }

  /** Empties the table and measures one COPY of the file into it; returns milliseconds and rows copied. */
  async copy(table: string, header: string[], file: string): Promise<{ ms: number; rows: number }> {
    await this.client.query(`TRUNCATE ${ident(table)}`);
    await this.client.query('CHECKPOINT');
    const started = performance.now();
    const copy = this.client.query(
      copyFrom(`COPY ${ident(table)} (${header.map(ident).join(', ')}) FROM STDIN WITH (FORMAT csv, HEADER true)`),
    );
    await pipeline(fs.createReadStream(file, { highWaterMark: 256 * 1024 }), copy);
    const ms = performance.now() - started;
    return { ms, rows: Number(copy.rowCount) };
  }

  /** Empties the kind's real table and measures one COPY of `copyFile` (COPY text, as the server sends it) into it. */
  async copyIntoTarget(kind: CsvKind, copyFile: string): Promise<{ ms: number; rows: number }> {
    await this.client.query(`TRUNCATE ${TABLES[kind]}`);
    await this.client.query('CHECKPOINT');
    const started = performance.now();
    const copy = this.client.query(copyFrom(copyStatement(kind)));
    await pipeline(fs.createReadStream(copyFile, { highWaterMark: 256 * 1024 }), copy);
    const ms = performance.now() - started;
    return { ms, rows: Number(copy.rowCount) };
  }

  async query(sql: string): Promise<void> {
    await this.client.query(sql);
  }

  async rows(sql: string): Promise<any[]> {
    return (await this.client.query(sql)).rows;
  }

  async drop(table: string): Promise<void> {
    await this.client.query(`DROP TABLE IF EXISTS ${ident(table)}`);
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}

/**
 * Writes the COPY text the server's own CSV transformer makes of a file (run id `runId`), so that the database's
 * share of an upload can be measured apart from the server's parsing.
 */
export async function writeServerCopyText(kind: CsvKind, csvFile: string, copyFile: string, runId: string): Promise<number> {
  const transform = createCsvToCopy({ kind, runId, uploadId: '0' });
  await pipeline(fs.createReadStream(csvFile, { highWaterMark: 256 * 1024 }), transform, fs.createWriteStream(copyFile));
  if (transform.rowsRejected > 0) throw new Error(`${csvFile}: the server's transformer rejected ${transform.rowsRejected} rows`);
  return transform.rowsEmitted;
}
