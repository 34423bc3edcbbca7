import { normalizeHeaderName } from '../normalize';
import type { CsvFormat, CsvKind } from '../types';

/** Which row encoder a layout feeds, and the layout-specific rules it applies. */
export type EncoderKind = 'orders' | 'items' | 'inventory';

export interface LayoutColumn {
  field: string;
  /** Normalised header names, in order of preference. */
  aliases: string[];
  /** How the column is named in messages. */
  display: string;
}

export interface LayoutDef {
  id: string;
  title: string;
  format: CsvFormat;
  kinds: CsvKind[];
  encoder: EncoderKind;
  columns: LayoutColumn[];
  /** Groups of fields; each group needs at least one of its fields among the header's columns. */
  required: string[][];
  /** Whether a normalised header name belongs to this layout (used to rank layouts). */
  recognized: { has(name: string): boolean };
  display(field: string): string;
  /** The precise layout name for a header this layout matched. */
  variantOf(normalized: string[]): string;
  spread?: SpreadColumns;
}

/**
 * Columns that are records of their own, named by what they hold a value for: Shopify's inventory export of Available
 * quantities has one column per location, named after it. Each such column of a row is read as a row of its own,
 * the column's name as the `nameField` and its cell as the `valueField`.
 */
export interface SpreadColumns {
  nameField: string;
  valueField: string;
  /** The header's spread columns (indexes into its normalised names): none means the layout does not fit. */
  columns(normalized: string[]): number[];
  /** What the header lacks when it has no spread column, as MISSING_COLUMNS names it. */
  display: string;
}

export interface LayoutSpec {
  id: string;
  title: string;
  format: CsvFormat;
  kinds: CsvKind[];
  encoder: EncoderKind;
  /** field -> header names as written (normalised here); the first is the display name. */
  columns: Record<string, string[]>;
  required: string[][];
  /** Other header names of the layout, read by nothing. */
  known?: string[];
  /** Patterns of other header names of the layout (normalised form). */
  knownPatterns?: RegExp[];
  variantOf?: (normalized: Set<string>) => string;
  spread?: SpreadColumns;
}

export function defineLayout(spec: LayoutSpec): LayoutDef {
  const columns: LayoutColumn[] = Object.entries(spec.columns).map(([field, names]) => ({
    field,
    aliases: names.map(normalizeHeaderName),
    display: names[0]!,
  }));
  const names = new Set<string>();
  for (const c of columns) for (const a of c.aliases) names.add(a);
  for (const k of spec.known ?? []) names.add(normalizeHeaderName(k));
  const patterns = spec.knownPatterns ?? [];
  const byField = new Map(columns.map((c) => [c.field, c.display]));
  return {
    id: spec.id,
    title: spec.title,
    format: spec.format,
    kinds: spec.kinds,
    encoder: spec.encoder,
    columns,
    required: spec.required,
    recognized: { has: (n: string) => names.has(n) || patterns.some((p) => p.test(n)) },
    display: (field: string) => byField.get(field) ?? field,
    variantOf: (normalized: string[]) => (spec.variantOf ? spec.variantOf(new Set(normalized)) : spec.id),
    spread: spec.spread,
  };
}
