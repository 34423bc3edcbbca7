import { gql, ok } from './client';
import { fixture } from './ingest';
import { gqlUpload } from './client';

export const BUNDLE_FIELDS = `id key kind source status pinned title objective rank score lift support confidence orderCount
  items { sku variantId quantity role title price available }
  discount { type value tiers { minQuantity percentage } }
  pricing { originalTotal bundlePrice savings savingsPercentage }
  copy { title description badge savingsMessage }
  availableQuantity createdAt updatedAt`;

export async function saveBundles(key: string, runId: string, bundles: unknown[], mode = 'UPSERT') {
  return gql(
    `mutation($runId: ID!, $bundles: [BundleInput!]!, $mode: BundleSaveMode) {
      bundlesSave(runId: $runId, bundles: $bundles, mode: $mode) {
        bundles { ${BUNDLE_FIELDS} } inserted updated deleted userErrors { field code message }
      }
    }`,
    { runId, bundles, mode },
    { key },
  );
}

/** A run with the catalog and inventory fixtures, so that bundles have prices and stock. */
export async function runWithCatalog(key: string, name = 'bundles'): Promise<string> {
  const response = await gqlUpload(
    `mutation($input: RunUploadInput!) { runUpload(input: $input) { run { id } userErrors { code message } } }`,
    { input: { name, catalog: null, inventory: null } },
    [
      { variable: 'input.catalog', filename: 'catalog.csv', content: fixture('canonical-catalog.csv') },
      { variable: 'input.inventory', filename: 'inventory.csv', content: fixture('canonical-inventory.csv') },
    ],
    { key },
  );
  const payload = ok(response).runUpload;
  if (payload.userErrors.length) throw new Error(JSON.stringify(payload.userErrors));
  return payload.run.id;
}
