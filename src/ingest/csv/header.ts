import { CsvHeaderError } from './errors';
import { LAYOUTS, type LayoutDef } from './layouts';
import { normalizeHeaderName } from './normalize';
import { normalizeName } from './values';
import type { CsvKind } from './types';

export { normalizeHeaderName };

/** Separators other than the comma, as they show in a header read as one column. */
const SEPARATORS: [string, string][] = [
  [';', 'semicolons'],
  ['\t', 'tabs'],
  ['|', 'vertical bars'],
];

/** A header row's cells as written: a byte order mark and the spaces around each removed. */
export function headerNames(cells: readonly string[]): string[] {
  return cells.map((c) => c.replace(/^\uFEFF/, '').trim());
}

/** A layout resolved against one header: the single column map used both to validate and to extract. */
export interface ResolvedHeader {
  layout: LayoutDef;
  /** Precise layout name, e.g. `shopify-products-c`. */
  variant: string;
  /** Target field -> column index (absent fields are not in the map). */
  index: Map<string, number>;
  /** Original header cells (BOM removed, trimmed). */
  names: string[];
  /** Normalised header cells. */
  normalized: string[];
  /** Number of header cells the layout recognises. */
  score: number;
  /** The layout's spread columns in this header (see SpreadColumns); empty for other layouts. */
  spread: number[];
}

/** Every column a resolved header reads: those of its fields and its spread columns. */
export function readColumns(resolved: ResolvedHeader): number[] {
  return [...resolved.index.values(), ...resolved.spread];
}

interface Candidate {
  layout: LayoutDef;
  index: Map<string, number>;
  score: number;
  missing: string[];
  spread: number[];
}

function evaluate(layout: LayoutDef, normalized: string[]): Candidate {
  const pos = new Map<string, number>();
  normalized.forEach((n, i) => {
    if (n !== '' && !pos.has(n)) pos.set(n, i);
  });
  const index = new Map<string, number>();
  for (const col of layout.columns) {
    for (const alias of col.aliases) {
      const i = pos.get(alias);
      if (i !== undefined) {
        index.set(col.field, i);
        break;
      }
    }
  }
  let score = 0;
  for (const n of pos.keys()) if (layout.recognized.has(n)) score++;
  const missing: string[] = [];
  for (const group of layout.required) {
    if (!group.some((f) => index.has(f))) missing.push(group.map((f) => layout.display(f)).join(' or '));
  }
  const spread = layout.spread?.columns(normalized) ?? [];
  if (layout.spread && spread.length === 0) missing.push(layout.spread.display);
  return { layout, index, score, missing, spread };
}

function family(kind: CsvKind): string {
  return kind === 'VARIANTS' || kind === 'CATALOG' ? 'ITEMS' : kind;
}

function best(cands: Candidate[]): Candidate | undefined {
  let b: Candidate | undefined;
  for (const c of cands) {
    if (b === undefined || c.score > b.score || (c.score === b.score && c.missing.length < b.missing.length)) b = c;
  }
  return b;
}

/**
 * Picks the layout of `kind` that best fits the header, or throws CsvHeaderError: WRONG_KIND when the header fits
 * another kind better, MISSING_COLUMNS (listing the required columns absent from the best-matching layout of the
 * requested kind) otherwise.
 */
export function resolveHeader(kind: CsvKind, cells: string[], line = 1): ResolvedHeader {
  const names = headerNames(cells);
  const normalized = names.map(normalizeHeaderName);
  const own: Candidate[] = [];
  const others: Candidate[] = [];
  for (const layout of LAYOUTS) {
    const c = evaluate(layout, normalized);
    if (layout.kinds.includes(kind)) own.push(c);
    else if (!layout.kinds.some((k) => family(k) === family(kind))) others.push(c);
  }
  const ownOk = best(own.filter((c) => c.missing.length === 0));
  const otherOk = best(others.filter((c) => c.missing.length === 0));
  const layoutsTried = own.map((c) => c.layout.id);
  const ownBest = ownOk ?? best(own)!;
  if (otherOk !== undefined && (ownOk === undefined ? otherOk.score >= ownBest.score : otherOk.score > ownOk.score)) {
    const detected = otherOk.layout.kinds[0]!;
    const what = family(detected) === 'ITEMS' ? 'VARIANTS or CATALOG' : detected;
    throw new CsvHeaderError(
      'WRONG_KIND',
      `The header matches the ${otherOk.layout.title}, which is ${what} data, not ${kind}: upload the file as ${what}`,
      { detectedKind: detected, layoutsTried, missingColumns: ownOk === undefined ? ownBest.missing : [], line },
    );
  }
  if (ownOk === undefined) {
    const separator = names.length === 1 ? SEPARATORS.find(([char]) => names[0]!.includes(char)) : undefined;
    if (separator) {
      throw new CsvHeaderError(
        'WRONG_DELIMITER',
        `The file is separated by ${separator[1]}, not commas${separator[0] === ';' ? ', as spreadsheets write CSV in many European locales' : ''}: save it as "CSV UTF-8 (comma delimited)" and upload it again.`,
        { missingColumns: ownBest.missing, layoutsTried, line },
      );
    }
    // What the header does have of that layout, for the upload's record (its format and columns).
    const fields: (string | null)[] = names.map(() => null);
    for (const [field, i] of ownBest.index) fields[i] = field;
    throw new CsvHeaderError(
      'MISSING_COLUMNS',
      `Missing required column${ownBest.missing.length > 1 ? 's' : ''} for ${kind} (${ownBest.layout.title}): ${ownBest.missing.join(', ')}.`,
      { missingColumns: ownBest.missing, layoutsTried, line, ...(ownBest.index.size > 0 ? { nearest: { format: ownBest.layout.format, fields } } : {}) },
    );
  }
  // Two columns of one name that is read: which one holds the data is a guess, so the file is not read at all.
  // (A read column is the first of its name: see evaluate.)
  // Spread columns are told apart as the places they name are (`Berlin Mitte` and `Berlin-Mitte` are two), case
  // aside (`Berlin` and `BERLIN` are one place written twice).
  const spreadName = (i: number) => normalizeName(names[i]!).toLowerCase();
  const twice: [number, number][] = [
    ...[...ownOk.index.values()].map((i): [number, number] => [i, normalized.indexOf(normalized[i]!, i + 1)]),
    ...ownOk.spread.map((i): [number, number] => [i, ownOk.spread.find((j) => j > i && spreadName(j) === spreadName(i)) ?? -1]),
  ];
  for (const [i, again] of twice) {
    if (again >= 0) {
      throw new CsvHeaderError(
        'DUPLICATE_COLUMN',
        `The column "${names[i]}" appears twice (columns ${i + 1} and ${again + 1}); keep one and upload the file again.`,
        { layoutsTried, line },
      );
    }
  }
  return {
    layout: ownOk.layout,
    variant: ownOk.layout.variantOf(normalized),
    index: ownOk.index,
    names,
    normalized,
    score: ownOk.score,
    spread: ownOk.spread,
  };
}
