export type {
  CsvFormat,
  CsvHeaderErrorCode,
  CsvHeaderInfo,
  CsvKind,
  CsvRowError,
  CsvRowErrorCode,
} from './types';
export { CsvHeaderError } from './errors';
export { MAX_KEY_CHARS, describeItemKey } from './encoders/base';
export { COPY_COLUMNS, TABLES, copyStatement, suppliedColumns } from './columns';
export { createCsvToCopy, CsvToCopyStream, type CsvToCopyOptions } from './transform';
export { normalizeHeaderName, resolveHeader, type ResolvedHeader } from './header';
export { LAYOUTS, type LayoutDef } from './layouts';
export { LineMap, copyErrorLine } from './line-map';
export { CsvTokenizer, type RecordCallback } from './tokenizer';
export {
  decodeCopyField,
  decodeCopyText,
  escapeCopyText,
  normalizeId,
  normalizeSku,
  variantIdOf,
  parseBoolean,
  parseInteger,
  parseMoney,
  parseTimestamp,
} from './values';
