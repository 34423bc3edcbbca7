import { CsvKind } from '../ingest/csv-upload.entity';

export interface Dataset {
  kind: CsvKind;
  table: string;
  /** The natural key, run first: what re-uploads upsert on. */
  keyColumns: readonly string[];
}

/** Where each kind of CSV lands. The column lists of COPY live with the CSV layer (COPY_COLUMNS). */
export const DATASETS: Record<CsvKind, Dataset> = {
  [CsvKind.ORDERS]: { kind: CsvKind.ORDERS, table: 'order_lines', keyColumns: ['run_id', 'order_id', 'line_key'] },
  [CsvKind.VARIANTS]: { kind: CsvKind.VARIANTS, table: 'variants', keyColumns: ['run_id', 'item_key'] },
  [CsvKind.CATALOG]: { kind: CsvKind.CATALOG, table: 'catalog_items', keyColumns: ['run_id', 'item_key'] },
  [CsvKind.INVENTORY]: { kind: CsvKind.INVENTORY, table: 'inventory_levels', keyColumns: ['run_id', 'item_key', 'location_key'] },
};
