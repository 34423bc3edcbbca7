/**
 * Normalises a header cell: BOM removed, trimmed, camelCase split (`lineItemQuantity` -> `line_item_quantity`),
 * case folded, whitespace, hyphens and slashes read as `_`, repeated `_` collapsed.
 */
export function normalizeHeaderName(raw: string): string {
  let s = raw.replace(/^\uFEFF/, '').trim();
  s = s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2');
  s = s.toLowerCase();
  s = s.replace(/[\s\-/]+/g, '_').replace(/_+/g, '_').replace(/^_+|_+$/g, '');
  return s;
}
