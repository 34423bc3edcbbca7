import { expect } from 'chai';
import {
  decodeCopyText,
  escapeCopyText,
  normalizeId,
  normalizeSku,
  parseBoolean,
  parseInteger,
  parseMoney,
  parseTimestamp,
} from '../../../src/ingest/csv';
import { isAmbiguousDate, whyNotADate } from '../../../src/ingest/csv/values';
import { CopyWriter } from '../../../src/ingest/csv/copy-writer';
import { LineMap, RowMap, copyErrorLine } from '../../../src/ingest/csv/line-map';

describe('ingest/csv: values', () => {
  it('ids: Shopify gids and bare numbers are the same id', () => {
    expect(normalizeId('gid://shopify/ProductVariant/123')).to.equal('123');
    expect(normalizeId(' 123 ')).to.equal('123');
    expect(normalizeId('gid://shopify/Order/5001?from=export')).to.equal('5001');
    expect(normalizeId('abc-1')).to.equal('abc-1');
    expect(normalizeId('123\u00a0')).to.equal('123');
  });

  it('SKUs and barcodes: trimmed, one leading apostrophe removed', () => {
    expect(normalizeSku("'0042")).to.equal('0042');
    expect(normalizeSku(" ' 0042 ")).to.equal('0042');
    expect(normalizeSku("''A")).to.equal("'A");
    expect(normalizeSku('  ')).to.equal('');
  });

  it('SKUs: UTF-8 that a spreadsheet read as Windows-1252 and saved again is read as first written', () => {
    const misread: [string, string][] = [
      ['CAF\u00c3\u2030-\u00c3\u00a9', 'CAFÉ-é'],
      ['\u00e8\u0152\u00b6-001', '茶-001'],
      ['Gr\u00c3\u00b6\u00c3\u0178e-XL', 'Größe-XL'],
      ['\u00f0\u0178\u017d\u0081-GIFT', '🎁-GIFT'],
    ];
    for (const [sku, written] of misread) expect(normalizeSku(sku), written).to.equal(written);
    // Saved twice by a spreadsheet, misread twice; and a repaired SKU is its own normal form.
    expect(normalizeSku('CAF\u00c3\u0192\u00e2\u20ac\u00b0')).to.equal('CAFÉ');
    for (const [, written] of misread) expect(normalizeSku(normalizeSku(written))).to.equal(written);
    for (const sku of ['Café', 'Ñandú-7', 'SÃO-PAULO', 'x\u00c3', 'ROSÉ–75', 'GRÜN®', 'MAß°', 'ROHR-Ø½-ZOLL', 'BOX-5×½', 'NIÑ–2', 'Ä–Z']) expect(normalizeSku(sku), sku).to.equal(sku);
  });

  it('SKUs: a numeric SKU that pandas wrote as a float is the number', () => {
    expect(['12345.0', "'0042.0", '12345', '12345.00', '1.05', 'A.0', '12345.0-B', '10.0', '2.0'].map(normalizeSku)).to.deep.equal(['12345', '0042', '12345', '12345.00', '1.05', 'A.0', '12345.0-B', '10.0', '2.0']);
  });

  it('SKUs: Unicode white space is trimmed at either end, as ASCII white space is', () => {
    for (const sku of ['A\u00a0', '\u00a0A', 'A\u2003', '\u3000A\t', "'A\u00a0", '\ufeffA']) expect(normalizeSku(sku), JSON.stringify(sku)).to.equal('A');
    expect(normalizeSku('Ü-1')).to.equal('Ü-1');
    expect(normalizeSku('A\u00a0B')).to.equal('A\u00a0B');
  });

  it('SKUs: composed (NFC), so that an accent typed as a combining mark is the same SKU', () => {
    expect(normalizeSku('CAFE\u0301-1')).to.equal('CAF\u00c9-1');
    expect(normalizeSku(' CAF\u00c9-1 ')).to.equal('CAF\u00c9-1');
    expect(normalizeSku('\u1100\u1161')).to.equal('\uac00');
    expect(normalizeSku('Ü-1')).to.equal('Ü-1');
  });

  it('integers', () => {
    const ok: [string, string][] = [
      ['2', '2'],
      ['2.0', '2'],
      ['2.', '2'],
      ['+3', '3'],
      ['007', '7'],
      ['-1', '-1'],
      ['-0', '0'],
      ['2147483647', '2147483647'],
      ['-2147483648', '-2147483648'],
    ];
    for (const [v, want] of ok) expect(parseInteger(v), v).to.equal(want);
    for (const v of ['2.5', '1e3', '1,000', 'two', '-', '', '2147483648', '-2147483649', '0x10', '٣']) expect(parseInteger(v), v).to.equal(null);
  });

  it('money: non-negative plain decimals', () => {
    for (const v of ['19.99', '5', '.5', '5.', '0', '0.000001', '12345678901234.67', '19.990000000000002', '23.9880000']) expect(parseMoney(v), v).to.equal(v);
    for (const v of ['-1', '-0.01', '$5', '5 EUR', '1,000.00', '1e5', '.', '', '1.2.3', '0.000000000000000000001', '123456789012345', '19,99'])
      expect(parseMoney(v), v).to.equal(null);
  });

  it('booleans', () => {
    for (const v of ['true', 'TRUE', 'True', 'yes', 'YES', '1', 'Y', 'WAHR', 'VRAI', 'Verdadero']) expect(parseBoolean(v), v).to.equal('t');
    for (const v of ['false', 'FALSE', 'no', 'No', '0', 'n', 'FALSCH', 'FAUX', 'falso', 'ONWAAR']) expect(parseBoolean(v), v).to.equal('f');
    expect(['t', 'T', 'f', 'F'].map(parseBoolean)).to.deep.equal(['t', 't', 'f', 'f']);
    for (const v of ['on', 'maybe', 'tr', '']) expect(parseBoolean(v), v).to.equal(null);
  });

  it('says why a value written as a date is none', () => {
    expect(
      ['2025-13-01', '2025-02-29', '2024-02-30', '31.04.2025 10:00', '2025/4/31', '1899-12-30', '2025-12-07T24:10:00Z', '07.12.2025 19:75', '2025-12-07', 'soon', '2/30/2025', '31/02/2025', '12/31/25'].map(whyNotADate),
    ).to.deep.equal([
      'month 13 does not exist',
      'February 2025 has 28 days, not 29',
      'February 2024 has 29 days, not 30',
      'April 2025 has 30 days, not 31',
      'April 2025 has 30 days, not 31',
      'the year 1899 is outside 1970-2100',
      '24:10 is no time of day',
      '19:75 is no time of day',
      null,
      null,
      'February 2025 has 28 days, not 30',
      'February 2025 has 28 days, not 31',
      'the year has two digits, which could be any century',
    ]);
  });

  it('timestamps: ISO-8601 and Shopify forms, offsets kept, no offset read as UTC', () => {
    const ok: [string, string][] = [
      ['2025-12-07 19:08:25 -0400', '2025-12-07 19:08:25-04:00'],
      ['2025-12-07 19:08:25 +0530', '2025-12-07 19:08:25+05:30'],
      ['2025-12-07T19:08:25Z', '2025-12-07 19:08:25+00:00'],
      ['2025-12-07T19:08:25.123456+02:00', '2025-12-07 19:08:25.123456+02:00'],
      ['2025-12-07T19:08:25,5-03', '2025-12-07 19:08:25.5-03:00'],
      ['2025-12-07T19:08', '2025-12-07 19:08:00+00:00'],
      ['2025-12-07T19:08:25', '2025-12-07 19:08:25+00:00'],
      ['2025-12-07', '2025-12-07 00:00:00+00:00'],
      ['2024-02-29', '2024-02-29 00:00:00+00:00'],
      ['2000-02-29T00:00:00Z', '2000-02-29 00:00:00+00:00'],
      ['2025-12-07 19:08:25 UTC', '2025-12-07 19:08:25+00:00'],
      // As spreadsheets rewrite them: day first with points, year first with slashes or unpadded numbers.
      ['07.12.2025 19:08', '2025-12-07 19:08:00+00:00'],
      ['7.12.2025 9:08:05', '2025-12-07 09:08:05+00:00'],
      ['07.12.2025', '2025-12-07 00:00:00+00:00'],
      ['29.02.2024, 23:59', '2024-02-29 23:59:00+00:00'],
      ['2025/12/07 19:08:25', '2025-12-07 19:08:25+00:00'],
      ['2025/1/5', '2025-01-05 00:00:00+00:00'],
      ['2025-12-7', '2025-12-07 00:00:00+00:00'],
      ['2025-12-07 7:08', '2025-12-07 07:08:00+00:00'],
      ['2025-12-07 7:08 PM', '2025-12-07 19:08:00+00:00'],
      ['2025-12-07 11:08 PM', '2025-12-07 23:08:00+00:00'],
      ['2025-12-07 07:08:09 am', '2025-12-07 07:08:09+00:00'],
      ['2025/12/07 12:30:05 am', '2025-12-07 00:30:05+00:00'],
      ['07.12.2025 12:00 p.m.', '2025-12-07 12:00:00+00:00'],
      ['1970-01-01', '1970-01-01 00:00:00+00:00'],
      // Day and month with slashes, when one of them is over 12: one reading only.
      ['12/31/2025 23:00', '2025-12-31 23:00:00+00:00'],
      ['10/13/2025 9:15 PM', '2025-10-13 21:15:00+00:00'],
      ['31/12/2025', '2025-12-31 00:00:00+00:00'],
    ];
    for (const [v, want] of ok) expect(parseTimestamp(v), v).to.equal(want);
    const bad = [
      '2025-02-29',
      '2100-02-29',
      '2025-13-01',
      '2025-00-10',
      '2025-04-31',
      '2025-12-07T24:00:00Z',
      '2025-12-07T19:60:00Z',
      '2025-12-07T19:08:61Z',
      '2025-12-07T19:08:25+16:00',
      '2025-12-07T19:08:25+05:60',
      '2025-12-07T19:08:25Zjunk',
      '12/07/2025',
      '7/12/2025 19:08',
      '2025/12-07',
      '31.04.2025',
      '29.02.2025 10:00',
      '07.12.25',
      '07.12.2025 24:00',
      '2025-12-07 13:08 PM',
      '30.12.1899',
      '0025-12-07',
      '07.12.0025',
      '1969-12-31T23:59:59Z',
      '2101-01-01',
      '12.2025',
      'yesterday',
      '2025-12-07T',
      '2025-12-07 19:08:25 EST',
      '13/13/2025',
      '2/30/2025',
      '12/31/25',
    ];
    for (const v of bad) expect(parseTimestamp(v), v).to.equal(null);
    expect(['12/07/2025', '7/12/25 7:08 PM', '12/7/2025'].map(isAmbiguousDate)).to.deep.equal([true, true, true]);
    expect(['07.12.2025', '2025/12/07', 'yesterday', '12/31/2025', '13/7/2025'].map(isAmbiguousDate)).to.deep.equal([false, false, false, false, false]);
  });

  it('COPY text: escapes and decodes', () => {
    expect(escapeCopyText('a\\b\tc\nd\re')).to.equal('a\\\\b\\tc\\nd\\re');
    expect(decodeCopyText('x\t\\N\ta\\\\b\\tc\n')).to.deep.equal([['x', null, 'a\\b\tc']]);
  });

  it('the COPY writer encodes UTF-8 and escapes in one pass, and flags NUL', () => {
    const w = new CopyWriter(4);
    expect(w.text('é😀€\t\\\n\r\u2028\u00a0x')).to.equal(true);
    w.byte(9);
    w.int(0);
    w.byte(9);
    w.int(1234567890);
    w.byte(9);
    w.nul();
    expect(w.take().toString('utf8')).to.equal('é😀€\\t\\\\\\n\\r\u2028\u00a0x\t0\t1234567890\t\\N');
    expect(w.text('a\0b')).to.equal(false);
    w.text('\ud800x');
    expect(w.take()).to.deep.equal(Buffer.from([0x61, 0x62, 0xef, 0xbf, 0xbd, 0x78]));
  });

  it('the line map stores only offset changes', () => {
    const m = new LineMap();
    [2, 3, 5, 6, 7, 10].forEach((line, i) => m.add(i + 1, line));
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((n) => m.lineOf(n))).to.deep.equal([null, 2, 3, 5, 6, 7, 10, null]);
    expect(m.breakpoints).to.equal(2);
    expect(copyErrorLine({ where: 'COPY variants, line 17, column price: "x"' })).to.equal(17);
    expect(copyErrorLine(new Error('nope'))).to.equal(null);
  });

  it('the row map counts a record of several lines as one row, up to a bound past which rows are unknown', () => {
    const m = new RowMap();
    [1, 2, 5, 6, 9].forEach((line) => m.record(line));
    expect([1, 2, 5, 6, 9].map((line) => m.rowOf(line))).to.deep.equal([1, 2, 3, 4, 5]);
    const bounded = new RowMap();
    for (let i = 0; i < 250_001; i++) bounded.record(1 + 2 * i);
    expect(bounded.rowOf(1 + 2 * 250_000)).to.equal(250_001);
    bounded.record(1 + 2 * 250_001);
    bounded.record(1 + 2 * 250_002);
    expect([bounded.rowOf(1 + 2 * 250_001), bounded.rowOf(1 + 2 * 250_002)]).to.deep.equal([null, null]);
  });
});
