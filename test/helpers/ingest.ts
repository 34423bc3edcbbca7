import fs from 'node:fs';
import path from 'node:path';
import { gqlUpload, type GraphQLResponse } from './client';
import { getHarness } from '../setup';

export const fixturesDir = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'ingest');

export function fixture(name: string): Buffer {
  return fs.readFileSync(path.join(fixturesDir, name));
}

export const UPLOAD_FIELDS = `id status format layout columns { name field } kind filename dryRun errorPolicy bytesRead rowsRead rowsWritten rowsInserted rowsUpdated rowsRejected rowsSkipped
  durationMs failure { code message } rowErrors(first: 1000) { line row column value code message }`;

export interface UploadOptions {
  errorPolicy?: 'REJECT_FILE' | 'SKIP_INVALID_ROWS';
  dryRun?: boolean;
  wait?: boolean;
}

/** csvUpload over HTTP; `content` is the file's bytes or the name of a file under test/fixtures/ingest. */
export async function uploadCsv(
  key: string,
  runId: string,
  kind: string,
  content: string | Buffer,
  options: UploadOptions = {},
  filename = 'upload.csv',
): Promise<GraphQLResponse & { payload: any }> {
  const bytes = typeof content === 'string' && /^[\w.-]+\.csv$/.test(content) ? fixture(content) : content;
  const response = await gqlUpload(
    `mutation($runId: ID!, $kind: CsvKind!, $file: Upload!, $options: CsvUploadOptions) {
      csvUpload(runId: $runId, kind: $kind, file: $file, options: $options) {
        upload { ${UPLOAD_FIELDS} }
        userErrors { field code message }
      }
    }`,
    { runId, kind, file: null, options },
    [{ variable: 'file', filename: typeof content === 'string' && content.endsWith('.csv') ? content : filename, content: bytes }],
    { key },
  );
  return { ...response, payload: response.data?.csvUpload };
}

/** Reads the database directly, to check what an upload stored. */
export async function sql<T = Record<string, any>>(query: string, params: unknown[] = []): Promise<T[]> {
  return getHarness().server.database.orm.em.fork().getConnection().execute(query, params) as Promise<T[]>;
}

export function runDbId(globalId: string): string {
  return globalId.split('/').pop()!;
}

/** A select expression giving a timestamptz column as UTC ISO text, named after the column. */
export function utc(column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS ${column}`;
}
