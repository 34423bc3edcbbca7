import { Transform, type TransformCallback } from 'node:stream';
import { COPY_COLUMNS, TABLES, suppliedColumns } from './columns';
import { CopyWriter } from './copy-writer';
import { createEncoder, ROW_EMITTED, ROW_REJECTED, type RowEncoder, type RowSink } from './encoders';
import { CsvHeaderError, type NearestLayout } from './errors';
import { headerNames, normalizeHeaderName, readColumns, resolveHeader, type ResolvedHeader } from './header';
import { copyErrorLine, LineMap, RowMap } from './line-map';
import {
  CsvTokenizer,
  PROBLEM_FIELD_TOO_LARGE,
  PROBLEM_INVALID_QUOTE,
  PROBLEM_INVALID_UTF8,
  PROBLEM_NONE,
  PROBLEM_UNTERMINATED_QUOTE,
} from './tokenizer';
import type { CsvFormat, CsvHeaderErrorCode, CsvHeaderInfo, CsvKind, CsvRowError, CsvRowErrorCode } from './types';
import { Utf8ChunkDecoder } from './utf8';
import { truncateValue } from './values';

export interface CsvToCopyOptions {
  kind: CsvKind;
  runId: string;
  uploadId: string;
  /** Largest field, in bytes, among the columns a layout reads; other columns are bounded by the row's limit only. */
  maxFieldBytes?: number;
  /** COPY rows per emitted chunk. */
  chunkRows?: number;
  /** Row errors kept in `errors` (all are counted in `errorCount`). */
  maxErrors?: number;
}

const DEFAULT_MAX_FIELD_BYTES = 65536;
const DEFAULT_CHUNK_ROWS = 2000;
const DEFAULT_MAX_ERRORS = 1000;
const OUT_BYTES = 1 << 20;
/**
 * Largest row, in characters. Columns a layout does not read are bounded by it alone: a Shopify product's
 * description (Body HTML) may carry whole images and is no reason to refuse the product.
 */
const MAX_ROW_CHARS = 8 << 20;

const PROBLEM_CODES: Record<number, CsvRowErrorCode> = {
  [PROBLEM_UNTERMINATED_QUOTE]: 'UNTERMINATED_QUOTE',
  [PROBLEM_INVALID_QUOTE]: 'INVALID_QUOTE',
  [PROBLEM_FIELD_TOO_LARGE]: 'FIELD_TOO_LARGE',
  [PROBLEM_INVALID_UTF8]: 'INVALID_UTF8',
};

/**
 * Turns the bytes of one CSV file into PostgreSQL COPY text (tab-separated, `\N` for NULL) for the kind's table,
 * in chunks of about `chunkRows` rows. Header problems fail the stream with a CsvHeaderError before any data is
 * emitted; invalid rows are not emitted but recorded in `errors` (every row is checked). Memory stays flat:
 * input is processed chunk by chunk and per-row state is bounded.
 */
export class CsvToCopyStream extends Transform implements RowSink {
  readonly kind: CsvKind;
  readonly table: string;
  readonly columns: readonly string[];
  readonly runId: string;
  readonly uploadId: string;
  /** Detected format, once the header is resolved. */
  format: CsvFormat | null = null;
  /** Detected precise layout (e.g. `shopify-products-c`), once the header is resolved. */
  layout: string | null = null;
  headerInfo: CsvHeaderInfo | null = null;
  /** The spreadsheet rows of the file's lines, for errors (see RowMap). */
  readonly rows = new RowMap();
  /** The header row's cells as written, once read, even when they match no layout (see headerInfo for what they map to). */
  headerCells: string[] | null = null;
  /** A header missing columns: the layout it comes nearest to (see CsvHeaderError.nearest). */
  nearestLayout: NearestLayout | undefined = undefined;
  /** Bytes of input received. */
  bytesRead = 0;
  /** Data records read (blank records are not counted). */
  rowsRead = 0;
  /** Rows emitted as COPY text. */
  rowsValid = 0;
  /** Rows rejected with at least one error. */
  rowsRejected = 0;
  /** Rows that are not data (Shopify's image-only product rows): neither emitted nor rejected. */
  rowsSkipped = 0;
  /** All row errors found, including those not kept in `errors`. */
  errorCount = 0;
  /** The first `maxErrors` row errors, in file order. */
  readonly errors: CsvRowError[] = [];
  /** Resolves once the layout is known and the file has data rows; rejects with the header error otherwise. */
  readonly header: Promise<CsvHeaderInfo>;

