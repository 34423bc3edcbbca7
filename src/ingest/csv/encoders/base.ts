import type { ResolvedHeader } from '../header';
import type { CsvRowErrorCode } from '../types';
import type { CopyWriter } from '../copy-writer';
import { MIN_YEAR, escapeCopyText, isAmbiguousDate, whyNotADate, normalizeId, normalizeName, normalizeSku, parseBoolean, parseInteger, parseMoney, parseTimestamp, truncateValue } from '../values';

/**
 * A number in scientific notation, as spreadsheets show long ids: `5.12346E+12`, or `5,12346E+12` in locales that
 * write a decimal comma.
 */
const SCIENTIFIC = /^\d+([.,]\d+)?[eE]\+?\d+$/;
/**
 * A SKU in scientific notation as a spreadsheet writes a long number it rounded (`1.23457E+12`): narrower than
 * SCIENTIFIC, since SKUs are free text and `3E5` may be one.
 */
const SPREADSHEET_NUMBER = /^\d([.,]\d+)?E\+\d{2,3}$/i;
/** A number written with a decimal comma (`19,99`), and no point. */
const DECIMAL_COMMA = /^[-+]?\d*,\d+$/;
/** One that is surely not a thousands separator (`19,99`, not `1,000`). */
const DECIMAL_COMMA_CENTS = /^\d+,\d{1,2}$/;
/** Thousands separated by points, before a decimal comma (`1.299,00`) or alone (`1.299.000`). */
const THOUSANDS_POINTS = /^[-+]?\d{1,3}(\.\d{3})+,\d+$|^[-+]?\d{1,3}(\.\d{3}){2,}$/;
/** Thousands separated by commas, more than one group (`1,299,000`): no decimal comma is followed by more commas. */
const THOUSANDS_COMMAS = /^[-+]?\d{1,3}(,\d{3}){2,}$/;
/** Thousands set apart by commas before a decimal point (`1,299.00`): reads one way. */
const COMMA_THOUSANDS_POINT_DECIMAL = /^[-+]?[1-9]\d{0,2}(,\d{3})+\.\d+$/;
/** Thousands set apart by spaces (plain, no-break or narrow no-break), a decimal comma or none after them. */
const SPACED_THOUSANDS = /^[-+]?\d{1,3}([ \u00a0\u202f]\d{3})+(,\d+)?$/;
/** One group of three digits after a separator, the first not 0: thousands, or three decimals (`1.299`, `1,299`)? */
const ONE_GROUP = /^[-+]?[1-9]\d{0,2}[.,]\d{3}$/;
/** Thousands separated by commas in a comma file (a quoted `"1,000"`). */
const THOUSANDS_IN_COMMA_FILE = /^[-+]?\d{1,3}(,\d{3})+$/;
const ROUNDED = 'a number rounded by a spreadsheet (scientific notation): export the file again and save it without opening it in a spreadsheet, or format the column as text';
/** The reason a number that `delocalized` finds reading two ways is refused. */
function readsTwoWays(v: string): string {
  return `expected a number that reads one way: ${v} could be thousands or decimals; write it without a thousands separator`;
}

/**
 * The most characters of a value that names something (an id, a SKU, a handle, an option value, a location, an order
 * name), as Shopify allows them: such values are indexed, and PostgreSQL refuses an index entry beyond about 2.7 kB.
 */
export const MAX_KEY_CHARS = 255;
/** The most UTF-8 bytes of a key made of several names (see handleKey). */
const MAX_KEY_BYTES = 2000;

/** COPY text for NULL. */
export const NULL = '\\N';

/** What an encoder did with a row. */
export const ROW_EMITTED = 0;
export const ROW_REJECTED = 1;
export const ROW_SKIPPED = 2;

