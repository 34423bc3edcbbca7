/**
 * Pure value parsers. Each takes a trimmed, non-empty cell and returns the form written into COPY text, or null
 * when PostgreSQL would reject the value (or the rules here do).
 */

const INT4_MAX = '2147483647';
const INT4_MIN_ABS = '2147483648';
/** Integer digits accepted in money values: what the numeric(18,4) columns hold. */
export const MONEY_MAX_INTEGER_DIGITS = 14;
/**
 * Fraction digits accepted in money values, stored rounded to four: enough for the noise of a binary float written out
 * by a script (`19.990000000000002`) and for zeros a spreadsheet pads with.
 */
export const MONEY_MAX_FRACTION_DIGITS = 20;

/**
 * `v` without leading or trailing white space, Unicode's included (no-break and em spaces come from spreadsheets and
 * web pages). Most cells start and end with a printable ASCII character: they are returned as they are, unscanned.
 */
function trimmed(v: string): string {
  const first = v.charCodeAt(0);
  const last = v.charCodeAt(v.length - 1);
  return first <= 32 || first >= 127 || last <= 32 || last >= 127 ? v.trim() : v;
}

const WHOLE_NUMBER_WITH_ZERO_FRACTION = /^\d+\.0+$/;

/**
 * Shopify global ids (`gid://shopify/ProductVariant/123`) and bare ids name the same object: both give `123`; so does
 * `123.0`, as pandas and spreadsheets with a number-formatted column write a numeric id.
 */
export function normalizeId(raw: string): string {
  let v = trimmed(raw);
  if (v.length > 6 && v.charCodeAt(0) === 103 /* g */ && v.startsWith('gid://')) {
    let end = v.length;
    const q = v.indexOf('?');
    if (q >= 0) end = q;
    const slash = v.lastIndexOf('/', end - 1);
    v = v.slice(slash + 1, end);
  }
  const dot = v.indexOf('.');
  if (dot > 0 && WHOLE_NUMBER_WITH_ZERO_FRACTION.test(v)) v = v.slice(0, dot);
  return v;
}

/** The characters Windows-1252 gives the bytes 0x80-0x9F (others of that range it leaves as they are). */
const WINDOWS_1252_HIGH = new Map<number, number>(
  [0x20ac, 0, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0, 0x17d, 0,
   0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0, 0x17e, 0x178]
    .map((c, i) => [c || 0x80 + i, 0x80 + i]),
);
const utf8 = new TextDecoder('utf-8', { fatal: true });
/**
 * The lead bytes of two-byte UTF-8 characters taken as misread: those of Latin-1 (accented letters of western Europe,
 * shown misread as Â and Ã), which no text puts before a symbol or a dash. Others (Ä, Ñ, Ø, ×...) do (`NIÑ–2`,
 * `5×½`), so two-byte characters of other scripts are not repaired. Longer sequences (CJK, symbols, emoji) are
 * taken whatever their lead: text that is not misread does not hold one.
 */
const MISREAD_LEADS = new Set([0xc2, 0xc3]);

/**
 * `v` as it was before a spreadsheet read its UTF-8 bytes as Windows-1252 and saved them again as UTF-8 (Excel on
 * Windows opening an export without a byte order mark: `CAFÉ` comes back as `CAFÃ‰`), or `v` itself when its
 * characters, written back as Windows-1252 bytes, are not UTF-8 of other characters (a plain `Café` is not).
 */
function undoWindows1252(v: string): string {
  const bytes = new Uint8Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    const b = c < 0x80 || (c >= 0xa0 && c <= 0xff) ? c : WINDOWS_1252_HIGH.get(c);
    // A letter such as É or ß before a dash or a symbol (`ROSÉ–75`) would read as a two-byte character too: only the
    // lead bytes of the scripts a misread file shows are taken as such (see MISREAD_LEADS).
    if (b === undefined || (b >= 0xc2 && b <= 0xdf && !MISREAD_LEADS.has(b))) return v;
    bytes[i] = b;
  }
  try {
    return utf8.decode(bytes);
  } catch {
    return v;
  }
}