  private readonly maxFieldBytes: number;
  private readonly chunkRows: number;
  private readonly maxErrors: number;
  private readonly decoder = new Utf8ChunkDecoder();
  private readonly tokenizer: CsvTokenizer;
  private readonly lines = new LineMap();
  private resolved: ResolvedHeader | null = null;
  private encoder: RowEncoder | null = null;
  private width = 0;
  /** The lines where the header came again: each starts an export pasted after the first. */
  readonly exportStarts: number[] = [];
  get exportsJoined(): number {
    return this.exportStarts.length;
  }
  /** The width of a later, wider header of the same layout (see onRecord), 0 until one comes. */
  private laterWidth = 0;
  /** A column read, whose header cell a data row is compared with first (see repeatsHeader). */
  private headerProbe = 0;
  /** The columns read, where a canonical file's null markers are read as empty cells (see NULL_MARKERS); else empty. */
  private nullableColumns: number[] = [];
  /** Of those, the columns where the markers that are also words (`NA`, `N/A`) are nulls too: no name is read there. */
  private readonly wordNullColumns = new Set<number>();
  /** COPY text being written by the encoders. */
  readonly writer = new CopyWriter(OUT_BYTES);
  private outRows = 0;
  private headerSettled = false;
  private resolveHeaderPromise!: (info: CsvHeaderInfo) => void;
  private rejectHeaderPromise!: (err: Error) => void;

  constructor(opts: CsvToCopyOptions) {
    super({ readableHighWaterMark: 1 << 20 });
    this.kind = opts.kind;
    this.table = TABLES[opts.kind];
    this.columns = COPY_COLUMNS[opts.kind];
    this.runId = opts.runId;
    this.uploadId = opts.uploadId;
    this.maxFieldBytes = opts.maxFieldBytes ?? DEFAULT_MAX_FIELD_BYTES;
    this.chunkRows = Math.max(1, opts.chunkRows ?? DEFAULT_CHUNK_ROWS);
    this.maxErrors = opts.maxErrors ?? DEFAULT_MAX_ERRORS;
    this.tokenizer = new CsvTokenizer(this.onRecord.bind(this), { maxFieldBytes: this.maxFieldBytes });
    this.header = new Promise<CsvHeaderInfo>((resolve, reject) => {
      this.resolveHeaderPromise = resolve;
      this.rejectHeaderPromise = reject;
    });
    this.header.catch(() => undefined);
  }

  /** Rows emitted as COPY text (the same as rowsValid). */
  get rowsEmitted(): number {
    return this.rowsValid;
  }

  /** The columns the file gives values for, once its header is read (see suppliedColumns). */
  get suppliedColumns(): readonly string[] {
    if (!this.resolved) return this.columns;
    const { index, spread, layout } = this.resolved;
    const fields = new Set(index.keys());
    if (layout.spread && spread.length) fields.add(layout.spread.nameField).add(layout.spread.valueField);
    return suppliedColumns(this.kind, fields, layout.format);
  }

  /** Stretches of groups' rows that do not state their group's fields (see RowEncoder.unstatedStretches). */
  get unstatedStretches(): number {
    return this.encoder?.unstatedStretches ?? 0;
  }

  /** Order lines waiting for their order's creation time (see RowEncoder.pendingCreatedAt). */
  get pendingCreatedAt(): number {
    return this.encoder?.pendingCreatedAt ?? 0;
  }

  /** Order lines with a provisional key (see RowEncoder.provisionalKeys). */
  get provisionalKeys(): number {
    return this.encoder?.provisionalKeys ?? 0;
  }

  /** Order fields stated by refused lines, by order (see RowEncoder.refusedOrderFields). */
  get refusedOrderFields(): ReadonlyMap<string, (string | null)[]> {
    return this.encoder?.refusedOrderFields ?? NO_ORDER_FIELDS;
  }