/** Where encoders put their output: COPY rows (through `writer`) and row errors. */
export interface RowSink {
  readonly writer: CopyWriter;
  /** The row just written (ending in a newline) for the record that starts at `line` is complete. */
  rowWritten(line: number): void;
  rowError(line: number, column: string | null, value: string | null, code: CsvRowErrorCode, message: string): void;
}

export interface EncoderContext {
  sink: RowSink;
  header: ResolvedHeader;
  runId: string;
  uploadId: string;
  /**
   * The file's field separator. Where it is not a comma, a comma in an amount is a decimal mark (semicolons are how
   * spreadsheets separate fields in locales that write `19,99`; tab-separated text is saved the same way).
   */
  delimiter?: string;
}

/** Encodes one data record (fields padded to the header's width plus one empty slot); returns ROW_*. */
export interface RowEncoder {
  encode(fields: string[], line: number): number;
  /**
   * The file's header came again: what follows is another export pasted after the first, whose rows are keyed as in
   * a file of their own (so that two exports of overlapping dates hold the same keys twice, not new lines).
   */
  startExport?(): void;
  /**
   * When set, the row is rejected whatever its values and its value errors are not reported: used for records
   * already rejected for their structure, so that they still advance per-order and carried-forward state.
   */
  silent: boolean;
  /** While `silent`: the column whose value broke the record, or -1 when every value of it is suspect. */
  brokenColumn: number;
  /** While `silent`: whether the values after the broken one are suspect too (a stray quote shifts them). */
  brokenOnward: boolean;
  /**
   * Whether the row has more fields than the header, the extra ones empty: a spreadsheet's padding, or an unquoted
   * comma that shifted the values after it into a trailing column that is usually empty.
   */
  padded: boolean;
  /**
   * Stretches of a group's rows (an order, a Shopify product) that start without the group's fields (an order's
   * status and currency, a product's title, status, gift card...), which only the group's first row states: the rest
   * of a group whose first row is elsewhere, as in a file sorted in a spreadsheet, or in an earlier file. The encoder
   * no longer holds those fields; ingestion fills them in SQL once the rows are written.
   */
  readonly unstatedStretches?: number;
  /** Whether some row of the file stated its group's fields: if none did, the file has none to fill from. */
  readonly statesGroupFields?: boolean;
  /**
   * Order lines written with created_at -infinity: blank, with no earlier line of their order in reach to take it
   * from (a file sorted in a spreadsheet). Ingestion dates them from their order's other lines once written.
   */
  readonly pendingCreatedAt?: number;
  /**
   * Order lines written with a provisional key, unique in the file, because their count among their order's lines
   * selling the same is not known in the stream (see OrdersEncoder); ingestion numbers them once written. Their
   * orders, unless too many to keep (null).
   */
  readonly provisionalKeys?: number;
  readonly provisionalOrders?: ReadonlySet<string> | null;
  /** Order fields stated by refused lines, by order (see OrdersEncoder.refusedOrderFields). */
  readonly refusedOrderFields?: ReadonlyMap<string, (string | null)[]>;
}

/**
 * A rejected row whose values later rows of its group (an order, a product) would take over: its line, and which of
 * the carried columns it left unfit (EncoderBase.unfitColumns). A later row that leaves one of those blank would
 * take the broken value, or nothing in its place, and is refused too (FIRST_ROW_REJECTED); one that states them all
 * itself starts the group afresh.
 */
export class CarryTaint {
  line = 0;
  /** The carried columns the rejected row left unfit. */
  columns: readonly number[] = [];

  clear(): void {
    this.line = 0;
  }

  /** Marks the group after a rejected row at `line`; nothing when the row left every carried value fit. */
  mark(line: number, unfit: readonly number[]): void {
    if (this.line !== 0 || unfit.length === 0) return;
    this.line = line;
    this.columns = unfit;
  }

  /** Whether a later row of the group takes over an unfit value; one that restates them all clears the mark. */
  takenBy(fields: readonly string[]): boolean {
    if (this.line === 0) return false;
    for (const c of this.columns) if (fields[c]!.trim().length === 0) return true;
    this.line = 0;
    return false;
  }
}

