import type { CsvKind } from './types';

const ITEM_COLUMNS = [
  'run_id',
  'item_key',
  'line',
  'upload_id',
  'variant_id',
  'product_id',
  'handle',
  'sku',
  'barcode',
  'product_title',
  'variant_title',
  'option1',
  'option2',
  'option3',
  'product_type',
  'vendor',
  'tags',
  'status',
  'price',
  'compare_at_price',
  'inventory_item_id',
  'available_total',
  'inventory_tracked',
  'inventory_policy',
  'gift_card',
  'product_created_at',
  'product_published_at',
] as const;

/** The columns of each kind's COPY text, in order. */
export const COPY_COLUMNS: Record<CsvKind, readonly string[]> = {
  ORDERS: [
    'run_id',
    'order_id',
    'line_key',
    'line',
    'upload_id',
    'created_at',
    'line_item_id',
    'variant_id',
    'product_id',
    'sku',
    'quantity',
    'price',
    'discounted_total',
    'title',
    'vendor',
    'product_type',
    'financial_status',
    'cancelled_at',
    'currency',
  ],
  VARIANTS: ITEM_COLUMNS,
  CATALOG: ITEM_COLUMNS,
  INVENTORY: [
    'run_id',
    'item_key',
    'location_key',
    'line',
    'upload_id',
    'inventory_item_id',
    'variant_id',
    'sku',
    'handle',
    'location_id',
    'location_name',
    'stocked',
    'available',
    'on_hand',
    'committed',
    'incoming',
    'unavailable',
    'updated_at',
  ],
};

/** Columns every row states, whatever its file has: its identity and where it came from. */
const ALWAYS = new Set(['run_id', 'order_id', 'line_key', 'item_key', 'location_key', 'line', 'upload_id']);

/** Header fields a column is read from, where they are not just the column's own name. */
const ITEM_SOURCES: Record<string, readonly string[]> = {
  product_type: ['product_type', 'product_category'],
  inventory_policy: ['inventory_policy', 'continue_selling'],
  status: ['status', 'published'],
};
const SOURCES: Record<CsvKind, Record<string, readonly string[]>> = {
  ORDERS: {},
  VARIANTS: ITEM_SOURCES,
  CATALOG: ITEM_SOURCES,
  INVENTORY: { stocked: ['stocked', 'available', 'on_hand', 'committed', 'incoming', 'unavailable'] },
};
/** Shopify's products files name a variant by its option values: they are its title. */
const SHOPIFY_PRODUCTS_SOURCES: Record<string, readonly string[]> = { ...ITEM_SOURCES, variant_title: ['option1', 'option2', 'option3'] };

/**
 * The columns a file with these header fields gives values for: the others are written as null by its COPY text,
 * yet say nothing, so merging the file into rows already stored keeps their values (a file of prices alone must not
 * blank the titles, statuses and stock links of the rows it updates).
 */
export function suppliedColumns(kind: CsvKind, fields: ReadonlySet<string>, format: string): string[] {
  const sources = format === 'shopify-products' ? SHOPIFY_PRODUCTS_SOURCES : SOURCES[kind];
  return COPY_COLUMNS[kind].filter((c) => ALWAYS.has(c) || (sources[c] ?? [c]).some((f) => fields.has(f)));
}

/** The table each kind is copied into. */
export const TABLES: Record<CsvKind, string> = {
  ORDERS: 'order_lines',
  VARIANTS: 'variants',
  CATALOG: 'catalog_items',
  INVENTORY: 'inventory_levels',
};

/** `COPY <table> (<columns>) FROM STDIN` for a kind (text format, the default). */
export function copyStatement(kind: CsvKind): string {
  return `COPY ${TABLES[kind]} (${COPY_COLUMNS[kind].join(', ')}) FROM STDIN`;
}