  /** The orders of those lines, or null when there were too many to keep. */
  get provisionalOrders(): ReadonlySet<string> | null {
    return this.encoder?.provisionalOrders ?? null;
  }

  /** Whether some row stated its group's fields (see RowEncoder.statesGroupFields). */
  get statesGroupFields(): boolean {
    return this.encoder?.statesGroupFields ?? false;
  }

  /**
   * Physical file line where the n-th emitted COPY row (1-based, PostgreSQL's "COPY t, line n") starts; 0 when no
   * such row was emitted.
   */
  lineOfRow(n: number): number {
    return this.lines.lineOf(n) ?? 0;
  }

  /** Physical file line of the row a PostgreSQL COPY error points at (its `where`: "COPY t, line n"), or null. */
  fileLineOfCopyError(err: unknown): number | null {
    const n = copyErrorLine(err);
    return n === null ? null : this.lines.lineOf(n);
  }

  /** Stored offset changes of the COPY-row-to-file-line map. */
  get lineMapBreakpoints(): number {
    return this.lines.breakpoints;
  }

  override _transform(chunk: Buffer | string, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      this.bytesRead += buf.length;
      const d = this.decoder.decode(buf);
      this.tokenizer.push(d.text, d.invalid);
    } catch (err) {
      this.failHeader(err as Error);
      cb(err as Error);
      return;
    }
    cb();
  }

  override _flush(cb: TransformCallback): void {
    try {
      const d = this.decoder.end();
      this.tokenizer.push(d.text, d.invalid);
      this.tokenizer.end();
      if (this.resolved === null) {
        throw new CsvHeaderError('EMPTY_FILE', 'The file is empty: expected a header row and data rows');
      }
      if (this.rowsRead === 0) {
        throw new CsvHeaderError('HEADER_ONLY', 'The file has a header but no data rows', {
          line: this.headerInfo!.line,
        });
      }
    } catch (err) {
      this.failHeader(err as Error);
      cb(err as Error);
      return;
    }
    this.flushOut();
    cb();
  }

  override _destroy(err: Error | null, cb: (error: Error | null) => void): void {
    this.failHeader(err ?? new Error('The CSV stream was closed before its header was read'));
    cb(err);
  }

  rowWritten(line: number): void {
    this.rowsValid++;
    this.lines.add(this.rowsValid, line);
    if (++this.outRows >= this.chunkRows || this.writer.pos >= OUT_BYTES) this.flushOut();
  }

  rowError(line: number, column: string | null, value: string | null, code: CsvRowErrorCode, message: string): void {
    this.errorCount++;
    if (this.errors.length < this.maxErrors) this.errors.push({ line, column, value, code, message });
  }

  private flushOut(): void {
    if (this.outRows === 0) return;
    this.outRows = 0;
    this.push(this.writer.take());
  }

  private failHeader(err: Error): void {
    if (this.headerSettled) return;
    this.headerSettled = true;
    this.rejectHeaderPromise(err);
  }

  private onRecord(
    fields: string[],
    n: number,
    line: number,
    problem: number,
    pField: number,
    pLine: number,
    filled: number,
    lastFilled: number,
  ): void {
    this.rows.record(line);
    if (this.encoder === null) {
      this.onHeaderRecord(fields, n, line, problem, pField, pLine, filled);
      return;
    }
    if (!this.headerSettled && filled > 0) this.checkSeparatorOfRows(fields, n, line);
    // Exports of two versions joined into one file: the later header has columns added at its end (Shopify added
    // Payment References in 2025), its read columns where the first header has them. Its rows are read as the first
    // header's, their added values left unread.
    if (problem === PROBLEM_NONE && lastFilled >= this.width && lastFilled >= this.laterWidth && this.repeatsHeader(fields)) {
      this.laterWidth = lastFilled + 1;
      this.rowsRead++;
      this.rowsSkipped++;
      this.startExport(line);
      return;
    }
    if (lastFilled < this.laterWidth) for (let i = this.width; i < n; i++) fields[i] = '';
    // Values beyond the header's columns (empty ones are a spreadsheet's padding) mean the row's values are shifted:
    // most often a comma inside a value that is not quoted.
    const overflowing = problem === PROBLEM_NONE && lastFilled >= this.width && lastFilled >= this.laterWidth;
    if (problem !== PROBLEM_NONE || overflowing) {
      this.announce();
      this.rowsRead++;
      this.rowsRejected++;
      if (overflowing) {
        this.rowError(line, null, null, 'TOO_MANY_VALUES', `the row has a value in field ${lastFilled + 1}, beyond the header's ${this.width} columns: a value that contains ${SEPARATOR_NAMES[this.tokenizer.delimiter] ?? 'the separator'} must be quoted`);
      } else {
        this.structuralError(fields, n, line, problem, pField, pLine);
      }
      if (problem !== PROBLEM_UNTERMINATED_QUOTE && n > 0) {
        for (let i = n; i <= this.width; i++) fields[i] = '';
        this.encoder.silent = true;
        this.encoder.brokenColumn = overflowing ? -1 : pField;
        this.encoder.brokenOnward = problem === PROBLEM_INVALID_QUOTE;
        this.encoder.encode(fields, line);
        this.encoder.silent = false;
      }
      return;
    }
    if (filled === 0 || (isBlank(fields[0]!) && blankRecord(fields, n))) return;
    if (!this.headerSettled) this.announce();
    this.rowsRead++;
    // Files saved by a spreadsheet and joined: each brings its `sep=` line and its header again (and its byte order
    // mark, which the tokenizer drops). Not data, but read and skipped, so that the counts show them.
    if (fields[this.headerProbe] === this.resolved!.names[this.headerProbe] && this.repeatsHeader(fields)) {
      this.rowsSkipped++;
      this.startExport(line);
      return;
    }
    if (isSepLine(fields, n)) {
      this.rowsSkipped++;
      return;
    }
    const w = this.width;
    for (let i = n; i <= w; i++) fields[i] = '';
    for (const i of this.nullableColumns) {
      const v = fields[i]!;
      const c = v.charCodeAt(0);
      // N, n, a backslash, # or < first: most cells are looked at no further.
      if ((c === 78 || c === 110 || c === 92 || c === 35 || c === 60) && v.length <= 4) {
        if (NULL_MARKERS.has(v) || (WORD_NULL_MARKERS.has(v) && this.wordNullColumns.has(i))) fields[i] = '';
      }
    }
    this.encoder.padded = n > w && lastFilled >= this.laterWidth;
    const st = this.encoder.encode(fields, line);
    if (st === ROW_REJECTED) this.rowsRejected++;
    else if (st !== ROW_EMITTED) this.rowsSkipped++;
  }

  /**
   * A header written with commas over rows separated by semicolons (a header typed anew over a spreadsheet's rows):
   * read with commas, the rows' values would be split at their decimal commas and stored wrong. Looked for in the first
   * row: split at semicolons instead, it has exactly the header's columns, every comma in it sits between digits (a
   * decimal comma, not text), and the header has no semicolon.
   */
  private checkSeparatorOfRows(fields: string[], n: number, line: number): void {
    if (this.tokenizer.delimiter !== ',' || this.width < 2) return;
    if (this.resolved!.names.some((name) => name.includes(';'))) return;
    const row = fields.slice(0, n).join(',');
    if (row.indexOf(';') < 0 || row.split(';').length !== this.width || /(^|\D),|,(\D|$)/.test(row)) return;
    throw new CsvHeaderError(
      'WRONG_DELIMITER',
      `The header is separated by commas but the rows by semicolons (line ${line}): write the header with semicolons too, or save the whole file as "CSV UTF-8 (comma delimited)".`,
      { line },
    );
  }

  /** The header came again, at `line`: another export follows (see RowEncoder.startExport). */
  private startExport(line: number): void {
    this.exportStarts.push(line);
    this.encoder!.startExport?.();
  }

  /** Whether every column read holds its own header cell (spacing and case aside, once the probe's is as written). */
  private repeatsHeader(fields: string[]): boolean {
    const { index, normalized } = this.resolved!;
    for (const i of index.values()) if (normalizeHeaderName(fields[i]!.trim()) !== normalized[i]) return false;
    return true;
  }

  private structuralError(fields: string[], n: number, line: number, problem: number, pField: number, pLine: number): void {
    const names = this.resolved!.names;
    const column = pField >= 0 && pField < names.length ? names[pField]! : null;
    const value = pField >= 0 && pField < n && pField < this.width ? fields[pField]! : null;
    const code = PROBLEM_CODES[problem]!;
    let message: string;
    switch (problem) {
      case PROBLEM_UNTERMINATED_QUOTE:
        message = `a quoted field opened on line ${line} is never closed`;
        break;
      case PROBLEM_INVALID_QUOTE:
        message = 'expected a comma or the end of the line after a closing quote (write a quote inside a quoted field as "")';
        break;
      case PROBLEM_FIELD_TOO_LARGE:
        message =
          pField >= 0 && this.tokenizer.fieldLimits?.[pField] === this.maxFieldBytes
            ? `the value is larger than the limit of ${this.maxFieldBytes} bytes for a column that is read`
            : `the row is larger than the limit of ${MAX_ROW_CHARS} characters`;
        break;
      default:
        message = `invalid UTF-8 bytes on line ${pLine}: expected a UTF-8 encoded file`;
    }
    this.rowError(line, column, value === null ? null : truncateValue(value), code, message);
  }

  /** Whether the header's cells holding bytes that are not UTF-8 (decoded as U+FFFD) all name columns not read. */
  private unreadCellsOnly(fields: string[], n: number, line: number): boolean {
    let resolved: ResolvedHeader;
    try {
      resolved = resolveHeader(this.kind, fields.slice(0, n), line);
    } catch {
      return false;
    }
    for (const i of readColumns(resolved)) if (fields[i]!.includes('\uFFFD')) return false;
    return true;
  }

  private onHeaderRecord(
    fields: string[],
    n: number,
    line: number,
    problem: number,
    pField: number,
    pLine: number,
    filled: number,
  ): void {
    // Bytes that are not UTF-8 in a header cell that names no column read (a metafield's label in an export saved
    // by a spreadsheet) matter no more than in the data cells of such a column: the header is read without them.
    if (problem === PROBLEM_INVALID_UTF8 && filled > 0 && this.unreadCellsOnly(fields, n, line)) problem = PROBLEM_NONE;
    if (problem !== PROBLEM_NONE) {
      const code = PROBLEM_CODES[problem] as CsvHeaderErrorCode;
      const what =
        problem === PROBLEM_INVALID_UTF8
          ? `invalid UTF-8 bytes on line ${pLine}: expected a UTF-8 encoded file (a spreadsheet saves one as "CSV UTF-8")`
          : problem === PROBLEM_UNTERMINATED_QUOTE
            ? 'a quoted header cell is never closed'
            : problem === PROBLEM_INVALID_QUOTE
              ? 'a quoted header cell is followed by text'
              : `a header cell is larger than ${this.maxFieldBytes} bytes`;
      throw new CsvHeaderError(code, `Unreadable header row: ${what}`, { line });
    }
    if (filled === 0) return;
    if (isSepLine(fields, n)) {
      this.rows.hide(line);
      return;
    }
    const cells = fields.slice(0, n);
    this.headerCells = headerNames(cells.slice(0, MAX_LISTED_COLUMNS));
    let resolved: ResolvedHeader;
    try {
      resolved = resolveHeader(this.kind, cells, line);
    } catch (error) {
      if (error instanceof CsvHeaderError && error.nearest) this.nearestLayout = error.nearest;
      throw error;
    }
    this.resolved = resolved;
    this.width = n;
    this.headerProbe = Math.min(...resolved.index.values());
    fields[n] = '';
    const limits: number[] = new Array<number>(n).fill(MAX_ROW_CHARS * 3);
    const read = readColumns(resolved);
    if (resolved.layout.format === 'canonical') {
      this.nullableColumns = read;
      for (const [field, i] of resolved.index) if (!NAME_FIELDS.has(field)) this.wordNullColumns.add(i);
    }
    for (const i of read) limits[i] = this.maxFieldBytes;
    this.tokenizer.fieldCap = n;
    this.tokenizer.fieldLimits = limits;
    // Only the columns read are kept and checked; the items encoder looks at the others too (an image-only row has
    // nothing else), but never stores them, so their encoding is no matter.
    const wanted = new Uint8Array(n).fill(resolved.layout.encoder === 'items' ? 2 : 0);
    for (const i of read) wanted[i] = 1;
    this.tokenizer.fieldWanted = wanted;
    this.tokenizer.maxRecordChars = Math.max(MAX_ROW_CHARS, this.maxFieldBytes * 4);
    this.format = resolved.layout.format;
    this.layout = resolved.variant;
    const mapped: Record<string, string> = {};
    for (const [field, i] of resolved.index) mapped[field] = resolved.names[i]!;
    const used = new Set(read);
    const fieldAt = new Map([...resolved.index].map(([field, i]) => [i, field]));
    for (const i of resolved.spread) fieldAt.set(i, resolved.layout.spread!.valueField);
    this.headerInfo = {
      kind: this.kind,
      format: resolved.layout.format,
      layout: resolved.variant,
      line,
      columns: resolved.names,
      mapped,
      ignored: resolved.names.filter((name, i) => !used.has(i) && name !== ''),
      fields: resolved.names.map((_, i) => fieldAt.get(i) ?? null),
    };
    this.encoder = createEncoder({
      sink: this,
      header: resolved,
      runId: this.runId,
      uploadId: this.uploadId,
      delimiter: this.tokenizer.delimiter,
    });
  }

  private announce(): void {
    if (this.headerSettled) return;
    this.headerSettled = true;
    this.resolveHeaderPromise(this.headerInfo!);
    this.emit('header', this.headerInfo);
  }
}