/**
 * Shared helpers. Column indexes are resolved once from the header; an absent column maps to the index just past
 * the header, which the caller keeps empty, so reads never branch on presence. Each `put*` writes one COPY value
 * and a tab; `finish` ends the row, or takes it back when a value was rejected.
 */
export abstract class EncoderBase implements RowEncoder {
  protected readonly sink: RowSink;
  protected readonly w: CopyWriter;
  protected readonly names: string[];
  protected readonly absent: number;
  protected line = 0;
  protected errors = 0;
  /** Columns whose values the current row failed on. */
  protected readonly failedColumns: number[] = [];
  /** Columns whose problems the current row does not report: the values it would take over from a rejected row. */
  private muted: readonly number[] = [];
  silent = false;
  brokenColumn = -1;
  brokenOnward = false;
  padded = false;
  private rowStart = 0;
  private readonly prefix: Buffer;
  private readonly upload: Buffer;
  private readonly header: ResolvedHeader;

  private readonly delimiter: string;

  constructor(ctx: EncoderContext) {
    this.sink = ctx.sink;
    this.w = ctx.sink.writer;
    this.header = ctx.header;
    this.names = ctx.header.names;
    this.absent = ctx.header.names.length;
    this.prefix = Buffer.from(escapeCopyText(ctx.runId) + '\t');
    this.upload = Buffer.from(escapeCopyText(ctx.uploadId) + '\t');
    this.delimiter = ctx.delimiter ?? ',';
  }

  abstract encode(fields: string[], line: number): number;

  /** Column index of a target field, or the always-empty slot. */
  protected col(field: string): number {
    return this.header.index.get(field) ?? this.absent;
  }

  protected has(field: string): boolean {
    return this.header.index.has(field);
  }

  /** Starts a row: writes run_id. */
  protected begin(line: number): void {
    this.line = line;
    this.errors = 0;
    this.failedColumns.length = 0;
    this.muted = [];
    this.rowStart = this.w.pos;
    this.w.bytes(this.prefix);
  }

  /**
   * Which of `columns` the current row, rejected, leaves unfit for later rows to take over: those refused, or the one
   * that broke the record (a broken record is read in silence only to keep the encoder's state moving) and, after a
   * stray quote, those after it, or all when the whole record is suspect. Empty for a row that was not rejected.
   */
  protected unfitColumns(columns: readonly number[]): readonly number[] {
    if (this.silent) {
      const broken = this.brokenColumn;
      return broken < 0 ? columns : columns.filter((c) => c === broken || (this.brokenOnward && c > broken));
    }
    if (this.errors === 0) return [];
    // Rejected, a padded row may be a shifted one: none of its values can be trusted.
    return this.padded ? columns : columns.filter((c) => this.failedColumns.includes(c));
  }

  /**
   * Refuses the current row as one that would take carried values from a rejected row (see CarryTaint): reported
   * once, and what it would have taken over is not reported again; its own values' problems are.
   */
  protected refuseTaken(col: number, value: string, message: string, taken: CarryTaint): void {
    this.fail(col, value, 'FIRST_ROW_REJECTED', message);
    this.muted = taken.columns;
  }

  /** Ends the row; returns ROW_EMITTED, or ROW_REJECTED (and takes the row back) when a value was rejected. */
  protected finish(): number {
    const w = this.w;
    if (this.errors !== 0 || this.silent) {
      w.pos = this.rowStart;
      return ROW_REJECTED;
    }
    w.buf[w.pos - 1] = 10;
    this.sink.rowWritten(this.line);
    return ROW_EMITTED;
  }

  protected fail(col: number, value: string | null, code: CsvRowErrorCode, message: string): void {
    this.errors++;
    this.failedColumns.push(col);
    if (this.silent || this.muted.includes(col)) return;
    this.sink.rowError(
      this.line,
      col >= 0 && col < this.absent ? this.names[col]! : null,
      value === null ? null : truncateValue(value),
      code,
      message,
    );
  }

