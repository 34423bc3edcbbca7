/** Structural problems the tokenizer reports with a record. */
export const PROBLEM_NONE = 0;
export const PROBLEM_UNTERMINATED_QUOTE = 1;
export const PROBLEM_INVALID_QUOTE = 2;
export const PROBLEM_FIELD_TOO_LARGE = 3;
export const PROBLEM_INVALID_UTF8 = 4;

/**
 * Called once per record. `fields` is reused between calls: copy what must outlive the call; fields the
 * tokenizer was told not to keep hold ''. `line` is the physical line where the record starts. `problemField` is
 * the index of the field at fault (-1: none known), `problemLine` the physical line of the problem. `filled` is
 * the number of non-empty fields (0: a blank record, such as an empty line or a line of commas), `lastFilled` the
 * index of the last non-empty one (-1: none), kept or not.
 */
export type RecordCallback = (
  fields: string[],
  count: number,
  line: number,
  problem: number,
  problemField: number,
  problemLine: number,
  filled: number,
  lastFilled: number,
) => void;

export interface TokenizerOptions {
  /** Byte limit of a field whose index has no entry in fieldLimits. */
  maxFieldBytes: number;
  /** A record still incomplete beyond this many characters is skipped (and reported) without being buffered. */
  maxRecordChars?: number;
  /** The field separator; by default, the first line's (see sniffDelimiter). */
  delimiter?: string;
}

interface SkipState {
  line: number;
  recLine: number;
  inQuote: boolean;
  quotePending: boolean;
  fieldStart: boolean;
  field: number;
  fieldLen: number;
  maxLen: number;
  maxField: number;
}

/**
 * A streaming RFC 4180 tokenizer over decoded text: comma-separated, `"` quoting with `""` escapes, records ended
 * by LF or CRLF (both may appear in one file), or by CR alone when the first line ends so. Quoted fields may hold
 * newlines. A quote inside an unquoted field is kept as text; text after a closing quote is an INVALID_QUOTE.
 * Invalid UTF-8 is reported only in fields that are kept.
 * Memory is bounded by the chunk size plus one record of at most maxRecordChars.
 */
export class CsvTokenizer {
  /** Fields of a record beyond this count are scanned but not stored. */
  fieldCap = 1 << 20;
  /** Byte limits per field index. */
  fieldLimits: number[] | null = null;
  /**
   * Which field indexes to keep and check (1), keep without checking their UTF-8 (2: text that is looked at but never
   * stored), or only scan (0); null keeps and checks all.
   */
  fieldWanted: Uint8Array | null = null;
  readonly maxFieldBytes: number;
  maxRecordChars: number;
  private buf = '';
  private invalid: number[] = [];
  private line = 1;
  private nlCode = 0;
  /** The field separator: a comma, or what the first line shows instead (see sniffDelimiter); 0 until known. */
  private sep: number;
  private readonly fields: string[] = [];
  private skip: SkipState | null = null;
  private readonly onRecord: RecordCallback;

  constructor(onRecord: RecordCallback, opts: TokenizerOptions) {
    this.onRecord = onRecord;
    this.maxFieldBytes = opts.maxFieldBytes;
    this.maxRecordChars = opts.maxRecordChars ?? Math.max(opts.maxFieldBytes * 16, 1 << 20);
    this.sep = opts.delimiter === undefined ? 0 : opts.delimiter.charCodeAt(0);
  }

  /** The field separator in use, known once the first line is read. */
  get delimiter(): string {
    return String.fromCharCode(this.sep || 44);
  }

  /** The physical line the tokenizer has reached. */
  get currentLine(): number {
    return this.skip !== null ? this.skip.line : this.line;
  }

  /** Feeds decoded text; `invalid` lists offsets in `text` of characters that replaced invalid bytes. */
  push(text: string, invalid: number[] | null = null): void {
    if (text.length === 0) return;
    if (this.skip !== null) {
      const end = this.skipScan(text, 0);
      if (end < 0) return;
      this.finishSkip(false);
      text = text.slice(end);
      if (invalid !== null) invalid = invalid.filter((o) => o >= end).map((o) => o - end);
    }
    if (this.buf.length === 0) {
      this.buf = text;
      this.invalid = invalid === null ? [] : invalid.slice();
    } else {
      if (invalid !== null) for (const o of invalid) this.invalid.push(o + this.buf.length);
      this.buf += text;
    }
    this.run(false);
  }