/** Columns of a header that matches no layout listed on its upload: enough for any real file. */
const MAX_LISTED_COLUMNS = 250;

const NO_ORDER_FIELDS: ReadonlyMap<string, (string | null)[]> = new Map();

const SEPARATOR_NAMES: Record<string, string> = { ',': 'a comma', ';': 'a semicolon', '\t': 'a tab' };

/**
 * How the programs that write canonical files write a null: SQL clients `NULL`, MySQL and PostgreSQL's text format
 * `\N`, pandas `None`, `nan`, `NaT` and `<NA>`: an empty cell, not a value. Shopify's exports write none.
 */
const NULL_MARKERS: ReadonlySet<string> = new Set(['NULL', 'null', 'Null', '\\N', 'None', 'NaN', 'nan', 'NaT', '<NA>']);
/**
 * R's `NA`, a spreadsheet's `#N/A` (a lookup that found nothing) and `N/A`: nulls too, except where a name is read
 * (NAME_FIELDS), since `NA` is also a SKU or a warehouse (North America).
 */
const WORD_NULL_MARKERS: ReadonlySet<string> = new Set(['NA', '#N/A', 'N/A', 'n/a']);
const NAME_FIELDS: ReadonlySet<string> = new Set([
  'sku', 'barcode', 'handle', 'location_name', 'title', 'product_title', 'variant_title', 'vendor', 'product_type',
  'product_category', 'tags', 'option1', 'option2', 'option3', 'order_id',
]);

/** A spreadsheet's `sep=;` line, which says the file's separator. */
function isSepLine(fields: string[], n: number): boolean {
  const first = fields[0]!;
  return first.length <= 5 && first.length >= 4 && /^sep=.?$/i.test(first) && (n === 1 || (n === 2 && fields[1] === ''));
}

/** Empty, or white space only (Unicode's included); a cell starting with a printable ASCII character is not. */
function isBlank(value: string): boolean {
  if (value.length === 0) return true;
  const first = value.charCodeAt(0);
  return (first <= 32 || first >= 127) && value.trim().length === 0;
}

/** A record of white space only (`  ,  ,`), as blank as a line of commas; only the cells kept are seen. */
function blankRecord(fields: string[], n: number): boolean {
  for (let i = 0; i < n; i++) if (!isBlank(fields[i]!)) return false;
  return true;
}

/** Creates the CSV -> COPY text transformer for one file. */
export function createCsvToCopy(opts: CsvToCopyOptions): CsvToCopyStream {
  return new CsvToCopyStream(opts);
}
