import type { ResolvedHeader } from '../header';
import type { CsvRowErrorCode } from '../types';
import { escapeCopyText, needsCopyEscape, normalizeId, parseInteger, parseMoney, parseTimestamp, truncateValue } from '../values';

/** COPY text for NULL. */
export const NULL = '\\N';

/** What an encoder did with a row. */
export const ROW_EMITTED = 0;
export const ROW_REJECTED = 1;
export const ROW_SKIPPED = 2;

/** Where encoders put their output: COPY rows and row errors. */
export interface RowSink {
  /** Appends one COPY row (ending in `\n`) for the record that starts at `line`. */
  emitRow(row: string, line: number): void;
  rowError(line: number, column: string | null, value: string | null, code: CsvRowErrorCode, message: string): void;
}

export interface EncoderContext {
  sink: RowSink;
  header: ResolvedHeader;
  runId: string;
  uploadId: string;
}

/** Encodes one data record (fields padded to the header's width) into the sink; returns ROW_*. */
export interface RowEncoder {
  encode(fields: string[], line: number): number;
}

/**
 * Shared helpers. Column indexes are resolved once from the header; an absent column maps to the index just past
 * the header, which the caller keeps empty, so reads never branch on presence.
 */
export abstract class EncoderBase implements RowEncoder {
  protected readonly sink: RowSink;
  protected readonly names: string[];
  protected readonly absent: number;
  /** `run_id\t` as COPY text. */
  protected readonly runPrefix: string;
  /** upload_id as COPY text. */
  protected readonly upload: string;
  protected line = 0;
  protected errors = 0;
  private readonly header: ResolvedHeader;

  constructor(ctx: EncoderContext) {
    this.sink = ctx.sink;
    this.header = ctx.header;
    this.names = ctx.header.names;
    this.absent = ctx.header.names.length;
    this.runPrefix = escapeCopyText(ctx.runId) + '\t';
    this.upload = escapeCopyText(ctx.uploadId);
  }

  abstract encode(fields: string[], line: number): number;

  /** Column index of a target field, or the always-empty slot. */
  protected col(field: string): number {
    return this.header.index.get(field) ?? this.absent;
  }

  protected has(field: string): boolean {
    return this.header.index.has(field);
  }

  protected fail(col: number, value: string | null, code: CsvRowErrorCode, message: string): void {
    this.errors++;
    this.sink.rowError(
      this.line,
      col >= 0 && col < this.absent ? this.names[col]! : null,
      value === null ? null : truncateValue(value),
      code,
      message,
    );
  }

  /** A trimmed, non-empty text value as COPY text. */
  protected esc(v: string, col: number): string {
    if (v.length === 0) return NULL;
    if (needsCopyEscape(v)) {
      if (v.indexOf('\0') >= 0) {
        this.fail(col, v.replace(/\0/g, '\\0'), 'INVALID_CHARACTER', 'text cannot contain NUL characters');
        return NULL;
      }
      return escapeCopyText(v);
    }
    return v;
  }

  /** A text cell: trimmed; empty is NULL. */
  protected text(f: string[], col: number): string {
    const raw = f[col]!;
    return raw.length === 0 ? NULL : this.esc(raw.trim(), col);
  }

  /** An id cell: trimmed, Shopify gid reduced to its number; empty is NULL. */
  protected id(f: string[], col: number): string {
    const raw = f[col]!;
    return raw.length === 0 ? NULL : this.esc(normalizeId(raw), col);
  }

  /** An optional money cell (non-negative plain decimal). */
  protected money(f: string[], col: number): string {
    const raw = f[col]!;
    if (raw.length === 0) return NULL;
    const v = raw.trim();
    if (v.length === 0) return NULL;
    const m = parseMoney(v);
    if (m !== null) return m;
    this.fail(
      col,
      raw,
      'INVALID_PRICE',
      v.charCodeAt(0) === 45
        ? 'expected an amount >= 0'
        : 'expected a plain decimal amount such as 19.99 (no currency symbol or thousands separator)',
    );
    return NULL;
  }

  /** An optional integer cell; negatives allowed. */
  protected integer(f: string[], col: number): string {
    const raw = f[col]!;
    if (raw.length === 0) return NULL;
    const v = raw.trim();
    if (v.length === 0) return NULL;
    const n = parseInteger(v);
    if (n !== null) return n;
    this.fail(col, raw, 'INVALID_NUMBER', 'expected a whole number between -2147483648 and 2147483647');
    return NULL;
  }

  /** An optional timestamp cell. */
  protected timestamp(f: string[], col: number): string {
    const raw = f[col]!;
    if (raw.length === 0) return NULL;
    const v = raw.trim();
    if (v.length === 0) return NULL;
    const t = parseTimestamp(v);
    if (t !== null) return t;
    this.dateError(col, raw);
    return NULL;
  }

  protected dateError(col: number, raw: string): void {
    this.fail(
      col,
      raw,
      'INVALID_DATE',
      'expected an ISO-8601 date or time (2025-12-07, 2025-12-07T19:08:25Z) or 2025-12-07 19:08:25 -0400',
    );
  }

  protected booleanError(col: number, raw: string): void {
    this.fail(col, raw, 'INVALID_BOOLEAN', 'expected true/false, yes/no or 1/0');
  }
}

/**
 * Remembers the keys of recent rows (first line of each) to report duplicates with bounded memory: duplicates
 * further apart than `capacity` rows are left to the table's primary key.
 */
export class RecentKeys {
  private readonly seen = new Map<string, number>();
  constructor(private readonly capacity = 16384) {}

  /** Returns the line where `key` was first seen, or 0 after remembering it. */
  check(key: string, line: number): number {
    const prev = this.seen.get(key);
    if (prev !== undefined) return prev;
    this.seen.set(key, line);
    if (this.seen.size > this.capacity) this.seen.delete(this.seen.keys().next().value as string);
    return 0;
  }

  clear(): void {
    this.seen.clear();
  }

  get size(): number {
    return this.seen.size;
  }
}

/** COPY text of an item key built from its parts (each already trimmed). */
export function keyText(k: string): string {
  return needsCopyEscape(k) ? escapeCopyText(k.replace(/\0/g, '')) : k;
}
