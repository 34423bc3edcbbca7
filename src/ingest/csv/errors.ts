import type { CsvFormat, CsvHeaderErrorCode, CsvKind } from './types';

/** The layout a header missing columns comes nearest to, and the field each of its columns is read as there. */
export interface NearestLayout {
  format: CsvFormat;
  fields: (string | null)[];
}

/** A problem with the file as a whole (its header, encoding or emptiness); raised before any row is emitted. */
export class CsvHeaderError extends Error {
  override readonly name = 'CsvHeaderError';
  readonly code: CsvHeaderErrorCode;
  /** Required columns missing from the best-matching layout of the requested kind. */
  readonly missingColumns: string[];
  /** Layouts of the requested kind that were tried against the header. */
  readonly layoutsTried: string[];
  /** For WRONG_KIND: the kind the file looks like. */
  readonly detectedKind?: CsvKind;
  /** Physical line of the problem, when it has one. */
  readonly line?: number;
  /** For MISSING_COLUMNS: the layout the header comes nearest to, when it has any of its columns. */
  readonly nearest?: NearestLayout;

  constructor(
    code: CsvHeaderErrorCode,
    message: string,
    extra: { missingColumns?: string[]; layoutsTried?: string[]; detectedKind?: CsvKind; line?: number; nearest?: NearestLayout } = {},
  ) {
    super(message);
    this.code = code;
    this.missingColumns = extra.missingColumns ?? [];
    this.layoutsTried = extra.layoutsTried ?? [];
    if (extra.detectedKind !== undefined) this.detectedKind = extra.detectedKind;
    if (extra.line !== undefined) this.line = extra.line;
    if (extra.nearest !== undefined) this.nearest = extra.nearest;
  }
}