  protected putLine(): void {
    this.w.int(this.line);
    this.w.byte(9);
  }

  protected putUpload(): void {
    this.w.bytes(this.upload);
  }

  protected putNull(): void {
    this.w.nul();
    this.w.byte(9);
  }

  /** A value known to be ASCII without special characters (NULL, `t`, validated numbers and dates). */
  protected putAscii(v: string): void {
    this.w.ascii(v);
    this.w.byte(9);
  }

  /** A trimmed text value; empty is NULL. */
  protected putStr(v: string, col: number): void {
    if (v.length === 0) this.w.nul();
    else if (!this.w.text(v)) this.fail(col, v.replace(/\0/g, '\\0'), 'INVALID_CHARACTER', 'text cannot contain NUL characters');
    this.w.byte(9);
  }

  /** A text cell, trimmed; empty is NULL. */
  protected putText(f: string[], col: number): void {
    const raw = f[col]!;
    this.putStr(raw.length === 0 ? raw : raw.trim(), col);
  }

  /**
   * The id in a cell (see normalizeId), or '' for an empty one. An id in scientific notation (`5.12346E+12`) is a
   * long number a spreadsheet rounded on opening the file: its digits are lost, and distinct orders or variants
   * would become one, so the row is refused.
   */
  protected id(f: string[], col: number): string {
    const raw = f[col]!;
    if (raw.length === 0) return raw;
    const id = normalizeId(raw);
    if ((id.indexOf('E') > 0 || id.indexOf('e') > 0) && SCIENTIFIC.test(id)) {
      this.fail(col, raw, 'INVALID_ID', ROUNDED);
    }
    return this.limited(id, col);
  }

  /** A cell that names something (a handle, an option value, a location): see normalizeName and MAX_KEY_CHARS. */
  protected name(f: string[], col: number): string {
    const raw = f[col]!;
    return raw.length === 0 ? raw : this.limited(normalizeName(raw), col);
  }

  /**
   * A key made of several names (`h:<handle>/<option values>`): each is at most MAX_KEY_CHARS, but four of them in a
   * script of three bytes a character could still be too large for the index.
   */
  protected handleKey(handle: string, o1: string, o2: string, o3: string, col: number): string {
    const key = 'h:' + handle + '/' + o1 + '/' + o2 + '/' + o3;
    // (Once a name was refused as too long, the row is refused already.)
    if (key.length > 600 && this.errors === 0 && Buffer.byteLength(key) > MAX_KEY_BYTES) {
      this.fail(col, handle, 'FIELD_TOO_LARGE', `a handle and its option values together have at most ${MAX_KEY_BYTES} bytes; these have ${Buffer.byteLength(key)}`);
    }
    return key;
  }

  /** `v`, refused when longer than MAX_KEY_CHARS. */
  protected limited(v: string, col: number): string {
    if (v.length > MAX_KEY_CHARS) {
      this.fail(col, v, 'FIELD_TOO_LARGE', `a value that names something has at most ${MAX_KEY_CHARS} characters; this one has ${v.length}`);
    }
    return v;
  }

  /**
   * The SKU in a cell (see normalizeSku), or ''. One a spreadsheet rounded into scientific notation is refused like
   * an id: distinct SKUs would become one.
   */
  protected sku(f: string[], col: number): string {
    const raw = f[col]!;
    if (raw.length === 0) return raw;
    const sku = normalizeSku(raw);
    if (sku.length > 4 && sku.length < 16 && SPREADSHEET_NUMBER.test(sku)) this.fail(col, raw, 'INVALID_ID', ROUNDED);
    return this.limited(sku, col);
  }

  protected putId(f: string[], col: number): void {
    this.putStr(this.id(f, col), col);
  }