/**
 * `v` repaired of Windows-1252 misreading (see undoWindows1252; again while that changes it, for a file a spreadsheet
 * saved twice) and in Unicode's composed form (NFC): `é` typed on macOS (e and a combining accent) and `é` typed
 * elsewhere are one character, so one SKU. Repair needs a character of U+00C2-U+00F4 (the misread lead bytes of UTF-8)
 * and composition one from U+0300 on (where combining marks start): other strings are returned as they are, after
 * one scan (normalizing every SKU takes three times as long on a million of them).
 */
function composed(v: string): string {
  let misread = false;
  let combining = false;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c >= 0xc2) {
      if (c <= 0xf4) misread = true;
      else if (c >= 0x300) combining = true;
    }
  }
  if (misread) {
    for (let pass = 0; pass < 3; pass++) {
      const repaired = undoWindows1252(v);
      if (repaired === v) break;
      v = repaired;
    }
  }
  return misread || combining ? v.normalize('NFC') : v;
}

/** A Shopify gid of an object that is no variant (`gid://shopify/Product/1`): its number is not a variant id. */
const OTHER_GID = /^\s*gid:\/\/(?!shopify\/ProductVariant\/)/;

/** A variant id as given (see normalizeId), or null for the gid of another kind of object, which names no variant. */
export function variantIdOf(raw: string): string | null {
  return OTHER_GID.test(raw) ? null : normalizeId(raw);
}

/**
 * Values that name something and are compared as keys (handles, option values, locations, order names): trimmed,
 * repaired and composed as SKUs are (see composed), so that a file a spreadsheet misread names the same things.
 */
export function normalizeName(raw: string): string {
  return composed(trimmed(raw));
}

/**
 * A numeric SKU as pandas writes a column of numbers with gaps in it (floats): `12345.0`. Four digits at least, so that
 * SKUs such as `10.0` (a size) stay as written.
 */
const PANDAS_WHOLE = /^\d{4,}\.0$/;

/**
 * SKUs and barcodes: trimmed, one leading apostrophe (a spreadsheet's text marker) removed, repaired and composed (see
 * composed); a numeric SKU that pandas wrote as a float (`12345.0`) is the number.
 */
export function normalizeSku(raw: string): string {
  let v = trimmed(raw);
  if (v.charCodeAt(0) === 39 /* ' */) v = trimmed(v.slice(1));
  if (v.charCodeAt(v.length - 1) === 48 /* 0 */ && v.charCodeAt(v.length - 2) === 46 /* . */ && PANDAS_WHOLE.test(v)) v = v.slice(0, -2);
  return composed(v);
}

