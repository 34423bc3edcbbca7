/** The index of the last of ascending `sorted` that is at most `x`, or -1. */
function lastAtOrBefore(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= x) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/**
 * Maps the n-th emitted COPY row (1-based, as in PostgreSQL's "COPY t, line n") to the physical file line where
 * its record starts. Row n is expected on line n + 1 (after the header); only the points where the offset
 * changes (multi-line records, skipped or rejected rows, blank lines) are stored.
 */
export class LineMap {
  private rows: number[] = [];
  private deltas: number[] = [];
  private last = 0;
  private count = 0;

  /** Records that COPY row `row` (the next one, 1-based) comes from file line `line`. */
  add(row: number, line: number): void {
    const d = line - row - 1;
    if (d !== this.last) {
      this.rows.push(row);
      this.deltas.push(d);
      this.last = d;
    }
    this.count = row;
  }

  /** Number of rows mapped. */
  get size(): number {
    return this.count;
  }

  /** Number of stored offset changes (the map's memory is proportional to it). */
  get breakpoints(): number {
    return this.rows.length;
  }

  /** File line of COPY row `row`, or null when no such row was emitted. */
  lineOf(row: number): number | null {
    if (!Number.isInteger(row) || row < 1 || row > this.count) return null;
    const found = lastAtOrBefore(this.rows, row);
    return row + 1 + (found < 0 ? 0 : this.deltas[found]!);
  }
}

/** The most offset changes a RowMap keeps (8 bytes each): rows after the last one kept are not known. */
const MAX_ROW_BREAKPOINTS = 250_000;

/**
 * Maps physical file lines to the rows a spreadsheet shows for them: a record whose quoted cells hold line breaks (a
 * Shopify order's note, a product's description) spans several lines but is one row, and a leading `sep=` line is
 * no row. Fed every record's first line in order; only the points where the offset changes are kept, up to a bound.
 */
export class RowMap {
  private readonly lines: number[] = [];
  private readonly offsets: number[] = [];
  private last = 0;
  private offset = 0;
  /** Lines from this one on have no known row (the bound was reached); 0 while every line is known. */
  private unknownFrom = 0;

  /** A record starts on `line`. */
  record(line: number): void {
    if (this.last !== 0 && line > this.last + 1) this.shift(line, line - this.last - 1);
    this.last = line;
  }

  /** The record on `line` is no row (a leading `sep=` line): the rows after it come one sooner. */
  hide(line: number): void {
    this.shift(line + 1, 1);
  }

  private shift(from: number, by: number): void {
    if (this.unknownFrom !== 0) return;
    if (this.lines.length === MAX_ROW_BREAKPOINTS) {
      this.unknownFrom = from;
      return;
    }
    this.offset += by;
    this.lines.push(from);
    this.offsets.push(this.offset);
  }

  /** The spreadsheet row of the record starting on `line` (the header's is 1 when it is the first row), or null. */
  rowOf(line: number): number | null {
    if (this.unknownFrom !== 0 && line >= this.unknownFrom) return null;
    const found = lastAtOrBefore(this.lines, line);
    return line - (found < 0 ? 0 : this.offsets[found]!);
  }
}

/** The COPY data line number in a PostgreSQL COPY error (`where: "COPY t, line 5, column c: ..."`), if any. */
export function copyErrorLine(err: unknown): number | null {
  if (err === null || typeof err !== 'object') return null;
  const e = err as { where?: unknown; message?: unknown };
  for (const s of [e.where, e.message]) {
    if (typeof s === 'string') {
      const m = /\bCOPY [^,]+, line (\d+)/.exec(s);
      if (m) return Number(m[1]);
    }
  }
  return null;
}