  /**
   * A number as a file not separated by commas writes it (semicolons are how spreadsheets separate fields in locales
   * that write `19,99`; tab-separated text is saved the same way): the comma is the decimal mark there, and points
   * or spaces before it separate thousands (`1.299,00`, `1 299,00`, `1.299.000`), as do commas in groups
   * (`1,299,000`). Null for one that reads two ways (`1.299`, `1,299`: thousands, or three decimals?), which is refused
   * rather than guessed. In any file, `1,299.00` is 1299.00. Otherwise, in a comma file, the cell as it is.
   */
  private delocalized(v: string): string | null {
    // A point after groups of three digits set apart by commas is a decimal mark, in any file (`1,299.00`).
    const hasComma = v.indexOf(',') >= 0;
    if (hasComma && COMMA_THOUSANDS_POINT_DECIMAL.test(v)) return v.replace(/,/g, '');
    if (this.delimiter === ',') return v;
    if (!hasComma && v.indexOf('.') < 0 && v.indexOf(' ') < 0 && v.indexOf('\u00a0') < 0 && v.indexOf('\u202f') < 0) return v;
    // Spaces between groups of three (`1 299,00`, as French and Nordic spreadsheets write them).
    if (SPACED_THOUSANDS.test(v)) v = v.replace(/[ \u00a0\u202f]/g, '');
    if (ONE_GROUP.test(v)) return null;
    if (THOUSANDS_POINTS.test(v)) return v.replace(/\./g, '').replace(',', '.');
    if (THOUSANDS_COMMAS.test(v)) return v.replace(/,/g, '');
    if (DECIMAL_COMMA.test(v)) return v.replace(',', '.');
    return v;
  }

  /** An optional money cell (non-negative plain decimal; see delocalized). */
  protected putMoney(f: string[], col: number): void {
    const raw = f[col]!;
    const v = raw.length === 0 ? raw : raw.trim();
    if (v.length === 0) return this.putNull();
    const d = this.delocalized(v);
    const m = d === null ? null : parseMoney(d);
    if (m !== null) return this.putAscii(m);
    this.fail(
      col,
      raw,
      'INVALID_PRICE',
      d === null
        ? readsTwoWays(v)
        : d.charCodeAt(0) === 45
          ? 'expected an amount >= 0'
          : DECIMAL_COMMA_CENTS.test(d)
            ? 'expected a point as the decimal mark, such as 19.99: a spreadsheet in a locale that writes 19,99 saved the file'
            : 'expected a plain decimal amount such as 19.99 (no currency symbol or thousands separator)',
    );
    this.putNull();
  }

  /** A trimmed, non-empty cell as a whole number (see parseInteger and delocalized: `2,0` is 2), or null. */
  protected integer(v: string): string | null {
    const d = this.delocalized(v);
    return d === null ? null : parseInteger(d);
  }

  /** Refuses a cell that `integer` did not read: `expected` says what was, unless a thousands separator is the cause. */
  protected numberError(col: number, raw: string, expected: string): void {
    const v = raw.trim();
    this.fail(
      col,
      raw,
      'INVALID_NUMBER',
      this.delocalized(v) === null
        ? readsTwoWays(v)
        : this.delimiter === ',' && THOUSANDS_IN_COMMA_FILE.test(v)
          ? `${expected}, without a thousands separator`
          : expected,
    );
  }

  /** An optional integer cell; negatives allowed. */
  protected putInt(f: string[], col: number): void {
    const raw = f[col]!;
    const v = raw.length === 0 ? raw : raw.trim();
    if (v.length === 0) return this.putNull();
    const n = this.integer(v);
    if (n !== null) return this.putAscii(n);
    this.numberError(col, raw, 'expected a whole number between -2147483648 and 2147483647');
    this.putNull();
  }

  /** An optional timestamp cell. */
  protected putTimestamp(f: string[], col: number): void {
    this.putAscii(this.timestamp(f, col));
  }