function cmpDigits(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A PostgreSQL `integer`: optional sign, digits, and an optional fraction of zeros only (`2.0`). Returns the
 * canonical decimal form, or null when not an integer or out of the 32-bit range.
 */
export function parseInteger(v: string): string | null {
  const len = v.length;
  let i = 0;
  let neg = false;
  let c = v.charCodeAt(0);
  if (c === 45 /* - */) {
    neg = true;
    i = 1;
  } else if (c === 43 /* + */) {
    i = 1;
  }
  const start = i;
  while (i < len) {
    c = v.charCodeAt(i);
    if (c < 48 || c > 57) break;
    i++;
  }
  const end = i;
  if (end === start) return null;
  if (i < len) {
    if (v.charCodeAt(i) !== 46 /* . */) return null;
    i++;
    while (i < len && v.charCodeAt(i) === 48) i++;
    if (i < len) return null;
  }
  if (!neg && start === 0 && end === len && len <= 9 && (len === 1 || v.charCodeAt(0) !== 48)) return v;
  let s = start;
  while (s < end - 1 && v.charCodeAt(s) === 48) s++;
  const digits = v.slice(s, end);
  if (digits === '0') return '0';
  if (cmpDigits(digits, neg ? INT4_MIN_ABS : INT4_MAX) > 0) return null;
  return neg ? '-' + digits : digits;
}

/** A non-negative plain decimal (`19.99`, `5`, `.5`): no sign, symbol, exponent or thousands separator. */
export function parseMoney(v: string): string | null {
  const len = v.length;
  let i = 0;
  let c = 0;
  while (i < len) {
    c = v.charCodeAt(i);
    if (c < 48 || c > 57) break;
    i++;
  }
  const intDigits = i;
  let fracDigits = 0;
  if (i < len) {
    if (c !== 46) return null;
    i++;
    const f = i;
    while (i < len) {
      c = v.charCodeAt(i);
      if (c < 48 || c > 57) return null;
      i++;
    }
    fracDigits = i - f;
  }
  if (intDigits + fracDigits === 0) return null;
  if (fracDigits > MONEY_MAX_FRACTION_DIGITS) return null;
  if (intDigits > MONEY_MAX_INTEGER_DIGITS) {
    let z = 0;
    while (z < intDigits && v.charCodeAt(z) === 48) z++;
    if (intDigits - z > MONEY_MAX_INTEGER_DIGITS) return null;
  }
  return v;
}

/**
 * Booleans as files write them: true/false, yes/no, 1/0, y/n and PostgreSQL's t/f in any case, and TRUE and FALSE as
 * spreadsheets write them in other languages when they save a file (Excel in German writes WAHR and FALSCH).
 */
const BOOLEANS = new Map<string, 't' | 'f'>([
  ['true', 't'], ['false', 'f'], ['yes', 't'], ['no', 'f'], ['1', 't'], ['0', 'f'], ['y', 't'], ['n', 'f'], ['t', 't'], ['f', 'f'],
  ['wahr', 't'], ['falsch', 'f'], ['ja', 't'], ['nein', 'f'],
  ['vrai', 't'], ['faux', 'f'], ['oui', 't'], ['non', 'f'],
  ['waar', 't'], ['onwaar', 'f'],
  ['vero', 't'], ['verdadero', 't'], ['verdadeiro', 't'], ['falso', 'f'], ['sí', 't'], ['si', 't'],
]);

/** A boolean cell (see BOOLEANS) -> `t` / `f`, or null. */
export function parseBoolean(v: string): 't' | 'f' | null {
  return BOOLEANS.get(v.toLowerCase()) ?? null;
}

const DAYS = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/**
 * The years a date of an order, a product or stock may fall in. Earlier ones are a spreadsheet's day zero
 * (`30.12.1899`, `1900-01-00`) or a year cut to two digits and read as such (`0025`), not history.
 */
export const MIN_YEAR = 1970;
const MAX_YEAR = 2100;

function d2(v: string, i: number): number {
  const a = v.charCodeAt(i) - 48;
  const b = v.charCodeAt(i + 1) - 48;
  if (a < 0 || a > 9 || b < 0 || b > 9) return -1;
  return a * 10 + b;
}

/**
 * Dates as a spreadsheet rewrites them when it saves a file, in forms that read one way only: day first with points
 * (`07.12.2025 19:08`, `7.12.2025`, as Excel and LibreOffice write them in Germany, Switzerland, Poland, Russia...)
 * and year first with slashes or unpadded numbers (`2025/12/07 19:08:25`, `2025-12-7 7:08`). Day and month with
 * slashes (`12/7/2025`) are not taken: the same cell means the 7th of December in the US and the 12th of July in
 * the UK (see isAmbiguousDate).
 */
const DAY_FIRST = /^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:,?[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?(?: ?([AaPp])\.?[Mm]\.?)?)?$/;
const YEAR_FIRST = /^(\d{4})([-/])(\d{1,2})\2(\d{1,2})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?(?: ?([AaPp])\.?[Mm]\.?)?)?$/;
const DAY_AND_MONTH_WITH_SLASHES = /^\d{1,2}\/\d{1,2}\/\d{2,4}(?:$|[ T,])/;
/** Day and month with slashes, a four-digit year and an optional time: read when one of the two is over 12. */
const SLASHES = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:,?[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?(?: ?([AaPp])\.?[Mm]\.?)?)?$/;

const pad2 = (n: string) => (n.length === 1 ? '0' + n : n);

