/**
 * Writes PostgreSQL COPY text straight into a byte buffer: UTF-8 encoding and COPY escaping (backslash, tab, LF,
 * CR) in one pass, without building intermediate strings. A row can be abandoned by resetting `pos`.
 */
export class CopyWriter {
  buf: Buffer;
  pos = 0;

  constructor(size = 1 << 20) {
    this.buf = Buffer.allocUnsafe(size);
  }

  /** Makes room for `n` more bytes, keeping what was written. */
  reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** A copy of what was written; then starts over. */
  take(): Buffer {
    const out = Buffer.from(this.buf.subarray(0, this.pos));
    this.pos = 0;
    return out;
  }

  /** Writes text with COPY escaping; returns false (having written it without the NULs) when it holds a NUL. */
  text(s: string): boolean {
    const n = s.length;
    if (this.pos + n * 3 > this.buf.length) this.reserve(n * 3);
    const b = this.buf;
    let p = this.pos;
    let ok = true;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c > 31 && c < 127 && c !== 92) {
        b[p++] = c;
      } else if (c < 0x80) {
        if (c < 14 || c === 92) {
          if (c === 92) {
            b[p++] = 92;
            b[p++] = 92;
          } else if (c === 9) {
            b[p++] = 92;
            b[p++] = 116;
          } else if (c === 10) {
            b[p++] = 92;
            b[p++] = 110;
          } else if (c === 13) {
            b[p++] = 92;
            b[p++] = 114;
          } else if (c === 0) {
            ok = false;
          } else {
            b[p++] = c;
          }
        } else {
          b[p++] = c;
        }
      } else if (c < 0x800) {
        b[p++] = 0xc0 | (c >> 6);
        b[p++] = 0x80 | (c & 63);
      } else if (c >= 0xd800 && c <= 0xdfff) {
        const d = i + 1 < n ? s.charCodeAt(i + 1) : 0;
        if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
          const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          b[p++] = 0xf0 | (cp >> 18);
          b[p++] = 0x80 | ((cp >> 12) & 63);
          b[p++] = 0x80 | ((cp >> 6) & 63);
          b[p++] = 0x80 | (cp & 63);
          i++;
        } else {
          b[p++] = 0xef;
          b[p++] = 0xbf;
          b[p++] = 0xbd;
        }
      } else {
        b[p++] = 0xe0 | (c >> 12);
        b[p++] = 0x80 | ((c >> 6) & 63);
        b[p++] = 0x80 | (c & 63);
      }
    }
    this.pos = p;
    return ok;
  }

  /** Writes ASCII text that needs no escaping (validated numbers and dates, `\N`, `t`, constants). */
  ascii(s: string): void {
    const n = s.length;
    if (this.pos + n > this.buf.length) this.reserve(n);
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) b[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  /** Writes bytes prepared beforehand (e.g. an escaped constant). */
  bytes(src: Uint8Array): void {
    const n = src.length;
    if (this.pos + n > this.buf.length) this.reserve(n);
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) b[p++] = src[i]!;
    this.pos = p;
  }

  /** Writes a non-negative integer. */
  int(v: number): void {
    if (this.pos + 16 > this.buf.length) this.reserve(16);
    const b = this.buf;
    if (v < 10) {
      b[this.pos++] = 48 + v;
      return;
    }
    let digits = 1;
    for (let x = v; x >= 10; x = Math.floor(x / 10)) digits++;
    let p = this.pos + digits;
    this.pos = p;
    for (let x = v; digits > 0; digits--) {
      const q = Math.floor(x / 10);
      b[--p] = 48 + (x - q * 10);
      x = q;
    }
  }

  /** Writes one byte (a separator, `#`...). */
  byte(c: number): void {
    if (this.pos + 1 > this.buf.length) this.reserve(1);
    this.buf[this.pos++] = c;
  }

  /** Writes `\N`. */
  nul(): void {
    if (this.pos + 2 > this.buf.length) this.reserve(2);
    this.buf[this.pos++] = 92;
    this.buf[this.pos++] = 78;
  }
}