  /** An optional timestamp cell as COPY text (NULL when blank or invalid). */
  protected timestamp(f: string[], col: number): string {
    const raw = f[col]!;
    const v = raw.length === 0 ? raw : raw.trim();
    if (v.length === 0) return NULL;
    const t = parseTimestamp(v);
    if (t !== null) return t;
    this.dateError(col, raw);
    return NULL;
  }

  protected dateError(col: number, raw: string): void {
    const forms = `a date from ${MIN_YEAR} to 2100, as ISO-8601 (2025-12-07, 2025-12-07T19:08:25Z), 2025-12-07 19:08:25 -0400, 07.12.2025 19:08 or 12/31/2025 (day and month between slashes when one of them is over 12)`;
    this.fail(
      col,
      raw,
      'INVALID_DATE',
      isAmbiguousDate(raw.trim())
        ? `a date with day and month between slashes reads two ways (month first in the US, day first elsewhere): write ${forms}`
        : `${whyNotADate(raw.trim()) ?? 'not a date'}: expected ${forms}`,
    );
  }

  /** An optional boolean value as COPY text. */
  protected bool(v: string, col: number): string {
    if (v.length === 0) return NULL;
    const b = parseBoolean(v);
    if (b !== null) return b;
    this.booleanError(col, v);
    return NULL;
  }

  protected booleanError(col: number, raw: string): void {
    this.fail(col, raw, 'INVALID_BOOLEAN', 'expected true/false, yes/no or 1/0');
  }
}

/** String equality by code units: cheaper than `===` on the sliced, non-internalised strings of the tokenizer. */
export function sameText(a: string, b: string): boolean {
  const n = a.length;
  if (n !== b.length) return false;
  for (let i = n - 1; i >= 0; i--) if (a.charCodeAt(i) !== b.charCodeAt(i)) return false;
  return true;
}

/** 32-bit FNV-1a of a string's UTF-16 code units, continuing from `h`. */
function fnv(s: string, h: number): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h;
}

const SLOT_SEED = 0x811c9dc5;
const CHECK_SEED = 0x01000193;

/**
 * A direct-mapped cache of string keys with a number each: fixed memory, O(1), and a key is
 * only forgotten when a later key lands in its slot. A key just set is always found until another key takes its
 * slot. No string is kept, only two 32-bit hashes of each key (one picks the slot, the other checks it): kept
 * strings, copied out of the file's chunks, would fill the old generation with garbage as fast as the file brings
 * new keys, and memory would grow with the file. Two keys sharing both hashes (odds about 2^-48 per lookup) share
 * a value.
 */
export class KeyCache {
  private readonly checks: Int32Array;
  private readonly values: Float64Array;
  private readonly mask: number;

  constructor(bits = 14) {
    this.checks = new Int32Array(1 << bits);
    this.values = new Float64Array(1 << bits);
    this.mask = (1 << bits) - 1;
  }

  /** The value of `key`, or -1. */
  get(key: string): number {
    return this.read(fnv(key, SLOT_SEED), fnv(key, CHECK_SEED));
  }

  set(key: string, value: number): void {
    this.write(fnv(key, SLOT_SEED), fnv(key, CHECK_SEED), value);
  }

  /** Returns the value stored for `key` (-1 if none) and stores `value` when there was none. */
  getOrSet(key: string, value: number): number {
    const slot = fnv(key, SLOT_SEED);
    const check = fnv(key, CHECK_SEED);
    const found = this.read(slot, check);
    if (found < 0) this.write(slot, check, value);
    return found;
  }

  private read(slot: number, check: number): number {
    const i = slot & this.mask;
    return this.checks[i] === (check | 1) ? this.values[i]! : -1;
  }

  private write(slot: number, check: number, value: number): void {
    const i = slot & this.mask;
    this.checks[i] = check | 1;
    this.values[i] = value;
  }
}

