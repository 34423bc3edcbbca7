import fs from 'node:fs';
import path from 'node:path';
import { BUNDLE_FIELDS } from './bundles';
import { gql, ok } from './client';
import { uploadCsv } from './ingest';

export const generationFixturesDir = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'generation');

export function generationFixture(name: string): Buffer {
  return fs.readFileSync(path.join(generationFixturesDir, name));
}

export const GENERATION_FIELDS = `id status phase ordersConsidered itemsConsidered candidatePairs bundlesWritten
  dropped { reason count } kinds { kind count } strategy message failure { code message } startedAt finishedAt durationMs`;

export async function generate(key: string, runId: string, settings: Record<string, unknown> | null = null, first = 20) {
  return gql(
    `mutation($runId: ID!, $settings: BundleGenerationSettingsInput, $first: Int) {
      bundlesGenerate(runId: $runId, settings: $settings) {
        generation { ${GENERATION_FIELDS} }
        run { id }
        bundles(first: $first) { ${BUNDLE_FIELDS} }
        userErrors { field code message }
      }
    }`,
    { runId, settings, first },
    { key },
  );
}

/** bundlesGenerate that must succeed without userErrors; returns its payload. */
export async function generateOk(key: string, runId: string, settings: Record<string, unknown> | null = null, first = 20) {
  const payload = ok(await generate(key, runId, settings, first)).bundlesGenerate;
  if (payload.userErrors.length) throw new Error(JSON.stringify(payload.userErrors));
  return payload;
}

export async function uploadOk(key: string, runId: string, kind: string, content: string | Buffer) {
  const response = await uploadCsv(key, runId, kind, Buffer.isBuffer(content) ? content : Buffer.from(content));
  if (response.errors?.length || response.payload?.userErrors.length) {
    throw new Error(`upload failed: ${JSON.stringify(response.errors ?? response.payload.userErrors)}`);
  }
}

/** The dropped counts of a generation as an object, e.g. { below_min_lift: 3 }. */
export function droppedOf(generation: { dropped: { reason: string; count: number }[] }): Record<string, number> {
  return Object.fromEntries(generation.dropped.map((d) => [d.reason, d.count]));
}

export const CATALOG_HEADER =
  'variant_id,product_id,sku,product_title,variant_title,product_type,vendor,tags,status,price,compare_at_price,inventory_item_id,available_total,product_created_at,gift_card,inventory_policy';
export const ORDERS_HEADER = 'order_id,created_at,line_item_id,variant_id,product_id,sku,quantity,price,financial_status,cancelled_at,currency';
