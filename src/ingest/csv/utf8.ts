import { isUtf8 } from 'node:buffer';
import { CsvHeaderError } from './errors';

/** Decoded text of one input chunk, with the offsets (in `text`) of U+FFFD replacements for invalid bytes. */
export interface DecodedChunk {
  text: string;
  invalid: number[] | null;
}

const EMPTY: DecodedChunk = { text: '', invalid: null };

/** Length of a UTF-8 sequence from its lead byte; 0 for a byte that cannot start one. */
function seqLength(b: number): number {
  if (b < 0x80) return 1;
  if (b < 0xc2) return 0;
  if (b < 0xe0) return 2;
  if (b < 0xf0) return 3;
  if (b < 0xf5) return 4;
  return 0;
}

/** Index after the last complete character, leaving a possibly valid but truncated tail for the next chunk. */
function completeLength(buf: Buffer): number {
  const len = buf.length;
  const stop = Math.max(0, len - 4);
  for (let i = len - 1; i >= stop; i--) {
    const b = buf[i]!;
    if ((b & 0xc0) !== 0x80) {
      const n = seqLength(b);
      return n > 1 && i + n > len ? i : len;
    }
  }
  return len;
}

/** Decodes a buffer that failed validation: valid runs as is, each invalid sequence as U+FFFD at a noted offset. */
function decodeLossy(buf: Buffer): DecodedChunk {
  const invalid: number[] = [];
  let text = '';
  let runStart = 0;
  let i = 0;
  const len = buf.length;
  while (i < len) {
    const b = buf[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    const n = seqLength(b);
    let ok = n > 1 && i + n <= len;
    if (ok) {
      const b1 = buf[i + 1]!;
      if ((b1 & 0xc0) !== 0x80) ok = false;
      else if (b === 0xe0 && b1 < 0xa0) ok = false;
      else if (b === 0xed && b1 > 0x9f) ok = false;
      else if (b === 0xf0 && b1 < 0x90) ok = false;
      else if (b === 0xf4 && b1 > 0x8f) ok = false;
      for (let k = 2; ok && k < n; k++) if ((buf[i + k]! & 0xc0) !== 0x80) ok = false;
    }
    if (ok) {
      i += n;
      continue;
    }
    if (i > runStart) text += buf.toString('utf8', runStart, i);
    invalid.push(text.length);
    text += '\uFFFD';
    i++;
    while (i < len && (buf[i]! & 0xc0) === 0x80) i++;
    runStart = i;
  }
  if (runStart < len) text += buf.toString('utf8', runStart, len);
  return { text, invalid };
}

/** Files that are often uploaded in place of a CSV, by their first bytes. */
const CONTAINERS = [
  { magic: [0x1f, 0x8b], what: 'gzip-compressed', fix: 'upload the CSV file itself, uncompressed' },
  { magic: [0x50, 0x4b, 0x03, 0x04], what: 'an Excel workbook (.xlsx) or a ZIP archive', fix: 'save it as "CSV UTF-8" and upload that' },
  { magic: [0xd0, 0xcf, 0x11, 0xe0], what: 'an Excel 97-2003 workbook (.xls)', fix: 'save it as "CSV UTF-8" and upload that' },
];

/**
 * Streaming UTF-8 decoder: strips a leading BOM, carries characters split across chunks, refuses UTF-16, and
 * reports where invalid bytes were replaced so the rows holding them can be rejected.
 */
export class Utf8ChunkDecoder {
  private pending: Buffer | null = null;
  private started = false;

  decode(chunk: Buffer): DecodedChunk {
    let buf = this.pending === null ? chunk : Buffer.concat([this.pending, chunk]);
    this.pending = null;
    if (!this.started) {
      if (buf.length < 3) {
        this.pending = Buffer.from(buf);
        return EMPTY;
      }
      buf = this.start(buf);
    }
    const cut = completeLength(buf);
    if (cut < buf.length) {
      this.pending = Buffer.from(buf.subarray(cut));
      buf = buf.subarray(0, cut);
    }
    if (buf.length === 0) return EMPTY;
    if (isUtf8(buf)) return { text: buf.toString('utf8'), invalid: null };
    return decodeLossy(buf);
  }

  end(): DecodedChunk {
    let buf = this.pending;
    this.pending = null;
    if (buf === null || buf.length === 0) return EMPTY;
    if (!this.started) buf = this.start(buf);
    if (buf.length === 0) return EMPTY;
    if (isUtf8(buf)) return { text: buf.toString('utf8'), invalid: null };
    return decodeLossy(buf);
  }

  private start(buf: Buffer): Buffer {
    this.started = true;
    const container = CONTAINERS.find((c) => c.magic.every((byte, i) => buf[i] === byte));
    if (container) throw new CsvHeaderError('NOT_CSV', `The file is ${container.what}, not CSV text; ${container.fix}`, { line: 1 });
    if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) return buf.subarray(3);
    // With its byte order mark, or without: ASCII text in UTF-16 has a zero byte beside each character.
    const withoutMark = buf.length >= 4 && ((buf[1] === 0 && buf[3] === 0 && buf[0] !== 0) || (buf[0] === 0 && buf[2] === 0 && buf[1] !== 0));
    if (withoutMark || (buf.length >= 2 && ((buf[0] === 0xff && buf[1] === 0xfe) || (buf[0] === 0xfe && buf[1] === 0xff)))) {
      throw new CsvHeaderError('INVALID_UTF8', 'The file is UTF-16 encoded; save it as UTF-8 (CSV UTF-8) and upload it again', {
        line: 1,
      });
    }
    return buf;
  }
}