/** Murmur3's finaliser: spreads FNV's weak low bits over the word before they pick a bit of a filter. */
function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * The keys seen so far, as a Bloom filter of fixed size (2 MiB): `add` says whether a key may have been added
 * before (always true if it was, and for a few keys that were not: about 1 in 500,000 with 300,000 keys in, 1 in
 * 1,400 with a million, more beyond) and adds it. Unlike KeyCache it never forgets, so "not seen" is exact, whatever
 * the file's length.
 */
export class SeenKeys {
  private static readonly BITS = 24;
  private static readonly PROBES = 6;
  private readonly words: Int32Array;

  constructor(words?: Int32Array) {
    this.words = words ?? new Int32Array(1 << (SeenKeys.BITS - 5));
  }

  add(key: string): boolean {
    return this.probe(mix(fnv(key, SLOT_SEED)), mix(fnv(key, CHECK_SEED)), true);
  }

  /** `add` for the pair (`a`, `b`), keyed as one text without joining them. */
  addPair(a: string, b: string): boolean {
    return this.probe(mix(fnv(b, fnv(a, SLOT_SEED) ^ 10)), mix(fnv(b, fnv(a, CHECK_SEED) ^ 10)), true);
  }

  /** Whether `key` may have been added: false is exact. */
  has(key: string): boolean {
    return this.probe(mix(fnv(key, SLOT_SEED)), mix(fnv(key, CHECK_SEED)), false);
  }

  /** The keys added so far, apart from those added later to either. */
  copy(): SeenKeys {
    return new SeenKeys(this.words.slice());
  }

  private probe(h1: number, h2: number, write: boolean): boolean {
    const mask = (1 << SeenKeys.BITS) - 1;
    const step = h2 | 1;
    let seen = true;
    for (let i = 0; i < SeenKeys.PROBES; i++) {
      const bit = (h1 + Math.imul(i, step)) & mask;
      const word = bit >>> 5;
      const flag = 1 << (bit & 31);
      if ((this.words[word]! & flag) === 0) {
        if (!write) return false;
        seen = false;
        this.words[word] = this.words[word]! | flag;
      }
    }
    return seen;
  }
}

const ITEM_KEY_NAMES: Record<string, string> = { v: 'variant id', s: 'SKU', i: 'inventory item id', h: 'handle' };

/**
 * An item key as a merchant reads it: `variant id 123`, `SKU TEE-M`, `handle tee, options Black / M`. Keys are
 * `<kind>:<value>`, with a handle's option values after slashes.
 */
export function describeItemKey(key: string): string {
  const name = ITEM_KEY_NAMES[key.charAt(0)];
  if (!name || key.charAt(1) !== ':') return key;
  if (key.charAt(0) !== 'h') return `${name} ${key.slice(2)}`;
  const [handle, ...options] = key.slice(2).split('/');
  const given = options.filter((o) => o.length !== 0);
  return given.length ? `handle ${handle}, options ${given.join(' / ')}` : `handle ${handle}`;
}

/** An item key's value as the file gives it: the id or SKU, or the handle and option values (`tee / Black / M`). */
export function itemKeyValue(key: string): string {
  if (!key.startsWith('h:')) return key.slice(2);
  return key.slice(2).split('/').filter((part) => part.length !== 0).join(' / ');
}

/**
 * Remembers the keys of recent rows (with the line of each) to report duplicates with bounded memory: repeats of
 * a key on consecutive rows are always caught, others as long as no later key has taken the key's slot; the rest
 * are left to the table's primary key.
 */
export class RecentKeys {
  private readonly cache: KeyCache;
  constructor(bits = 15) {
    this.cache = new KeyCache(bits);
  }

  /** Returns the line where `key` was seen, or 0 after remembering it. */
  check(key: string, line: number): number {
    const prev = this.cache.getOrSet(key, line);
    return prev < 0 ? 0 : prev;
  }
}