  /** Ends the input: completes the last record (a missing final newline is fine). */
  end(): void {
    if (this.skip !== null) {
      this.finishSkip(true);
      return;
    }
    this.run(true);
    this.buf = '';
  }

  private detectNewline(final: boolean): boolean {
    const s = this.buf;
    const lf = s.indexOf('\n');
    const cr = s.indexOf('\r');
    if (cr >= 0 && (lf < 0 || cr < lf)) {
      if (cr + 1 < s.length) this.nlCode = s.charCodeAt(cr + 1) === 10 ? 10 : 13;
      else if (final) this.nlCode = 10;
      else return false;
    } else if (lf >= 0 || final) {
      this.nlCode = 10;
    } else {
      return false;
    }
    return true;
  }

  private run(final: boolean): void {
    const s = this.buf;
    const len = s.length;
    if (len === 0) return;
    if (this.nlCode === 0) {
      if (!this.detectNewline(final)) {
        if (len > this.maxRecordChars) this.nlCode = 10;
        else return;
      }
    }
    if (this.sep === 0) {
      // Wait for the first line that is not blank, unless there will be no more.
      this.sep = sniffDelimiter(s, this.nlCode, final || len > this.maxRecordChars);
      if (this.sep === 0) return;
    }
    const NL = this.nlCode;
    const nlStr = NL === 10 ? '\n' : '\r';
    const SEP = this.sep;
    const sepStr = String.fromCharCode(SEP);
    const fields = this.fields;
    const inv = this.invalid;
    let invIdx = 0;
    let nextInv = inv.length > 0 ? inv[0]! : len + 1;
    let cap = this.fieldCap;
    let limits = this.fieldLimits;
    let wanted = this.fieldWanted;
    const defLimit = this.maxFieldBytes;
    let line = this.line;
    let pos = 0;
    let nextSep = -1;
    let nextNl = s.indexOf(nlStr);
    if (nextNl < 0) nextNl = len;
    let recStart = 0;
    let recLine = line;
    let recInvIdx = 0;
    let incomplete = false;

    record: while (pos < len) {
      // A byte order mark starting a line: files saved by a spreadsheet and joined, each bringing its own.
      if (s.charCodeAt(pos) === 0xfeff) pos++;
      recStart = pos;
      recLine = line;
      recInvIdx = invIdx;
      let nf = 0;
      let filled = 0;
      let lastFilled = -1;
      let problem = PROBLEM_NONE;
      let problemField = -1;
      let problemLine = recLine;
      for (;;) {
        const keep = nf < cap && (wanted === null || wanted[nf] !== 0);
        let value = '';
        let size = 0;
        const c0 = s.charCodeAt(pos);
        if (c0 === SEP) {
          // empty field
        } else if (c0 === 34) {
          const open = pos;
          const openLine = line;
          let q = s.indexOf('"', pos + 1);
          if (q < 0) {
            if (!final) {
              incomplete = true;
              break record;
            }
            this.emitUnterminated(fields, nf, recLine);
            pos = len;
            break record;
          }
          let v = keep ? s.slice(pos + 1, q) : '';
          while (q + 1 < len && s.charCodeAt(q + 1) === 34) {
            const q2 = s.indexOf('"', q + 2);
            if (q2 < 0) {
              if (!final) {
                incomplete = true;
                break record;
              }
              this.emitUnterminated(fields, nf, recLine);
              pos = len;
              break record;
            }
            if (keep) v += s.slice(q + 1, q2);
            q = q2;
          }
          if (q + 1 === len && !final) {
            incomplete = true;
            break record;
          }
          size = q - pos - 1;
          while (nextNl < q) {
            line++;
            nextNl = s.indexOf(nlStr, nextNl + 1);
            if (nextNl < 0) nextNl = len;
          }
          pos = q + 1;
          if (pos < len) {
            const c = s.charCodeAt(pos);
            if (c !== SEP && c !== NL) {
              let crlf = false;
              if (c === 13 && NL === 10) {
                if (pos + 1 === len) {
                  if (!final) {
                    incomplete = true;
                    break record;
                  }
                  crlf = true;
                } else if (s.charCodeAt(pos + 1) === 10) {
                  crlf = true;
                }
              }
              // Tab-separated text as Google Sheets writes it quotes nothing: a cell that merely starts with a quote
              // (`"Best" mug`) is text as it stands, when its quotes close on its own line.
              const literal = SEP === TAB && line === openLine;
              if (!crlf && !literal && problem === PROBLEM_NONE) {
                problem = PROBLEM_INVALID_QUOTE;
                problemField = nf;
              }
              if (!crlf) {
                if (nextSep < pos) {
                  nextSep = s.indexOf(sepStr, pos);
                  if (nextSep < 0) nextSep = len;
                }
                const end = nextSep < nextNl ? nextSep : nextNl;
                if (end === len && !final) {
                  incomplete = true;
                  break record;
                }
                let e = end;
                if (NL === 10 && end === nextNl && e > pos && s.charCodeAt(e - 1) === 13) e--;
                if (keep) v = literal ? s.slice(open, e) : v + s.slice(pos, e);
                size += e - pos;
                pos = end;
              }
            }
          }
          value = v;
          // A quoted empty field ("") is as empty as an unquoted one: writers that quote everything write blank rows so.
          if (size !== 0) {
            filled++;
            lastFilled = nf;
          }
        } else {
          if (nextSep < pos) {
            nextSep = s.indexOf(sepStr, pos);
            if (nextSep < 0) nextSep = len;
          }
          if (nextSep < nextNl) {
            size = nextSep - pos;
            if (keep) value = s.slice(pos, nextSep);
            pos = nextSep;
          } else {
            if (nextNl === len && !final) {
              incomplete = true;
              break record;
            }
            let e = nextNl;
            if (NL === 10 && e > pos && s.charCodeAt(e - 1) === 13) e--;
            size = e - pos;
            if (keep) value = s.slice(pos, e);
            pos = nextNl;
          }
          if (size !== 0) {
            filled++;
            lastFilled = nf;
          }
        }
        if (nextInv < pos) {
          if (keep && problem === PROBLEM_NONE && (wanted === null || wanted[nf] === 1)) {
            problem = PROBLEM_INVALID_UTF8;
            problemField = nf;
            problemLine = recLine + countChar(s, NL, recStart, nextInv);
          }
          while (invIdx < inv.length && inv[invIdx]! < pos) invIdx++;
          nextInv = invIdx < inv.length ? inv[invIdx]! : len + 1;
        }
        if (nf < cap) {
          fields[nf] = value;
          const lim = limits !== null && nf < limits.length ? limits[nf]! : defLimit;
          if (size * 3 > lim && problem === PROBLEM_NONE && (keep ? Buffer.byteLength(value, 'utf8') > lim : size > lim)) {
            problem = PROBLEM_FIELD_TOO_LARGE;
            problemField = nf;
          }
        }
        nf++;
        if (pos < len) {
          const d = s.charCodeAt(pos);
          if (d === SEP) {
            pos++;
            if (pos === len && !final) {
              incomplete = true;
              break record;
            }
            continue;
          }
          if (d === 13 && NL === 10) pos++;
          if (pos < len) {
            line++;
            pos++;
          }
          nextNl = s.indexOf(nlStr, pos);
          if (nextNl < 0) nextNl = len;
        }
        break;
      }
      if (problem !== PROBLEM_INVALID_UTF8) problemLine = recLine;
      this.onRecord(fields, nf, recLine, problem, problemField, problemLine, filled, lastFilled);
      cap = this.fieldCap;
      limits = this.fieldLimits;
      wanted = this.fieldWanted;
    }

    if (incomplete) {
      this.line = recLine;
      const rest = s.slice(recStart);
      const restInvalid: number[] = [];
      for (let i = recInvIdx; i < inv.length; i++) if (inv[i]! >= recStart) restInvalid.push(inv[i]! - recStart);
      if (rest.length > this.maxRecordChars) {
        this.buf = '';
        this.invalid = [];
        this.skip = {
          line: recLine,
          recLine,
          inQuote: false,
          quotePending: false,
          fieldStart: true,
          field: 0,
          fieldLen: 0,
          maxLen: 0,
          maxField: 0,
        };
        const end = this.skipScan(rest, 0);
        if (end >= 0) {
          this.finishSkip(false);
          this.buf = rest.slice(end);
          this.invalid = restInvalid.filter((o) => o >= end).map((o) => o - end);
          this.run(final);
        }
        return;
      }
      this.buf = rest;
      this.invalid = restInvalid;
    } else {
      this.line = line;
      this.buf = '';
      this.invalid = [];
    }
  }

