import fs from 'node:fs';
import path from 'node:path';
import { gql, ok, type GraphQLResponse } from '../helpers/client';
import { uploadCsv } from '../helpers/ingest';

export const coverageFixturesDir = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'coverage');

export function coverageFixture(name: string): Buffer {
  return fs.readFileSync(path.join(coverageFixturesDir, name));
}

export const MATCH = 'matchedLines unmatchedLines lineRatio matchedSkus skuRatio';

export const ALL_FIELDS = `orders orderLines multiItemOrders distinctSkusOrdered
  variants { ${MATCH} } catalog { ${MATCH} } inventory { ${MATCH} }
  unmatchedSkus { sku orderLines quantity }`;

/** `run(id) { coverage { <selection> } }` over HTTP; the raw response, for tests that look at errors. */
export function coverageResponse(key: string, runId: string, selection: string): Promise<GraphQLResponse> {
  return gql(`query($id: ID!) { run(id: $id) { coverage { ${selection} } } }`, { id: runId }, { key });
}

export async function coverageOf(key: string, runId: string, selection = ALL_FIELDS): Promise<any> {
  const data = ok(await coverageResponse(key, runId, selection));
  if (!data.run) throw new Error(`run ${runId} is not visible to this key`);
  return data.run.coverage;
}

/** Uploads a file that must succeed; `content` is file bytes or text. */
export async function upload(key: string, runId: string, kind: string, content: string | Buffer, options = {}): Promise<any> {
  const response = await uploadCsv(key, runId, kind, typeof content === 'string' ? Buffer.from(content) : content, options);
  const payload = response.payload;
  if (!payload || payload.userErrors.length || payload.upload.status !== 'SUCCEEDED') {
    throw new Error(`upload of ${kind} failed: ${JSON.stringify(response.errors ?? payload)}`);
  }
  return payload.upload;
}

/** The hand-checked run of test/fixtures/coverage: orders, variants, catalog and inventory. */
export async function uploadFixtureRun(key: string, runId: string, kinds = ['ORDERS', 'VARIANTS', 'CATALOG', 'INVENTORY']): Promise<void> {
  const files: Record<string, string> = { ORDERS: 'orders.csv', VARIANTS: 'variants.csv', CATALOG: 'catalog.csv', INVENTORY: 'inventory.csv' };
  for (const kind of kinds) await upload(key, runId, kind, coverageFixture(files[kind]!));
}
