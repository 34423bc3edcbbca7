import { CsvKind } from './csv-upload.entity';
import type { RunReadiness } from './ingest.types';

/** Bundles are mined from orders and need variants or catalog rows to match the ordered items against. */
export function readinessOf(present: Set<CsvKind>): RunReadiness {
  const missing: CsvKind[] = [];
  if (!present.has(CsvKind.ORDERS)) missing.push(CsvKind.ORDERS);
  if (!present.has(CsvKind.VARIANTS) && !present.has(CsvKind.CATALOG)) missing.push(CsvKind.VARIANTS, CsvKind.CATALOG);
  const message = missing.length === 0
    ? null
    : [
        !present.has(CsvKind.ORDERS) ? 'upload an orders file' : null,
        missing.includes(CsvKind.CATALOG) ? 'upload a variants or catalog file to match the orders against' : null,
      ].filter(Boolean).join(' and ').replace(/^./, (c) => c.toUpperCase()) + ' before generating bundles.';
  return {
    hasOrders: present.has(CsvKind.ORDERS),
    hasVariants: present.has(CsvKind.VARIANTS),
    hasCatalog: present.has(CsvKind.CATALOG),
    hasInventory: present.has(CsvKind.INVENTORY),
    canGenerateBundles: missing.length === 0,
    missing,
    message,
  };
}