function parseSpreadsheetDate(v: string): string | null {
  let m = DAY_FIRST.exec(v);
  let year, month, day, hour, minute, second, half;
  if (m) [, day, month, year, hour, minute, second, half] = m;
  else if ((m = YEAR_FIRST.exec(v))) [, year, , month, day, hour, minute, second, half] = m;
  else if ((m = SLASHES.exec(v)) && (Number(m[1]) > 12) !== (Number(m[2]) > 12)) {
    // 31/12/2025 is day first, 12/31/2025 month first; 7/12/2025 reads both ways and is refused (isAmbiguousDate).
    [, day, month, year, hour, minute, second, half] = m;
    if (Number(month) > 12) [day, month] = [month, day];
  } else return null;
  // A 12-hour clock (`7:08 PM`, `12:30 AM`): hours 1 to 12 only.
  if (half !== undefined) {
    const h = Number(hour);
    if (h < 1 || h > 12) return null;
    hour = String((h % 12) + (half.toLowerCase() === 'p' ? 12 : 0));
  }
  const iso = `${year}-${pad2(month!)}-${pad2(day!)}` + (hour === undefined ? '' : `T${pad2(hour)}:${minute}${second === undefined ? '' : ':' + second}`);
  return parseTimestamp(iso);
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/**
 * Why a value written as a date (year first, or day first with points) is none: a month, day, year or time of day
 * that does not exist. Null when it is not written as one of those forms, or nothing in it is out of range.
 */
export function whyNotADate(v: string): string | null {
  if (/^\d{1,2}\/\d{1,2}\/\d{2}(?:$|[ T,])/.test(v)) return 'the year has two digits, which could be any century';
  const yearFirst = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ Tt]+(\d{1,2}):(\d{2}))?/.exec(v);
  // Day first with points, or with slashes where the day is the number over 12 (else month first: 12/31/2025).
  const slashes = yearFirst ? null : /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:,?[ T]+(\d{1,2}):(\d{2}))?/.exec(v);
  const dayFirst = yearFirst ? null : slashes && Number(slashes[1]) <= 12 ? null : (slashes ?? /^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:,?[ T]+(\d{1,2}):(\d{2}))?/.exec(v));
  const monthFirst = slashes && Number(slashes[1]) <= 12 ? slashes : null;
  if (!yearFirst && !dayFirst && !monthFirst) return null;
  const [year, month, day] = (
    yearFirst ? [yearFirst[1], yearFirst[2], yearFirst[3]] : monthFirst ? [monthFirst[3], monthFirst[1], monthFirst[2]] : [dayFirst![3], dayFirst![2], dayFirst![1]]
  ).map(Number) as [number, number, number];
  const [hour, minute] = (yearFirst ?? monthFirst ?? dayFirst)!.slice(4, 6);
  if (month < 1 || month > 12) return `month ${month} does not exist`;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 && leap ? 29 : DAYS[month]!;
  if (day < 1 || day > days) return `${MONTHS[month - 1]} ${year} has ${days} days, not ${day}`;
  if (year < MIN_YEAR || year > MAX_YEAR) return `the year ${year} is outside ${MIN_YEAR}-${MAX_YEAR}`;
  if (hour !== undefined && (Number(hour) > 23 || Number(minute) > 59)) return `${hour}:${minute} is no time of day`;
  return null;
}

/** A date written day and month with slashes, both 12 or less, which reads two ways: refused with that reason. */
export function isAmbiguousDate(v: string): boolean {
  const m = /^(\d{1,2})\/(\d{1,2})\//.exec(v);
  return DAY_AND_MONTH_WITH_SLASHES.test(v) && Number(m![1]) <= 12 && Number(m![2]) <= 12;
}

/**
 * ISO-8601 dates and timestamps (`2025-12-07`, `2025-12-07T19:08:25Z`, `2025-12-07T19:08:25.123+05:30`),
 * Shopify's `2025-12-07 19:08:25 -0400` and the forms of parseSpreadsheetDate. Returns
 * `YYYY-MM-DD HH:MM:SS[.f]+HH:MM` with the offset kept; a value without an offset is read as UTC, a date alone as
 * midnight UTC. Null when not a valid calendar time.
 */