  private emitUnterminated(fields: string[], nf: number, recLine: number): void {
    this.onRecord(fields, nf, recLine, PROBLEM_UNTERMINATED_QUOTE, nf, recLine, nf + 1, nf);
  }

  /** Scans an oversized record without keeping it; returns the index after its end, or -1 if it goes on. */
  private skipScan(s: string, from: number): number {
    const st = this.skip!;
    const NL = this.nlCode === 0 ? 10 : this.nlCode;
    const len = s.length;
    for (let i = from; i < len; i++) {
      const c = s.charCodeAt(i);
      if (st.quotePending) {
        st.quotePending = false;
        if (c === 34) {
          st.fieldLen++;
          continue;
        }
        st.inQuote = false;
      }
      if (st.inQuote) {
        if (c === 34) st.quotePending = true;
        else {
          if (c === NL) st.line++;
          st.fieldLen++;
        }
        continue;
      }
      if (c === this.sep) {
        this.skipNextField(st);
        continue;
      }
      if (c === NL) {
        st.line++;
        this.skipNextField(st);
        return i + 1;
      }
      if (c === 34 && st.fieldStart) {
        st.inQuote = true;
        st.fieldStart = false;
        continue;
      }
      st.fieldStart = false;
      st.fieldLen++;
    }
    return -1;
  }

