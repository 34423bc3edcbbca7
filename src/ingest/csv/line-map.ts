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
    const rows = this.rows;
    let lo = 0;
    let hi = rows.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (rows[mid]! <= row) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return row + 1 + (found < 0 ? 0 : this.deltas[found]!);
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