export function parseTimestamp(v: string): string | null {
  const len = v.length;
  if (len < 8) return null;
  const y1 = d2(v, 0);
  const y2 = d2(v, 2);
  // Other forms, and a 12-hour clock (ending in AM or PM), are the spreadsheet forms'.
  const last = v.charCodeAt(len - 1);
  if (len < 10 || y1 < 0 || y2 < 0 || v.charCodeAt(4) !== 45 || v.charCodeAt(7) !== 45 || last === 77 || last === 109 || last === 46) {
    return parseSpreadsheetDate(v);
  }
  const year = y1 * 100 + y2;
  const month = d2(v, 5);
  const day = d2(v, 8);
  if (day < 0) return parseSpreadsheetDate(v);
  if (year < MIN_YEAR || year > MAX_YEAR || month < 1 || month > 12 || day < 1) return null;
  if (day > DAYS[month]!) {
    if (!(month === 2 && day === 29 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0))) return null;
  }
  const date = len === 10 ? v : v.slice(0, 10);
  if (len === 10) return date + ' 00:00:00+00:00';
  const sep = v.charCodeAt(10);
  if (sep !== 84 /* T */ && sep !== 32 && sep !== 116 /* t */) return null;
  if (len < 16 || v.charCodeAt(12) === 58) return parseSpreadsheetDate(v);
  const hh = d2(v, 11);
  const mi = d2(v, 14);
  if (hh < 0 || hh > 23 || v.charCodeAt(13) !== 58 || mi < 0 || mi > 59) return null;
  let i = 16;
  let time = v.slice(11, 16);
  if (i < len && v.charCodeAt(i) === 58) {
    const ss = d2(v, 17);
    if (ss < 0 || ss > 59) return null;
    i = 19;
    time = v.slice(11, 19);
    const c = v.charCodeAt(i);
    if (c === 46 || c === 44) {
      const f = i + 1;
      i = f;
      while (i < len) {
        const d = v.charCodeAt(i);
        if (d < 48 || d > 57) break;
        i++;
      }
      if (i === f || i - f > 9) return null;
      time = time + '.' + v.slice(f, i);
    }
  } else {
    time = time + ':00';
  }
  if (i === len) return date + ' ' + time + '+00:00';
  if (v.charCodeAt(i) === 32) i++;
  if (i === len) return null;
  const c = v.charCodeAt(i);
  if (c === 90 /* Z */ || c === 122 /* z */) {
    return i + 1 === len ? date + ' ' + time + '+00:00' : null;
  }
  if (c === 85 /* U */ && len - i === 3 && v.slice(i) === 'UTC') return date + ' ' + time + '+00:00';
  if (c !== 43 && c !== 45) return null;
  const sign = c === 43 ? '+' : '-';
  i++;
  const oh = d2(v, i);
  if (oh < 0 || oh > 15) return null;
  i += 2;
  let om = 0;
  if (i < len) {
    if (v.charCodeAt(i) === 58) i++;
    om = d2(v, i);
    if (om < 0 || om > 59) return null;
    i += 2;
  }
  if (i !== len) return null;
  const off = sign + (oh < 10 ? '0' : '') + oh + (om < 10 ? ':0' : ':') + om;
  return date + ' ' + time + off;
}

const COPY_ESCAPES = /[\\\t\n\r]/g;

function escapeChar(c: string): string {
  switch (c) {
    case '\\':
      return '\\\\';
    case '\t':
      return '\\t';
    case '\n':
      return '\\n';
    default:
      return '\\r';
  }
}

/** Escapes backslash, tab, LF and CR for PostgreSQL's COPY text format. */
export function escapeCopyText(v: string): string {
  return v.replace(COPY_ESCAPES, escapeChar);
}

/** Decodes one COPY text field (`\N` is null); the inverse of escapeCopyText, for tests and diagnostics. */
export function decodeCopyField(f: string): string | null {
  if (f === '\\N') return null;
  if (f.indexOf('\\') < 0) return f;
  return f.replace(/\\(.)/g, (_m, c: string) =>
    c === 't' ? '\t' : c === 'n' ? '\n' : c === 'r' ? '\r' : c === 'b' ? '\b' : c === 'f' ? '\f' : c === 'v' ? '\v' : c,
  );
}

/** Splits COPY text into rows of decoded fields. */
export function decodeCopyText(text: string): (string | null)[][] {
  const rows: (string | null)[][] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    rows.push(line.split('\t').map(decodeCopyField));
  }
  return rows;
}

/** Truncates a value for an error report. */
export function truncateValue(v: string, max = 100): string {
  return v.length > max ? v.slice(0, max) + '…' : v;
}
