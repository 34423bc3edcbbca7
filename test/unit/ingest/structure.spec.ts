import { SHOPIFY_ORDERS_HEADER } from '../../../src/ingest/csv/layouts';
import { expect } from 'chai';
import { readdirSync } from 'node:fs';
import type { CsvKind } from '../../../src/ingest/csv';
import { FIXTURES, fixture, pick, runCsv } from './helpers';

function kindOf(file: string): CsvKind {
  if (file.startsWith('inventory')) return 'INVENTORY';
  if (file.startsWith('catalog') || file.startsWith('products-b') || file.startsWith('products-c')) return 'CATALOG';
  if (file.startsWith('products') || file.startsWith('variants')) return 'VARIANTS';
  return 'ORDERS';
}

describe('ingest/csv: file structure', () => {
  it('UTF-8 BOM and CRLF: header names normalised, lines counted', async () => {
    const r = await runCsv('ORDERS', fixture('bom-crlf.csv'));
    expect(r.error).to.equal(null);
    expect(r.header!.columns).to.deep.equal(['Order ID', 'Created At', 'SKU', 'Quantity']);
    expect(pick(r.rows, 'order_id', 'line', 'sku', 'quantity', 'created_at')).to.deep.equal([
      { order_id: '7001', line: '2', sku: 'A-1', quantity: '1', created_at: '2025-06-01 00:00:00+00:00' },
      { order_id: '7001', line: '3', sku: 'A-2', quantity: '2', created_at: '2025-06-01 00:00:00+00:00' },
    ]);
  });

  it('mixed LF and CRLF, with newlines inside quoted fields', async () => {
    const r = await runCsv('ORDERS', fixture('mixed-line-endings.csv'));
    expect(r.error).to.equal(null);
    expect(pick(r.rows, 'line', 'sku', 'title')).to.deep.equal([
      { line: '2', sku: 'A-1', title: 'Line one\nline two' },
      { line: '4', sku: 'A-2', title: 'CRLF\r\ninside' },
      { line: '6', sku: 'A-3', title: 'plain' },
    ]);
  });

  it('old Mac line endings (CR only)', async () => {
    const r = await runCsv('ORDERS', fixture('cr-only.csv'));
    expect(r.error).to.equal(null);
    expect(pick(r.rows, 'line', 'sku', 'quantity')).to.deep.equal([
      { line: '2', sku: 'A-1', quantity: '1' },
      { line: '3', sku: 'A-2', quantity: '2' },
    ]);
  });

  it('skips blank rows and rows of empty cells; pads short rows and refuses values beyond the header', async () => {
    const r = await runCsv('ORDERS', fixture('blank-and-short-rows.csv'));
    expect(r.error).to.equal(null);
    expect(r.stream).to.include({ rowsRead: 2, rowsValid: 1, rowsRejected: 1, rowsSkipped: 0 });
    expect(pick(r.rows, 'line', 'sku', 'price', 'title')).to.deep.equal([{ line: '3', sku: 'A-1', price: null, title: null }]);
    expect(r.stream.errors.map((e) => [e.line, e.code])).to.deep.equal([[5, 'TOO_MANY_VALUES']]);
    expect(r.stream.errors[0]!.message).to.match(/contains a comma must be quoted/);
    const semicolons = await runCsv('ORDERS', 'order_id;created_at;sku;quantity\n1;2025-06-01;A;1;x\n');
    expect(semicolons.stream.errors[0]!.message).to.match(/contains a semicolon must be quoted/);
    // Writers that quote every cell, and spreadsheets that keep a space typed in a cell, write blank rows so.
    const quoted = await runCsv('ORDERS', 'order_id,created_at,sku,quantity\n"","","",""\n7302,2025-06-01,B,1\n   ,  ,\u00a0,\n');
    expect(quoted.stream.errors).to.deep.equal([]);
    expect(quoted.stream).to.include({ rowsRead: 1, rowsValid: 1 });
    // A quoted empty value is no value beyond the header either.
    const padded = await runCsv('ORDERS', 'order_id,created_at,sku,quantity\n7303,2025-06-01,C,1,""\n');
    expect(padded.stream.errors).to.deep.equal([]);
  });

  it('skips the header repeated in the middle of a file (two exports pasted into one)', async () => {
    const r = await runCsv('CATALOG', 'sku,product_title,vendor\nA,Alpha,V\nsku,product_title,vendor\nB,Beta,V\n');
    expect(r.stream.errors).to.deep.equal([]);
    expect(pick(r.rows, 'sku', 'product_title')).to.deep.equal([{ sku: 'A', product_title: 'Alpha' }, { sku: 'B', product_title: 'Beta' }]);
    expect(r.stream).to.include({ rowsRead: 3, rowsSkipped: 1 });
    // Exports of two versions: the later header adds a column at its end, whose values are not read.
    const versions = await runCsv('CATALOG', 'sku,product_title,vendor\nA,Alpha,V\nsku,product_title,vendor,Payment References\nB,Beta,V,pay-1\nC,Gamma,V,\n');
    expect(versions.stream.errors).to.deep.equal([]);
    expect(pick(versions.rows, 'sku', 'product_title', 'vendor')).to.deep.equal([
      { sku: 'A', product_title: 'Alpha', vendor: 'V' },
      { sku: 'B', product_title: 'Beta', vendor: 'V' },
      { sku: 'C', product_title: 'Gamma', vendor: 'V' },
    ]);
    // A value beyond even the later header's columns is still one too many.
    const beyond = await runCsv('CATALOG', 'sku,product_title\nA,Alpha\nsku,product_title,extra\nB,Beta,x,y\n');
    expect(beyond.stream.errors.map((e) => [e.line, e.code])).to.deep.equal([[4, 'TOO_MANY_VALUES']]);
    // Files saved by a spreadsheet and joined: the second brings its byte order mark and sep= line (quoted or not).
    const saved = '\ufeffsep=;\nsku;product_title\nA;Alpha\n';
    for (const second of ['\ufeffsep=;\nsku;product_title\nB;Beta\n', '\ufeff"sep=;"\nsku;product_title\nB;Beta\n', '\ufeffsku;product_title\nB;Beta\n']) {
      const joined = await runCsv('CATALOG', saved + second);
      expect(joined.stream.errors, JSON.stringify(second)).to.deep.equal([]);
      expect(pick(joined.rows, 'sku', 'product_title')).to.deep.equal([{ sku: 'A', product_title: 'Alpha' }, { sku: 'B', product_title: 'Beta' }]);
    }
    const quotedSep = await runCsv('CATALOG', '"sep=;"\nsku;price\nA;1,50\n');
    expect(pick(quotedSep.rows, 'sku', 'price')).to.deep.equal([{ sku: 'A', price: '1.50' }]);
    const shopify = fixture('orders-shopify.csv').toString();
    const cells: Record<string, string> = { Name: '#9999', 'Financial Status': 'paid', Currency: 'USD', 'Created at': '2025-12-07 19:08:25 -0400', 'Lineitem quantity': '1', 'Lineitem sku': 'Z' };
    const next = [SHOPIFY_ORDERS_HEADER.join(','), SHOPIFY_ORDERS_HEADER.map((h) => cells[h] ?? '').join(',')].join('\n');
    const pasted = await runCsv('ORDERS', shopify.trimEnd() + '\n' + next + '\n');
    expect(pasted.stream.errors).to.deep.equal([]);
    expect(pasted.rows.map((row) => row.order_id)).to.deep.equal([...(await runCsv('ORDERS', shopify)).rows.map((row) => row.order_id), '#9999']);
  });

  it('unterminated quote: reported on the line where its record starts', async () => {
    const r = await runCsv('ORDERS', fixture('unterminated-quote.csv'));
    expect(r.error).to.equal(null);
    expect(pick(r.rows, 'line')).to.deep.equal([{ line: '2' }]);
    expect(r.stream.errors.map((e) => [e.line, e.column, e.code])).to.deep.equal([[3, 'title', 'UNTERMINATED_QUOTE']]);
    expect(r.stream.rowsRejected).to.equal(1);
  });

  it('text after a closing quote is INVALID_QUOTE; doubled quotes and quotes inside unquoted cells are fine', async () => {
    const r = await runCsv('ORDERS', fixture('invalid-quote.csv'));
    expect(r.stream.errors.map((e) => [e.line, e.column, e.code])).to.deep.equal([[2, 'title', 'INVALID_QUOTE']]);
    expect(pick(r.rows, 'line', 'line_key', 'title', 'created_at')).to.deep.equal([
      { line: '3', line_key: '#s:A-2', title: '12" ruler', created_at: '2025-06-01 00:00:00+00:00' },
      { line: '4', line_key: '#s:A-3', title: '5" ruler', created_at: '2025-06-01 00:00:00+00:00' },
    ]);
  });

  it('invalid UTF-8: the row is rejected with the line of the bad bytes; valid multi-byte text passes', async () => {
    const r = await runCsv('ORDERS', fixture('invalid-utf8.csv'));
    expect(r.stream.errors.map((e) => [e.line, e.column, e.code])).to.deep.equal([[3, 'title', 'INVALID_UTF8']]);
    expect(r.stream.errors[0]!.message).to.include('line 3');
    expect(pick(r.rows, 'line', 'title')).to.deep.equal([
      { line: '2', title: 'ok' },
      { line: '5', title: 'été' },
    ]);
  });

  it('invalid UTF-8 on a later physical line of a multi-line record names that line', async () => {
    const r = await runCsv('ORDERS', Buffer.from('order_id,created_at,sku,quantity,title\n1,2025-01-01,A,1,"one\ntwo \xff"\n', 'latin1'));
    expect(r.stream.errors.map((e) => [e.line, e.code])).to.deep.equal([[2, 'INVALID_UTF8']]);
    expect(r.stream.errors[0]!.message).to.include('line 3');
  });

  it('invalid UTF-8 in a column the layout does not read is not an error', async () => {
    const header = fixture('orders-shopify.csv').toString('utf8').split('\n')[0]!;
    const cells = header.split(',').map(() => '');
    const set = (name: string, v: string) => (cells[header.split(',').indexOf(name)] = v);
    set('Name', '#1');
    set('Created at', '2025-01-01 10:00:00 +0000');
    set('Lineitem quantity', '1');
    set('Lineitem sku', 'A');
    set('Billing Name', 'Zo\xeb');
    set('Lineitem name', 'Caf\xe9');
    const row1 = cells.join(',');
    set('Lineitem name', 'Tea');
    const row2 = cells.join(',');
    for (const pieceBytes of [undefined, 1, 5]) {
      const r = await runCsv('ORDERS', Buffer.concat([Buffer.from(header + '\n'), Buffer.from(row1 + '\n' + row2 + '\n', 'latin1')]), { pieceBytes });
      expect(r.stream.errors.map((e) => [e.line, e.column, e.code])).to.deep.equal([[2, 'Lineitem name', 'INVALID_UTF8']]);
      expect(pick(r.rows, 'line', 'title')).to.deep.equal([{ line: '3', title: 'Tea' }]);
    }
  });

  it('refuses a row with values beyond the header (an unquoted comma), but not empty padding', async () => {
    const r = await runCsv('ORDERS', 'order_id,created_at,sku,quantity,title\n1,2025-12-07,A,1,Shirt, red\n2,2025-12-07,B,1,Plain,,\n3,2025-12-07,C,1, "b, c"\n');
    expect(r.stream.errors.map((e) => [e.line, e.column, e.code])).to.deep.equal([
      [2, null, 'TOO_MANY_VALUES'],
      [4, null, 'TOO_MANY_VALUES'],
    ]);
    expect(r.stream.errors[0]!.message).to.equal("the row has a value in field 6, beyond the header's 5 columns: a value that contains a comma must be quoted");
    expect(pick(r.rows, 'line', 'sku', 'title')).to.deep.equal([{ line: '3', sku: 'B', title: 'Plain' }]);
  });

  it('skips an Excel "sep=," line before the header', async () => {
    const r = await runCsv('ORDERS', 'sep=,\r\norder_id,created_at,sku,quantity\r\n1,2025-01-01,A,1\r\n');
    expect(r.error).to.equal(null);
    expect(pick(r.rows, 'line', 'sku')).to.deep.equal([{ line: '3', sku: 'A' }]);
  });

  it('a field over maxFieldBytes is FIELD_TOO_LARGE; unread columns are bounded by the row size alone', async () => {
    const big = 'x'.repeat(300);
    const r = await runCsv('ORDERS', `order_id,created_at,sku,quantity,notes\n1,2025-01-01,${big},1,${big}\n1,,A,1,${'y'.repeat(3000)}\n1,,B,1,${'z'.repeat(500_000)}\n`, {
      maxFieldBytes: 256,
    });
    expect(r.stream.errors.map((e) => [e.line, e.column, e.code, e.message])).to.deep.equal([
      [2, 'sku', 'FIELD_TOO_LARGE', 'the value is larger than the limit of 256 bytes for a column that is read'],
    ]);
    expect(pick(r.rows, 'line', 'sku')).to.deep.equal([
      { line: '3', sku: 'A' },
      { line: '4', sku: 'B' },
    ]);
  });

  it("a Shopify product whose description holds megabytes (inline images) is read like any other", async () => {
    const header = 'Handle,Title,Body (HTML),Option1 Name,Option1 Value,Variant SKU,Variant Price\n';
    const body = `"<p><img src=""data:image/png;base64,${'A'.repeat(3 << 20)}""></p>"`;
    const r = await runCsv('CATALOG', `${header}tee,Tee,${body},Size,S,TEE-S,10.00\ntee,,,,M,TEE-M,10.00\n`);
    expect(r.stream.errors).to.deep.equal([]);
    expect(pick(r.rows, 'sku', 'product_title')).to.deep.equal([
      { sku: 'TEE-S', product_title: 'Tee' },
      { sku: 'TEE-M', product_title: 'Tee' },
    ]);
  });

  it('a huge unterminated field is not buffered: memory stays bounded and the error names its line', async () => {
    const head = 'order_id,created_at,sku,quantity,title\n1,2025-01-01,A,1,ok\n1,,B,1,"runaway\n';
    const filler = Buffer.alloc(1 << 16, 'a,b\n');
    const pieces = [Buffer.from(head)];
    for (let i = 0; i < 64; i++) pieces.push(filler);
    const r = await runCsv('ORDERS', Buffer.concat(pieces), { pieceBytes: 1 << 16, maxFieldBytes: 1024 });
    expect(r.stream.errors.map((e) => [e.line, e.code])).to.deep.equal([[3, 'UNTERMINATED_QUOTE']]);
    expect(r.rows).to.have.length(1);
  });

  it('an oversized quoted field is rejected and the rows after it keep their lines and carried fields', async () => {
    const text = `order_id,created_at,sku,quantity,title\n1,2025-01-01,A,1,"${'q\n'.repeat(40000)}"\n1,,B,1,after\n`;
    const r = await runCsv('ORDERS', text, { pieceBytes: 4096, maxFieldBytes: 1024 });
    expect(r.stream.errors.map((e) => [e.line, e.column, e.code])).to.deep.equal([[2, 'title', 'FIELD_TOO_LARGE']]);
    expect(pick(r.rows, 'line', 'line_key', 'sku', 'created_at')).to.deep.equal([
      { line: '40003', line_key: '#s:B', sku: 'B', created_at: '2025-01-01 00:00:00+00:00' },
    ]);
  });

  it('a record beyond the size bound is scanned without being kept, then parsing resumes', async () => {
    const text = `order_id,created_at,sku,quantity,title\n1,2025-01-01,A,1,"${'w\n'.repeat(5 << 20)}"\n2,2025-01-02,B,1,after\n`;
    const r = await runCsv('ORDERS', text, { pieceBytes: 1 << 16, maxFieldBytes: 1024 });
    expect(r.stream.errors.map((e) => [e.line, e.column, e.code])).to.deep.equal([[2, 'title', 'FIELD_TOO_LARGE']]);
    expect(pick(r.rows, 'line', 'sku')).to.deep.equal([{ line: String(3 + (5 << 20)), sku: 'B' }]);
  });

  describe('chunk boundaries', () => {
    const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.csv'));
    for (const file of files) {
      it(`${file}: same output, errors and counters fed 1 byte at a time, 7 bytes at a time, or whole`, async () => {
        const kind = kindOf(file);
        const whole = await runCsv(kind, fixture(file), { chunkRows: 2 });
        for (const pieceBytes of [1, 7]) {
          const split = await runCsv(kind, fixture(file), { pieceBytes, chunkRows: 2 });
          expect(split.text).to.equal(whole.text);
          expect(split.stream.errors).to.deep.equal(whole.stream.errors);
          expect(split.error?.message).to.equal(whole.error?.message);
          expect(split.stream.layout).to.equal(whole.stream.layout);
          for (const k of ['rowsRead', 'rowsValid', 'rowsRejected', 'rowsSkipped'] as const) {
            expect(split.stream[k], k).to.equal(whole.stream[k]);
          }
          if (whole.error === null) expect(split.stream.bytesRead).to.equal(whole.stream.bytesRead);
        }
      });
    }
  });

  describe('output chunks and the COPY row -> file line map', () => {
    it('emits about chunkRows rows per chunk', async () => {
      let csv = 'order_id,created_at,sku,quantity\n';
      for (let i = 0; i < 25; i++) csv += `${i},2025-01-01,A,1\n`;
      const r = await runCsv('ORDERS', csv, { chunkRows: 10 });
      expect(r.chunks).to.equal(3);
      expect(r.rows).to.have.length(25);
    });

    it('maps each emitted row to its physical line and stores only the offsets that change', async () => {
      const r = await runCsv('ORDERS', fixture('orders-errors.csv'));
      expect(r.stream.lineOfRow(1)).to.equal(2);
      expect(r.stream.lineOfRow(2)).to.equal(9);
      expect(r.stream.lineOfRow(3)).to.equal(13);
      expect(r.stream.lineOfRow(4)).to.equal(0);
      expect(r.stream.fileLineOfCopyError({ where: 'COPY order_lines, line 2, column quantity: "x"' })).to.equal(9);
      const shop = await runCsv('VARIANTS', fixture('products-a.csv'));
      expect([1, 2, 3, 4].map((n) => shop.stream.lineOfRow(n))).to.deep.equal(shop.rows.map((x) => Number(x.line)));
    });

    it('keeps no per-row state for a regular file', async () => {
      let csv = 'order_id,created_at,sku,quantity\n';
      for (let i = 0; i < 20000; i++) csv += `${i >> 1},2025-01-01,S${i},1\n`;
      const r = await runCsv('ORDERS', csv);
      expect(r.stream.rowsValid).to.equal(20000);
      expect(r.stream.lineMapBreakpoints).to.equal(0);
      expect(r.stream.lineOfRow(20000)).to.equal(20001);
    });
  });
});
