import crypto from 'node:crypto';
import { expect } from 'chai';
import { createRun, createShop, type TestShop } from '../helpers/shop';
import { fixture, runDbId, sql, uploadCsv } from '../helpers/ingest';
import { getHarness } from '../setup';

const ORDERS_HEADER = 'order_id,created_at,sku,quantity,price\n';

describe('ingestion: bad input gets a clear error and loses nothing', () => {
  let shop: TestShop;
  before(async () => {
    shop = await createShop('errors');
  });

  const countLines = async (runId: string) => (await sql('SELECT count(*)::int AS n FROM order_lines WHERE run_id = ?', [runDbId(runId)]))[0].n;

  it('fails a file with missing required columns before writing, naming the columns and the layouts tried', async () => {
    const runId = await createRun(shop.adminKey);
    const { payload } = await uploadCsv(shop.adminKey, runId, 'ORDERS', 'order_id,sku\n1,A\n');
    expect(payload.upload).to.include({ status: 'FAILED', rowsWritten: 0 });
    expect(payload.userErrors).to.have.length(1);
    const [error] = payload.userErrors;
    expect(error.code).to.equal('MISSING_COLUMNS');
    expect(error.field).to.deep.equal(['file']);
    expect(error.message).to.include('created_at').and.include('quantity');
    expect(error.message).to.match(/canonical/);
    expect(payload.upload.failure.code).to.equal('MISSING_COLUMNS');
    expect(await countLines(runId)).to.equal(0);
    // The upload's record says what the header would be read as in the layout it comes nearest to.
    expect(payload.upload.format).to.equal('canonical');
    expect(payload.upload.columns).to.deep.equal([{ name: 'order_id', field: 'order_id' }, { name: 'sku', field: 'sku' }]);
    const shopify = await uploadCsv(shop.adminKey, runId, 'ORDERS', 'Name,Created at,Lineitem sku,Colour\n#1,2025-01-01,A,red\n');
    expect(shopify.payload.userErrors[0].code).to.equal('MISSING_COLUMNS');
    expect(shopify.payload.upload.format).to.equal('shopify-orders');
    expect(shopify.payload.upload.columns.map((c: any) => c.field)).to.deep.equal(['order_name', 'created_at', 'sku', null]);
  });

  it('names the kind a file looks like when it is sent as another kind', async () => {
    const runId = await createRun(shop.adminKey);
    const { payload } = await uploadCsv(shop.adminKey, runId, 'INVENTORY', 'shopify-orders.csv');
    expect(payload.userErrors.map((e: any) => e.code)).to.deep.equal(['WRONG_KIND']);
    expect(payload.userErrors[0].message).to.include('ORDERS');
    expect(payload.upload.status).to.equal('FAILED');
  });

  it('reports an empty file and a header-only file specifically', async () => {
    const runId = await createRun(shop.adminKey);
    const empty = await uploadCsv(shop.adminKey, runId, 'ORDERS', '');
    expect(empty.payload.userErrors.map((e: any) => e.code)).to.deep.equal(['EMPTY_FILE']);
    const headerOnly = await uploadCsv(shop.adminKey, runId, 'ORDERS', ORDERS_HEADER);
    expect(headerOnly.payload.userErrors.map((e: any) => e.code)).to.deep.equal(['HEADER_ONLY']);
  });

  it('checks every row and reports each bad value with its physical line, column and value', async () => {
    const runId = await createRun(shop.adminKey);
    const csv =
      ORDERS_HEADER +
      '1,2025-01-01,A,1,9.99\n' + // line 2: fine
      '1,2025-01-01,B,-2,9.99\n' + // 3: negative quantity
      '2,yesterday,C,1,9.99\n' + // 4: bad date
      '3,2025-01-01,D,1,$9.99\n' + // 5: bad price
      ',2025-01-01,E,1,1.00\n' + // 6: missing order id
      '4,2025-01-01,"F\nG",abc,1.00\n' + // 7-8: quoted newline, then a non-numeric quantity
      '5,2025-01-01,H,1,2.00\n'; // 9: fine
    const { payload } = await uploadCsv(shop.adminKey, runId, 'ORDERS', csv);
    expect(payload.upload).to.include({ status: 'FAILED', rowsRead: 7, rowsRejected: 5, rowsWritten: 0, rowsInserted: 0, rowsUpdated: 0 });
    expect(payload.userErrors.map((e: any) => e.code)).to.deep.equal(['INVALID_ROWS']);
    expect(payload.upload.rowErrors.map((e: any) => [e.line, e.column, e.value, e.code])).to.deep.equal([
      [3, 'quantity', '-2', 'NEGATIVE_QUANTITY'],
      [4, 'created_at', 'yesterday', 'INVALID_DATE'],
      [5, 'price', '$9.99', 'INVALID_PRICE'],
      [6, 'order_id', null, 'MISSING_VALUE'],
      [7, 'quantity', 'abc', 'INVALID_NUMBER'],
    ]);
    for (const error of payload.upload.rowErrors) expect(error.message).to.be.a('string').and.not.equal('');
    expect(await countLines(runId)).to.equal(0);
  });

  it('refuses a SKU, id, handle or order name longer than 255 characters, which could not be indexed', async () => {
    // Random characters do not compress: PostgreSQL refused such index entries, and the upload failed as internal.
    const long = crypto.randomBytes(2400).toString('base64');
    const files: [string, string, string][] = [
      ['CATALOG', `sku,product_title\n${long},T\n`, 'sku'],
      ['VARIANTS', `variant_id,sku\n${long},A\n`, 'variant_id'],
      ['INVENTORY', `sku,location,available\n${long},L,1\n`, 'sku'],
      ['ORDERS', `order_id,created_at,sku,quantity\n${long},2025-01-01,A,1\n`, 'order_id'],
      ['VARIANTS', `Handle,Title,Option1 Name,Option1 Value,Variant SKU,Variant Price\ntee,Tee,Size,${long},T-1,5.00\n`, 'Option1 Value'],
    ];
    for (const [kind, csv, column] of files) {
      const runId = await createRun(shop.adminKey);
      const { payload } = await uploadCsv(shop.adminKey, runId, kind, Buffer.from(csv));
      expect(payload.userErrors.map((e: any) => e.code), kind).to.deep.equal(['INVALID_ROWS']);
      expect(payload.upload.rowErrors.map((e: any) => [e.line, e.column, e.code]), kind).to.deep.equal([[2, column, 'FIELD_TOO_LARGE']]);
      expect(payload.upload.rowErrors[0].message).to.match(/at most 255 characters; this one has 3200/);
    }
    // Four names of 250 characters of three bytes each: each is short enough, the key they make is not.
    const tea = '茶'.repeat(250);
    const runId = await createRun(shop.adminKey);
    const { payload } = await uploadCsv(shop.adminKey, runId, 'INVENTORY', Buffer.from(`Handle,Option1 Value,Option2 Value,Option3 Value,Location,Available\n${tea},${tea},${tea},${tea},Main,1\n`));
    expect(payload.upload.rowErrors.map((e: any) => [e.line, e.column, e.code])).to.deep.equal([[2, 'Handle', 'FIELD_TOO_LARGE']]);
    expect(payload.upload.rowErrors[0].message).to.match(/together have at most 2000 bytes/);
  });

  it("names each rejected row by its line and by the row a spreadsheet shows, which cells holding line breaks set apart", async () => {
    const runId = await createRun(shop.adminKey);
    const csv =
      'sep=,\n' +
      'order_id,created_at,sku,quantity,title\n' +
      '1,2025-12-07,A,1,"Gift wrap,\nplease:\nthree lines"\n' +
      '2,2025-12-07,B,x,Mug\n' +
      '\n' +
      '3,2025-12-07,C,-1,"Note\non two lines"\n' +
      '4,2025-12-07,D,y,Tea\n';
    const { payload } = await uploadCsv(shop.adminKey, runId, 'ORDERS', Buffer.from(csv));
    expect(payload.upload.rowErrors.map((e: any) => [e.line, e.row, e.code])).to.deep.equal([
      [6, 3, 'INVALID_NUMBER'],
      [8, 5, 'NEGATIVE_QUANTITY'],
      [10, 6, 'INVALID_NUMBER'],
    ]);
    expect(payload.userErrors[0].message).to.include('first at line 6, row 3');
  });

  it('a file rejected for a late duplicate reports nothing inserted or updated', async () => {
    const runId = await createRun(shop.adminKey);
    const { payload } = await uploadCsv(shop.adminKey, runId, 'CATALOG', 'variant_id,sku\n1,A\n2,B\n3,C\n1,D\n');
    expect(payload.upload).to.include({ status: 'FAILED', rowsRead: 4, rowsRejected: 1, rowsWritten: 0, rowsInserted: 0, rowsUpdated: 0 });
    expect(payload.upload.rowErrors.map((e: any) => [e.line, e.value, e.code, e.message])).to.deep.equal([[5, '1', 'DUPLICATE_KEY', 'variant id 1 already appears on line 2']]);
  });

  it('stores the file name without control characters: a NUL in it is no server failure', async () => {
    const runId = await createRun(shop.adminKey);
    const boundary = 'XX';
    const operations = JSON.stringify({
      query: 'mutation($r: ID!, $f: Upload!) { csvUpload(runId: $r, kind: ORDERS, file: $f) { upload { filename status } userErrors { code } } }',
      variables: { r: runId, f: null },
    });
    const body = [
      `--${boundary}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${operations}\r\n`,
      `--${boundary}\r\nContent-Disposition: form-data; name="map"\r\n\r\n{"0":["variables.f"]}\r\n`,
      `--${boundary}\r\nContent-Disposition: form-data; name="0"; filename*=UTF-8''or%00ders%0A.csv\r\nContent-Type: text/csv\r\n\r\n`,
      'order_id,created_at,sku,quantity\n1,2025-01-01,A,1\n\r\n',
      `--${boundary}--\r\n`,
    ].join('');
    const response = await fetch(getHarness().graphqlUrl, {
      method: 'POST',
      headers: { authorization: `Bearer ${shop.adminKey}`, 'apollo-require-preflight': 'true', 'content-type': `multipart/form-data; boundary=${boundary}` },
      body,
    });
    const result: any = await response.json();
    expect(result.errors).to.equal(undefined);
    expect(result.data.csvUpload.upload).to.deep.equal({ filename: 'orders.csv', status: 'SUCCEEDED' });
  });

  it('SKIP_INVALID_ROWS writes the valid rows and reports the others', async () => {
    const runId = await createRun(shop.adminKey);
    const csv = ORDERS_HEADER + '1,2025-01-01,A,1,9.99\n1,2025-01-01,B,x,9.99\n2,2025-01-01,C,1,9.99\n';
    const { payload } = await uploadCsv(shop.adminKey, runId, 'ORDERS', csv, { errorPolicy: 'SKIP_INVALID_ROWS' });
    expect(payload.userErrors).to.deep.equal([]);
    expect(payload.upload).to.include({ status: 'SUCCEEDED', errorPolicy: 'SKIP_INVALID_ROWS', rowsInserted: 2, rowsWritten: 2, rowsRejected: 1 });
    expect(payload.upload.rowErrors.map((e: any) => [e.line, e.code])).to.deep.equal([[3, 'INVALID_NUMBER']]);
    expect(await countLines(runId)).to.equal(2);
    // A file none of whose rows is valid leaves nothing to skip to: it fails, and says so.
    const none = await uploadCsv(shop.adminKey, runId, 'ORDERS', 'order_id,created_at,sku,quantity\n7,2025-01-01,A,x\n8,2025-01-01,B,y\n', { errorPolicy: 'SKIP_INVALID_ROWS' });
    expect(none.payload.upload).to.include({ status: 'FAILED', rowsRejected: 2, rowsWritten: 0 });
    expect(none.payload.userErrors[0]).to.include({ code: 'INVALID_ROWS', message: "All 2 rows are invalid, so nothing was written; see the upload's rowErrors (first at line 2)." });
  });

  it('reports duplicate keys within a file, with lines, on a first upload and on a re-upload', async () => {
    const runId = await createRun(shop.adminKey);
    const csv = 'order_id,line_item_id,created_at,sku,quantity\n1,10,2025-01-01,A,1\n1,11,2025-01-01,B,1\n1,10,2025-01-01,C,1\n';
    const first = await uploadCsv(shop.adminKey, runId, 'ORDERS', csv);
    expect(first.payload.upload.status).to.equal('FAILED');
    expect(first.payload.upload.rowErrors.map((e: any) => [e.line, e.code])).to.deep.equal([[4, 'DUPLICATE_KEY']]);
    expect(await countLines(runId)).to.equal(0);

    await uploadCsv(shop.adminKey, runId, 'ORDERS', 'order_id,line_item_id,created_at,sku,quantity\n9,90,2025-01-01,Z,1\n');
    const again = await uploadCsv(shop.adminKey, runId, 'ORDERS', csv + '1,11,2025-01-01,D,1\n');
    expect(again.payload.upload.rowErrors.map((e: any) => [e.line, e.code])).to.deep.equal([[4, 'DUPLICATE_KEY'], [5, 'DUPLICATE_KEY']]);
    expect(await countLines(runId)).to.equal(1);

    const skipping = await uploadCsv(shop.adminKey, runId, 'ORDERS', csv, { errorPolicy: 'SKIP_INVALID_ROWS' });
    expect(skipping.payload.upload).to.include({ status: 'SUCCEEDED', rowsInserted: 2, rowsRejected: 1 });
    expect((await sql('SELECT sku FROM order_lines WHERE run_id = ? AND order_id = ? ORDER BY line_key', [runDbId(runId), '1'])).map((r) => r.sku)).to.deep.equal(['A', 'B']);
  });

  it('reports an unterminated quote and invalid UTF-8 with their lines', async () => {
    const runId = await createRun(shop.adminKey);
    const badUtf8 = Buffer.concat([Buffer.from(ORDERS_HEADER + '1,2025-01-01,A,1,1.00\n2,2025-01-01,B'), Buffer.from([0xff, 0xfe]), Buffer.from(',1,1.00\n')]);
    const utf8 = await uploadCsv(shop.adminKey, runId, 'ORDERS', badUtf8);
    expect(utf8.payload.upload.rowErrors.map((e: any) => [e.line, e.code])).to.deep.equal([[3, 'INVALID_UTF8']]);
    // The failure says what the rows cannot: the file is in another encoding, and how to save it.
    expect(utf8.payload.userErrors[0].code).to.equal('INVALID_ROWS');
    expect(utf8.payload.userErrors[0].message).to.include('The file is not UTF-8 throughout (first at line 3)');
    const quote = await uploadCsv(shop.adminKey, runId, 'ORDERS', ORDERS_HEADER + '1,2025-01-01,A,1,1.00\n2,2025-01-01,"B,1,1.00\n3,2025-01-01,C,1,1.00\n');
    expect(quote.payload.upload.status).to.equal('FAILED');
    expect(quote.payload.upload.rowErrors.map((e: any) => [e.line, e.code])).to.deep.equal([[3, 'UNTERMINATED_QUOTE']]);
    expect(await countLines(runId)).to.equal(0);
  });

  it('leaves earlier data exactly as it was when a re-upload fails', async () => {
    const runId = await createRun(shop.adminKey);
    const good = await uploadCsv(shop.adminKey, runId, 'ORDERS', 'canonical-orders.csv');
    expect(good.payload.upload.status).to.equal('SUCCEEDED');
    const before = await sql('SELECT * FROM order_lines WHERE run_id = ? ORDER BY order_id, line_key', [runDbId(runId)]);
    const broken = fixture('canonical-orders.csv').toString().replace('TEE-BLK-M,2,', 'TEE-BLK-M,two,');
    const failed = await uploadCsv(shop.adminKey, runId, 'ORDERS', broken);
    expect(failed.payload.upload.status).to.equal('FAILED');
    const after = await sql('SELECT * FROM order_lines WHERE run_id = ? ORDER BY order_id, line_key', [runDbId(runId)]);
    expect(after).to.deep.equal(before);
  });
});
