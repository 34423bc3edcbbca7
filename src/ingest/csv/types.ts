/** Dataset kinds a CSV upload can feed. */
export type CsvKind = 'ORDERS' | 'VARIANTS' | 'CATALOG' | 'INVENTORY';

/** Detected file format, as reported on the upload record. */
export type CsvFormat = 'canonical' | 'shopify-products' | 'shopify-orders' | 'shopify-inventory';

/** Codes of errors that reject a single row. */
export type CsvRowErrorCode =
  | 'UNTERMINATED_QUOTE'
  | 'INVALID_QUOTE'
  | 'INVALID_UTF8'
  | 'FIELD_TOO_LARGE'
  | 'INVALID_CHARACTER'
  | 'MISSING_VALUE'
  | 'INVALID_NUMBER'
  | 'NEGATIVE_QUANTITY'
  | 'INVALID_PRICE'
  | 'INVALID_DATE'
  | 'INVALID_BOOLEAN'
  | 'INVALID_ID'
  | 'INVALID_CURRENCY'
  | 'INVALID_VALUE'
  | 'TOO_MANY_VALUES'
  | 'DUPLICATE_KEY'
  | 'AMBIGUOUS_SKU'
  | 'FIRST_ROW_REJECTED';

/** One rejected value or row. `line` is the physical file line where the record starts (header = 1). */
export interface CsvRowError {
  line: number;
  /** The row a spreadsheet shows the record on, once known (see RowMap): set when the upload's errors are gathered. */
  row?: number | null;
  /** The header's original column name, or null when the error concerns the whole row. */
  column: string | null;
  /** The offending value, truncated to about 100 characters. */
  value: string | null;
  code: CsvRowErrorCode | string;
  message: string;
}

/**
 * Codes of errors that fail the whole file before any row is emitted. An unrecognised header is reported as
 * MISSING_COLUMNS (for the best-matching layout of the requested kind); UNKNOWN_LAYOUT is reserved.
 */
export type CsvHeaderErrorCode =
  | 'EMPTY_FILE'
  | 'HEADER_ONLY'
  | 'MISSING_COLUMNS'
  | 'UNKNOWN_LAYOUT'
  | 'WRONG_KIND'
  | 'DUPLICATE_COLUMN'
  | 'WRONG_DELIMITER'
  | 'NOT_CSV'
  | 'INVALID_UTF8'
  | 'UNTERMINATED_QUOTE'
  | 'INVALID_QUOTE'
  | 'FIELD_TOO_LARGE';

/** What the header row resolved to. */
export interface CsvHeaderInfo {
  kind: CsvKind;
  format: CsvFormat;
  /** The precise layout, e.g. `canonical-orders`, `shopify-products-b`, `shopify-inventory-newer`. */
  layout: string;
  /** Physical line of the header row. */
  line: number;
  /** Header cells as written (BOM removed, trimmed). */
  columns: string[];
  /** Target field -> the original header name it is read from. */
  mapped: Record<string, string>;
  /** Header cells the layout does not read. */
  ignored: string[];
  /** Per header cell, the field it is read as, or null when it is not read. */
  fields: (string | null)[];
}