  private skipNextField(st: SkipState): void {
    if (st.fieldLen > st.maxLen) {
      st.maxLen = st.fieldLen;
      st.maxField = st.field;
    }
    st.field++;
    st.fieldLen = 0;
    st.fieldStart = true;
  }

  private finishSkip(final: boolean): void {
    const st = this.skip!;
    this.skip = null;
    this.line = st.line;
    const unterminated = final && st.inQuote && !st.quotePending;
    if (!unterminated) this.skipNextField(st);
    this.onRecord(
      this.fields,
      0,
      st.recLine,
      unterminated ? PROBLEM_UNTERMINATED_QUOTE : PROBLEM_FIELD_TOO_LARGE,
      unterminated ? st.field : st.maxField,
      st.recLine,
      1,
      -1,
    );
  }
}

function countChar(s: string, code: number, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (s.charCodeAt(i) === code) n++;
  return n;
}

const SEMICOLON = 59;
const TAB = 9;

/**
 * The field separator of a file, from its first line that is not blank (a `sep=;` line, as spreadsheets write one,
 * says it outright): the most frequent of comma, semicolon (spreadsheets in locales that write a decimal comma) and
 * tab (tab-separated exports) outside quoted cells, a comma when none leads. A header cell may hold another of them
 * (`Price (EUR, incl. VAT)` in a semicolon file). 0 when `text` does not hold that line whole yet, unless `final`.
 */
export function sniffDelimiter(text: string, nl: number, final: boolean): number {
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === nl) start = i + 1;
    else if (c !== 0xfeff && c !== 32 && c !== TAB && c !== 13 && c !== 10) break;
  }
  const declared = /^"?sep=(.)/i.exec(text.slice(start, start + 7));
  if (declared) return declared[1]!.charCodeAt(0);
  let commas = 0;
  let semicolons = 0;
  let tabs = 0;
  let quoted = false;
  let cellStart = true;
  let ended = false;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === nl && !quoted) {
      ended = true;
      break;
    }
    if (c === 34 && (quoted || cellStart)) quoted = !quoted;
    cellStart = false;
    if (quoted) continue;
    if (c === 44) commas++;
    else if (c === SEMICOLON) semicolons++;
    else if (c === TAB) tabs++;
    else continue;
    cellStart = true;
  }
  if (!ended && !final) return 0;
  if (semicolons > commas && semicolons >= tabs) return SEMICOLON;
  if (tabs > commas && tabs > semicolons) return TAB;
  return 44;
}
