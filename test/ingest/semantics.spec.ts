import os from 'node:os';
import fs from 'node:fs';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { loadConfig } from '../../src/config';
import { SHOPIFY_ORDERS_HEADER } from '../../src/ingest/csv/layouts';
import { createLogger } from '../../src/logger';
import { startServer } from '../../src/main';
import { gql, gqlUpload, gqlUploadInPieces, ok } from '../helpers/client';
import { UPLOAD_FIELDS, fixture, runDbId, sql, uploadCsv, utc } from '../helpers/ingest';
import { createRun, createShop, type TestShop } from '../helpers/shop';
import { getHarness } from '../setup';

const LINES = 'order_id,line_item_id,created_at,sku,quantity\n';
const line = (order: number, item: number, sku: string, quantity = 1) => `${order},${item},2025-01-0${1 + (order % 9)},${sku},${quantity}\n`;

describe('ingestion: upserts, dry runs, async uploads, parallel files and recovery', () => {
  let shop: TestShop;
  before(async () => {
    shop = await createShop('semantics');
  });

  it('re-uploading a file is idempotent and reports updates; monthly files accumulate', async () => {
    const runId = await createRun(shop.adminKey);
    const november = LINES + line(1, 1, 'A') + line(1, 2, 'B') + line(2, 3, 'A');
    const first = await uploadCsv(shop.adminKey, runId, 'ORDERS', november);
    expect(first.payload.upload).to.include({ rowsInserted: 3, rowsUpdated: 0, rowsWritten: 3 });
    const again = await uploadCsv(shop.adminKey, runId, 'ORDERS', november);
    expect(again.payload.upload).to.include({ status: 'SUCCEEDED', rowsInserted: 0, rowsUpdated: 3, rowsWritten: 3 });
    const december = LINES + line(2, 3, 'A', 5) + line(3, 4, 'C');
    const next = await uploadCsv(shop.adminKey, runId, 'ORDERS', december);
    expect(next.payload.upload).to.include({ rowsInserted: 1, rowsUpdated: 1 });
    const rows = await sql('SELECT order_id, line_key, quantity FROM order_lines WHERE run_id = ? ORDER BY order_id, line_key', [runDbId(runId)]);
    expect(rows).to.deep.equal([
      { order_id: '1', line_key: '1', quantity: 1 },
      { order_id: '1', line_key: '2', quantity: 1 },
      { order_id: '2', line_key: '3', quantity: 5 },
      { order_id: '3', line_key: '4', quantity: 1 },
    ]);
    const uploads = ok(await gql('query($id: ID!) { run(id: $id) { uploads { rowsInserted rowsUpdated } } }', { id: runId }, { key: shop.adminKey }));
    expect(uploads.run.uploads).to.deep.equal([
      { rowsInserted: 3, rowsUpdated: 0 },
      { rowsInserted: 0, rowsUpdated: 3 },
      { rowsInserted: 1, rowsUpdated: 1 },
    ]);
  });

  it('a file with fewer columns updates only the columns it has: a price list keeps titles, statuses and stock links', async () => {
    const runId = await createRun(shop.adminKey);
    const full = 'variant_id,sku,product_title,variant_title,price,status,available_total,inventory_item_id\n901,D1,Draft thing,Large / Red,10.00,draft,5,71\n902,D2,Live thing,,20.00,active,5,72\n';
    await uploadCsv(shop.adminKey, runId, 'CATALOG', full);
    // Option values are not the variant's title in the canonical layout: a file of them keeps the title.
    await uploadCsv(shop.adminKey, runId, 'CATALOG', 'variant_id,option1\n901,Large\n');
    // A price fix for one row, and a blank stated for the other's status: a column the file has, left empty, is empty.
    const prices = 'variant_id,price,status\n901,8.00,draft\n902,21.00,\n';
    const { payload } = await uploadCsv(shop.adminKey, runId, 'CATALOG', prices);
    expect(payload.upload).to.include({ status: 'SUCCEEDED', rowsInserted: 0, rowsUpdated: 2 });
    // A price list by SKU updates the row of that SKU, keyed by its variant id.
    const bySku = await uploadCsv(shop.adminKey, runId, 'CATALOG', 'sku,price\nD1,9.00\n');
    expect(bySku.payload.upload).to.include({ status: 'SUCCEEDED', rowsInserted: 0, rowsUpdated: 1 });
    const rows = await sql(
      'SELECT variant_id, sku, product_title, variant_title, price::text, status, available_total, inventory_item_id FROM catalog_items WHERE run_id = ? ORDER BY variant_id',
      [runDbId(runId)],
    );
    expect(rows).to.deep.equal([
      { variant_id: '901', sku: 'D1', product_title: 'Draft thing', variant_title: 'Large / Red', price: '9.0000', status: 'draft', available_total: 5, inventory_item_id: '71' },
      { variant_id: '902', sku: 'D2', product_title: 'Live thing', variant_title: null, price: '21.0000', status: null, available_total: 5, inventory_item_id: '72' },
    ]);
  });

  it('keeps every line of an orders file sorted by SKU, and of an order exported across two files', async () => {
    const runId = await createRun(shop.adminKey);
    // 3,000 two-line orders sorted by SKU: each order's second line comes 3,000 rows after its first, long after
    // the stream's memory of recent orders has let it go.
    const header = 'order_id,created_at,sku,quantity\n';
    const rows = ['A', 'B'].flatMap((sku) => Array.from({ length: 3000 }, (_, i) => `${i + 1},2025-12-01T10:00:00Z,${sku},1\n`));
    const { payload } = await uploadCsv(shop.adminKey, runId, 'ORDERS', header + rows.join(''));
    expect(payload.userErrors).to.deep.equal([]);
    expect(payload.upload).to.include({ status: 'SUCCEEDED', rowsInserted: 6000, rowsRejected: 0 });
    // The same file again (merged through a staging table, whose split orders are filled in one pass), then in the
    // export's own order: the same lines, updated.
    const sortedAgain = await uploadCsv(shop.adminKey, runId, 'ORDERS', header + rows.join(''));
    expect(sortedAgain.payload.upload).to.include({ status: 'SUCCEEDED', rowsInserted: 0, rowsUpdated: 6000 });
    const again = await uploadCsv(shop.adminKey, runId, 'ORDERS', header + Array.from({ length: 3000 }, (_, i) => `${i + 1},2025-12-01T10:00:00Z,A,1\n${i + 1},,B,2\n`).join(''));
    expect(again.payload.upload).to.include({ status: 'SUCCEEDED', rowsInserted: 0, rowsUpdated: 6000 });
    // An order whose lines were exported in two files: the second file's line takes the order's fields from the first.
    const withStatus = 'order_id,created_at,sku,quantity,financial_status,currency\n';
    await uploadCsv(shop.adminKey, runId, 'ORDERS', withStatus + '9001,2025-12-02T10:00:00Z,A,1,paid,EUR\n9001,,C,1,,\n');
    const part2 = await uploadCsv(shop.adminKey, runId, 'ORDERS', withStatus + '9001,2025-12-02T10:00:00Z,D,2,,\n');
    expect(part2.payload.upload).to.include({ rowsInserted: 1, rowsUpdated: 0 });
    const lines = await sql(
      `SELECT line_key, sku, quantity, financial_status, currency FROM order_lines WHERE run_id = ? AND order_id = '9001' ORDER BY line_key`,
      [runDbId(runId)],
    );
    expect(lines).to.deep.equal([
      { line_key: '#s:A', sku: 'A', quantity: 1, financial_status: 'paid', currency: 'EUR' },
      { line_key: '#s:C', sku: 'C', quantity: 1, financial_status: 'paid', currency: 'EUR' },
      { line_key: '#s:D', sku: 'D', quantity: 2, financial_status: 'paid', currency: 'EUR' },
    ]);
    const multi = ok(await gql('query($id: ID!) { run(id: $id) { coverage { orders orderLines multiItemOrders } } }', { id: runId }, { key: shop.adminKey }));
    expect(multi.run.coverage).to.deep.equal({ orders: 3001, orderLines: 6003, multiItemOrders: 3001 });

    // The same, uploaded the other way round: the part with the order's fields comes second and completes the first.
    const reversed = await createRun(shop.adminKey);
    await uploadCsv(shop.adminKey, reversed, 'ORDERS', withStatus + '9002,2025-12-02T10:00:00Z,D,4,,\n');
    await uploadCsv(shop.adminKey, reversed, 'ORDERS', withStatus + '9002,2025-12-02T10:00:00Z,A,1,voided,EUR\n');
    const statuses = () => sql(`SELECT sku, financial_status, currency FROM order_lines WHERE run_id = ? ORDER BY sku`, [runDbId(reversed)]);
    expect(await statuses()).to.deep.equal([
      { sku: 'A', financial_status: 'voided', currency: 'EUR' },
      { sku: 'D', financial_status: 'voided', currency: 'EUR' },
    ]);
    // A re-export of the order, refunded since, whose file holds one of its lines: the order is refunded, all of it.
    await uploadCsv(shop.adminKey, reversed, 'ORDERS', withStatus + '9002,2025-12-02T10:00:00Z,A,1,refunded,\n');
    expect(await statuses()).to.deep.equal([
      { sku: 'A', financial_status: 'refunded', currency: 'EUR' },
      { sku: 'D', financial_status: 'refunded', currency: 'EUR' },
    ]);
  });

  it('two exports of overlapping dates pasted into one file hold the same lines twice, refused as duplicates rather than added', async () => {
    const header = 'order_id,created_at,sku,quantity\n';
    const pasted = header + '1,2025-01-01,A,2\n1,2025-01-01,B,1\n' + header + '1,2025-01-01,A,2\n1,2025-01-01,B,1\n2,2025-01-02,B,1\n';
    // Into an empty run (straight into the table), and into one holding lines already (merged, duplicates skipped).
    const empty = await createRun(shop.adminKey);
    const refused = await uploadCsv(shop.adminKey, empty, 'ORDERS', pasted);
    expect(refused.payload.upload).to.include({ status: 'FAILED', rowsInserted: 0 });
    expect(refused.payload.upload.rowErrors[0].code).to.equal('DUPLICATE_KEY');
    expect(refused.payload.upload.rowErrors[0].message).to.contain('The file joins 2 exports (its header comes again)');
    const held = await createRun(shop.adminKey);
    await uploadCsv(shop.adminKey, held, 'ORDERS', header + '9,2025-01-01,Z,1\n');
    const skipped = await uploadCsv(shop.adminKey, held, 'ORDERS', pasted, { errorPolicy: 'SKIP_INVALID_ROWS' });
    expect(skipped.payload.upload).to.include({ status: 'SUCCEEDED', rowsInserted: 3, rowsRejected: 2 });
    const lines = await sql(`SELECT order_id, sku, quantity FROM order_lines WHERE run_id = ? ORDER BY order_id, sku`, [runDbId(held)]);
    expect(lines).to.deep.equal([
      { order_id: '1', sku: 'A', quantity: 2 },
      { order_id: '1', sku: 'B', quantity: 1 },
      { order_id: '2', sku: 'B', quantity: 1 },
      { order_id: '9', sku: 'Z', quantity: 1 },
    ]);
    // An order selling A twice, in both exports, the second time apart (numbered once the file is written): each
    // export's lines are numbered on their own, and the second's are the first's again.
    const twice = await createRun(shop.adminKey);
    await uploadCsv(shop.adminKey, twice, 'ORDERS', header + '9,2025-01-01,Z,1\n');
    const apart = header + '5,2025-01-01,A,1\n5,2025-01-01,A,3\n' + header + '5,2025-01-01,A,1\n6,2025-01-02,B,1\n5,2025-01-01,A,3\n';
    const numbered = await uploadCsv(shop.adminKey, twice, 'ORDERS', apart, { errorPolicy: 'SKIP_INVALID_ROWS' });
    expect(numbered.payload.upload).to.include({ status: 'SUCCEEDED', rowsInserted: 3, rowsRejected: 2 });
    const keys = await sql(`SELECT order_id, line_key, quantity FROM order_lines WHERE run_id = ? AND order_id = '5' ORDER BY line_key`, [runDbId(twice)]);
    expect(keys).to.deep.equal([
      { order_id: '5', line_key: '#2#s:A', quantity: 3 },
      { order_id: '5', line_key: '#s:A', quantity: 1 },
    ]);
  });

  it('numbers an order\'s repeated items in file order however far apart its lines are, as the export in its own order does', async () => {
    const runId = await createRun(shop.adminKey);
    // 12,000 orders, each selling SKU A twice (at 5.00 and at 9.00) and B once, sorted by price: an order's lines
    // are 12,000 rows apart, more orders than the stream keeps counts for.
    const orders = 12_000;
    const header = 'order_id,created_at,sku,price,quantity\n';
    const at = (price: string, sku: string) => Array.from({ length: orders }, (_, i) => `${i + 1},2025-12-01T10:00:00Z,${sku},${price},1\n`).join('');
    const sorted = header + at('1.00', 'B') + at('5.00', 'A') + at('9.00', 'A');
    const { payload } = await uploadCsv(shop.adminKey, runId, 'ORDERS', sorted);
    expect(payload.userErrors).to.deep.equal([]);
    expect(payload.upload).to.include({ status: 'SUCCEEDED', rowsInserted: 3 * orders, rowsRejected: 0 });
    const keys = async () =>
      sql(`SELECT line_key, price::text FROM order_lines WHERE run_id = ? AND order_id IN ('1', '12000') ORDER BY order_id, line_key`, [runDbId(runId)]);
    const expected = [
      { line_key: '#2#s:A', price: '9.0000' },
      { line_key: '#s:A', price: '5.0000' },
      { line_key: '#s:B', price: '1.0000' },
    ];
    expect(await keys()).to.deep.equal([...expected, ...expected]);
    // The export in its own order (merged through a staging table): the same lines.
    const grouped = header + Array.from({ length: orders }, (_, i) => `${i + 1},2025-12-01T10:00:00Z,B,1.00,1\n${i + 1},,A,5.00,1\n${i + 1},,A,9.00,1\n`).join('');
    const again = await uploadCsv(shop.adminKey, runId, 'ORDERS', grouped);
    expect(again.payload.upload).to.include({ status: 'SUCCEEDED', rowsInserted: 0, rowsUpdated: 3 * orders, rowsRejected: 0 });
    expect(await keys()).to.deep.equal([...expected, ...expected]);
    // A few orders coming back (looked up by order id), one of them a line that names nothing (a Shopify custom item
    // without a title), numbered by its position in its order (the fourth line of #1).
    const row = (cells: Record<string, string>) => SHOPIFY_ORDERS_HEADER.map((h) => cells[h] ?? '').join(',');
    const shopify = (name: string, sku: string, title = sku, quantity = '1') =>
      row({ Name: name, 'Financial Status': 'paid', Currency: 'USD', 'Created at': '2025-12-07 19:08:25 -0400', 'Lineitem quantity': quantity, 'Lineitem sku': sku, 'Lineitem name': title });
    const small = await createRun(shop.adminKey);
    const few = await uploadCsv(shop.adminKey, small, 'ORDERS', [
      SHOPIFY_ORDERS_HEADER.join(','),
      shopify('#1', 'A'), shopify('#1', '', ''), shopify('#2', 'A'), shopify('#1', 'A'), shopify('#1', '', ''), shopify('#1', '', 'Gift wrap'),
    ].join('\n') + '\n');
    expect(few.payload.upload).to.include({ status: 'SUCCEEDED', rowsInserted: 6, rowsRejected: 0 });
    const smallKeys = await sql(`SELECT order_id, line, line_key FROM order_lines WHERE run_id = ? ORDER BY line`, [runDbId(small)]);
    expect(smallKeys.map((r) => `${r.order_id} ${r.line_key}`)).to.deep.equal(['#1 #s:A', '#1 #2', '#2 #s:A', '#1 #2#s:A', '#1 #4', '#1 #t:Gift wrap']);
    // A line naming nothing in a later stretch is numbered by its place in its order, whatever comes after it.
    const later = await createRun(shop.adminKey);
    await uploadCsv(shop.adminKey, later, 'ORDERS', [
      SHOPIFY_ORDERS_HEADER.join(','),
      shopify('#1', 'A'), shopify('#2', 'A'), shopify('#1', 'B'), shopify('#3', 'W'), shopify('#4', 'A'), shopify('#3', '', ''), shopify('#3', 'X'),
    ].join('\n') + '\n');
    const laterKeys = await sql(`SELECT line_key FROM order_lines WHERE run_id = ? AND order_id = '#3' ORDER BY line`, [runDbId(later)]);
    expect(laterKeys.map((r) => r.line_key)).to.deep.equal(['#s:W', '#2', '#s:X']);
    // Skipping invalid rows, into a run that holds data (merged through a staging table): a rejected line keeps its
    // place in its order's count, so the repeat after it is the third, not a duplicate of the second.
    const skipped = await uploadCsv(
      shop.adminKey,
      small,
      'ORDERS',
      [SHOPIFY_ORDERS_HEADER.join(','), shopify('#5', 'A', 'A', 'x'), shopify('#5', 'A'), shopify('#6', 'A'), shopify('#5', 'A')].join('\n') + '\n',
      { errorPolicy: 'SKIP_INVALID_ROWS' },
    );
    expect(skipped.payload.upload).to.include({ status: 'SUCCEEDED', rowsInserted: 3, rowsRejected: 1 });
    expect(skipped.payload.upload.rowErrors.map((e: any) => e.code)).to.deep.equal(['INVALID_NUMBER']);
    const fifth = await sql(`SELECT line_key FROM order_lines WHERE run_id = ? AND order_id = '#5' ORDER BY line`, [runDbId(small)]);
    expect(fifth.map((r) => r.line_key)).to.deep.equal(['#2#s:A', '#3#s:A']);
  });

  it("a re-exported order's lines sorted away from its first line take the new export's fields, not the stored ones", async () => {
    const runId = await createRun(shop.adminKey);
    const header = 'order_id,created_at,sku,quantity,financial_status,currency\n';
    await uploadCsv(shop.adminKey, runId, 'ORDERS', header + '3001,2025-12-01T10:00:00Z,A,1,pending,USD\n3001,,B,1,,\n');
    const again = await uploadCsv(shop.adminKey, runId, 'ORDERS', header + '3001,2025-12-01T10:00:00Z,A,1,paid,EUR\n3002,2025-12-02T10:00:00Z,C,1,paid,EUR\n3001,,B,1,,\n');
    expect(again.payload.upload).to.include({ status: 'SUCCEEDED', rowsInserted: 1, rowsUpdated: 2 });
    const rows = await sql(`SELECT order_id, sku, financial_status, currency FROM order_lines WHERE run_id = ? ORDER BY order_id, sku`, [runDbId(runId)]);
    expect(rows.map((r) => [r.order_id, r.sku, r.financial_status, r.currency])).to.deep.equal([
      ['3001', 'A', 'paid', 'EUR'],
      ['3001', 'B', 'paid', 'EUR'],
      ['3002', 'C', 'paid', 'EUR'],
    ]);
  });

  it("a canonical file with variant ids completes the rows of Shopify's products export, and the export uploaded again updates them", async () => {
    const runId = await createRun(shop.adminKey);
    const rowsOf = () =>
      sql(`SELECT item_key, variant_id, sku, product_title, price::text FROM catalog_items WHERE run_id = ? AND sku IS NOT NULL ORDER BY sku, item_key`, [runDbId(runId)]);
    expect((await uploadCsv(shop.adminKey, runId, 'CATALOG', fixture('shopify-products-b.csv'))).payload.userErrors).to.deep.equal([]);
    const exported = await rowsOf();
    expect(exported.map((r) => [r.sku, r.variant_id])).to.deep.equal([['CAP-RED', null], ['MUG-01', null], ['TEE-BLK-L', null], ['TEE-BLK-M', null]]);

    // Ids for three of them, and a variant the export does not have.
    const ids = await uploadCsv(shop.adminKey, runId, 'CATALOG', 'variant_id,sku\n101,TEE-BLK-M\n102,TEE-BLK-L\n103,MUG-01\n104,NEW-1\n');
    expect(ids.payload.upload).to.include({ status: 'SUCCEEDED', rowsInserted: 1, rowsUpdated: 3 });
    expect(await rowsOf()).to.deep.equal([
      { item_key: exported[0]!.item_key, variant_id: null, sku: 'CAP-RED', product_title: 'Cap', price: '15.0000' },
      { item_key: 'v:103', variant_id: '103', sku: 'MUG-01', product_title: 'Mug', price: '12.5000' },
      { item_key: 'v:104', variant_id: '104', sku: 'NEW-1', product_title: null, price: null },
      { item_key: 'v:102', variant_id: '102', sku: 'TEE-BLK-L', product_title: 'Classic Tee', price: '19.9900' },
      { item_key: 'v:101', variant_id: '101', sku: 'TEE-BLK-M', product_title: 'Classic Tee', price: '19.9900' },
    ]);

    // The export again, with a new price: the same rows, updated; then a price list by SKU.
    const again = fixture('shopify-products-b.csv').toString().replace(/12\.50/g, '13.00');
    const reexported = await uploadCsv(shop.adminKey, runId, 'CATALOG', again);
    expect(reexported.payload.upload).to.include({ status: 'SUCCEEDED', rowsInserted: 0 });
    const prices = await uploadCsv(shop.adminKey, runId, 'CATALOG', 'sku,price\nTEE-BLK-M,18.00\n');
    expect(prices.payload.upload).to.include({ status: 'SUCCEEDED', rowsInserted: 0, rowsUpdated: 1 });
    // Two products of the export sharing a SKU: an id for that SKU alone names neither, and is refused.
    await uploadCsv(shop.adminKey, runId, 'CATALOG', 'Handle,Title,Option1 Name,Option1 Value,Variant SKU,Variant Price\nshirt,Shirt,Size,S,LS-S,30.00\nsocks,Socks,Size,S,LS-S,5.00\n');
    const shared = await uploadCsv(shop.adminKey, runId, 'CATALOG', 'variant_id,sku\n222,LS-S\n', { errorPolicy: 'SKIP_INVALID_ROWS' });
    expect(shared.payload.upload).to.include({ rowsInserted: 0, rowsRejected: 1 });
    expect(shared.payload.upload.rowErrors.map((e: any) => [e.line, e.code, e.message])).to.deep.equal([
      [2, 'AMBIGUOUS_SKU', 'SKU LS-S names 2 items of the run without a variant id: give the handle and options of the one this variant is'],
    ]);
    const named = await uploadCsv(shop.adminKey, runId, 'CATALOG', 'variant_id,sku,handle\n222,LS-S,socks\n');
    expect(named.payload.upload).to.include({ status: 'SUCCEEDED', rowsInserted: 0, rowsUpdated: 1 });
    expect(await sql(`SELECT handle, variant_id, product_title FROM catalog_items WHERE run_id = ? AND sku = 'LS-S' ORDER BY handle`, [runDbId(runId)])).to.deep.equal([
      { handle: 'shirt', variant_id: null, product_title: 'Shirt' },
      { handle: 'socks', variant_id: '222', product_title: 'Socks' },
    ]);
    // Both products of a shared SKU named by handle in one file: each completes its own row.
    const both = await createRun(shop.adminKey);
    await uploadCsv(shop.adminKey, both, 'CATALOG', 'Handle,Title,Option1 Name,Option1 Value,Variant SKU,Variant Price\np1,One,Size,S,S-1,1.00\np2,Two,Size,S,S-1,2.00\nq,Q,Size,S,Q-1,3.00\n');
    const named2 = await uploadCsv(shop.adminKey, both, 'CATALOG', 'variant_id,sku,handle\n1,S-1,p1\n2,S-1,p2\n');
    expect(named2.payload.upload).to.include({ status: 'SUCCEEDED', rowsInserted: 0, rowsUpdated: 2 });
    // One variant id on two lines is a duplicate, reported as such.
    const twice = await uploadCsv(shop.adminKey, both, 'CATALOG', 'variant_id,sku\n9,Q-1\n9,S-1\n');
    expect(twice.payload.upload.rowErrors.map((e: any) => e.code)).to.deep.equal(['DUPLICATE_KEY']);
    expect(await sql(`SELECT item_key, handle FROM catalog_items WHERE run_id = ? ORDER BY item_key`, [runDbId(both)])).to.deep.equal([
      { item_key: 'h:q/S//', handle: 'q' },
      { item_key: 'v:1', handle: 'p1' },
      { item_key: 'v:2', handle: 'p2' },
    ]);
    // A variant of another product (handle) with the cap's SKU is another item: two products may share a SKU.
    const otherProduct = await uploadCsv(shop.adminKey, runId, 'CATALOG', 'variant_id,sku,handle,product_title\n105,CAP-RED,hat,Hat\n');
    expect(otherProduct.payload.upload).to.include({ status: 'SUCCEEDED', rowsInserted: 1, rowsUpdated: 0 });
    const last = await rowsOf();
    expect(last.map((r) => [r.item_key, r.sku, r.price, r.product_title])).to.deep.equal([
      [exported[0]!.item_key, 'CAP-RED', '15.0000', 'Cap'],
      ['v:105', 'CAP-RED', null, 'Hat'],
      ['h:shirt/S//', 'LS-S', '30.0000', 'Shirt'],
      ['v:222', 'LS-S', '5.0000', 'Socks'],
      ['v:103', 'MUG-01', '13.0000', 'Mug'],
      ['v:104', 'NEW-1', null, null],
      ['v:102', 'TEE-BLK-L', '19.9900', 'Classic Tee'],
      ['v:101', 'TEE-BLK-M', '18.0000', 'Classic Tee'],
    ]);
  });

  it('a price list by a SKU that several stored items share is refused for that row, not added as one more item', async () => {
    const runId = await createRun(shop.adminKey);
    await uploadCsv(shop.adminKey, runId, 'CATALOG', 'variant_id,sku,product_title,price\n1,A,Alpha,10.00\n2,B,Beta,20.00\n3,B,Beta too,21.00\n');
    const refused = await uploadCsv(shop.adminKey, runId, 'CATALOG', 'sku,price\nA,11.00\nB,25.00\n');
    expect(refused.payload.upload).to.include({ status: 'FAILED', rowsRejected: 1, rowsInserted: 0 });
    const skipped = await uploadCsv(shop.adminKey, runId, 'CATALOG', 'sku,price\nA,11.00\nB,25.00\n', { errorPolicy: 'SKIP_INVALID_ROWS' });
    expect(skipped.payload.upload).to.include({ status: 'SUCCEEDED', rowsRejected: 1, rowsUpdated: 1, rowsInserted: 0 });
    expect(skipped.payload.upload.rowErrors.map((e: any) => [e.line, e.column, e.value, e.code])).to.deep.equal([[3, 'sku', 'B', 'AMBIGUOUS_SKU']]);
    const rows = await sql(`SELECT item_key, price::text FROM catalog_items WHERE run_id = ? ORDER BY item_key`, [runDbId(runId)]);
    expect(rows).to.deep.equal([
      { item_key: 'v:1', price: '11.0000' },
      { item_key: 'v:2', price: '20.0000' },
      { item_key: 'v:3', price: '21.0000' },
    ]);
  });

  it("a Shopify products file holding only a product's later rows keeps the product's fields", async () => {
    const runId = await createRun(shop.adminKey);
    const header = 'Handle,Title,Vendor,Option1 Name,Option1 Value,Variant SKU,Variant Price,Gift Card,Status\n';
    await uploadCsv(shop.adminKey, runId, 'CATALOG', header + 'card,Gift Card,Shop,Amount,10,GC-10,10.00,true,active\ncard,,,,50,GC-50,50.00,,\n');
    // A price change, filtered in a spreadsheet to the rows that change: the product's first row is not among them.
    const { payload } = await uploadCsv(shop.adminKey, runId, 'CATALOG', header + 'card,,,,50,GC-50,45.00,,\n');
    expect(payload.upload).to.include({ status: 'SUCCEEDED', rowsUpdated: 1 });
    const rows = await sql(`SELECT sku, product_title, vendor, price::text, status, gift_card FROM catalog_items WHERE run_id = ? ORDER BY sku`, [runDbId(runId)]);
    expect(rows).to.deep.equal([
      { sku: 'GC-10', product_title: 'Gift Card', vendor: 'Shop', price: '10.0000', status: 'active', gift_card: true },
      { sku: 'GC-50', product_title: 'Gift Card', vendor: 'Shop', price: '45.0000', status: 'active', gift_card: true },
    ]);
    // The two parts of an export the other way round: the product's first row, uploaded second, completes the rest.
    const reversed = await createRun(shop.adminKey);
    await uploadCsv(shop.adminKey, reversed, 'CATALOG', header + 'hat,,,,M,HAT-M,20.00,,\n');
    await uploadCsv(shop.adminKey, reversed, 'CATALOG', header + 'hat,Hat,Shop,Size,S,HAT-S,20.00,false,archived\n');
    const hats = await sql(`SELECT sku, product_title, status, gift_card FROM catalog_items WHERE run_id = ? ORDER BY sku`, [runDbId(reversed)]);
    expect(hats).to.deep.equal([
      { sku: 'HAT-M', product_title: 'Hat', status: 'archived', gift_card: false },
      { sku: 'HAT-S', product_title: 'Hat', status: 'archived', gift_card: false },
    ]);
  });

  it("a line refused for its quantity still gives its order's fields to the order's lines a sort put before it, as in the export's order", async () => {
    const header = 'order_id,created_at,sku,quantity,currency,cancelled_at\n';
    const refusedLine = '9001,2025-01-01T00:00:00Z,A,x,EUR,2025-01-02T00:00:00Z\n';
    const results = [];
    for (const rows of [['9001,,B,1,,\n', '9002,2025-01-01T00:00:00Z,A,1,EUR,\n', refusedLine], [refusedLine, '9001,,B,1,,\n', '9002,2025-01-01T00:00:00Z,A,1,EUR,\n']]) {
      const runId = await createRun(shop.adminKey);
      const { payload } = await uploadCsv(shop.adminKey, runId, 'ORDERS', header + rows.join(''), { errorPolicy: 'SKIP_INVALID_ROWS' });
      expect(payload.upload.rowErrors.map((e: any) => e.code)).to.deep.equal(['INVALID_NUMBER']);
      results.push(
        await sql(`SELECT order_id, sku, currency, ${utc('created_at')}, ${utc('cancelled_at')} FROM order_lines WHERE run_id = ? ORDER BY order_id, sku`, [runDbId(runId)]),
      );
    }
    expect(results[0]).to.deep.equal([
      { order_id: '9001', sku: 'B', currency: 'EUR', created_at: '2025-01-01T00:00:00Z', cancelled_at: '2025-01-02T00:00:00Z' },
      { order_id: '9002', sku: 'A', currency: 'EUR', created_at: '2025-01-01T00:00:00Z', cancelled_at: null },
    ]);
    expect(results[1]).to.deep.equal(results[0]);
    // Without status or currency columns, its date alone.
    const dateOnly = await createRun(shop.adminKey);
    const { payload } = await uploadCsv(shop.adminKey, dateOnly, 'ORDERS', 'order_id,created_at,sku,quantity\n9001,,B,1\n9002,2025-01-01T00:00:00Z,A,1\n9001,2025-01-01T00:00:00Z,A,x\n', {
      errorPolicy: 'SKIP_INVALID_ROWS',
    });
    expect(payload.upload.rowErrors.map((e: any) => e.code)).to.deep.equal(['INVALID_NUMBER']);
    expect(await sql(`SELECT order_id, sku, ${utc('created_at')} FROM order_lines WHERE run_id = ? ORDER BY order_id`, [runDbId(dateOnly)])).to.deep.equal([
      { order_id: '9001', sku: 'B', created_at: '2025-01-01T00:00:00Z' },
      { order_id: '9002', sku: 'A', created_at: '2025-01-01T00:00:00Z' },
    ]);
  });

  it("dates the lines of a sorted file that leave created_at blank from their order's other lines, in the file or the run", async () => {
    const runId = await createRun(shop.adminKey);
    // Canonical files may give created_at on an order's first line only; sorted by SKU, 3,000 orders' second lines
    // come long after their first, and some before.
    const header = 'order_id,created_at,sku,quantity\n';
    const day = (i: number) => `2025-12-${String(1 + (i % 28)).padStart(2, '0')}T10:00:00Z`;
    const rows = [
      ...Array.from({ length: 3000 }, (_, i) => `${i + 1},${day(i)},B,1\n`),
      ...Array.from({ length: 3000 }, (_, i) => `${i + 1},,C,1\n`),
    ];
    const { payload } = await uploadCsv(shop.adminKey, runId, 'ORDERS', header + '7,,A,1\n' + rows.join(''));
    expect(payload.userErrors).to.deep.equal([]);
    expect(payload.upload).to.include({ status: 'SUCCEEDED', rowsInserted: 6001, rowsRejected: 0 });
    const undated = await sql(
      `SELECT count(*)::int AS n FROM order_lines o WHERE run_id = ?
          AND created_at <> (SELECT min(created_at) FROM order_lines f WHERE f.run_id = o.run_id AND f.order_id = o.order_id AND f.sku = 'B')`,
      [runDbId(runId)],
    );
    expect(undated).to.deep.equal([{ n: 0 }]);
    // A later file's line of an order the run holds takes its date from the run; an order dated nowhere is refused.
    const later = await uploadCsv(shop.adminKey, runId, 'ORDERS', header + '12,,D,1\n99999,,E,1\n', { errorPolicy: 'SKIP_INVALID_ROWS' });
    expect(later.payload.upload).to.include({ status: 'SUCCEEDED', rowsInserted: 1, rowsRejected: 1 });
    expect(later.payload.upload.rowErrors.map((e: any) => [e.line, e.column, e.code])).to.deep.equal([[3, 'created_at', 'MISSING_VALUE']]);
    const dated = await sql(`SELECT sku, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day FROM order_lines WHERE run_id = ? AND order_id = '12' ORDER BY sku`, [runDbId(runId)]);
    expect(dated).to.deep.equal([{ sku: 'B', day: '2025-12-12' }, { sku: 'C', day: '2025-12-12' }, { sku: 'D', day: '2025-12-12' }]);
    const refused = await uploadCsv(shop.adminKey, runId, 'ORDERS', header + '99999,,E,1\n');
    expect(refused.payload.upload).to.include({ status: 'FAILED', rowsRejected: 1, rowsWritten: 0 });
  });

  it('a dry run reports what would be inserted and updated and writes nothing', async () => {
    const runId = await createRun(shop.adminKey);
    await uploadCsv(shop.adminKey, runId, 'ORDERS', LINES + line(1, 1, 'A'));
    const dry = await uploadCsv(shop.adminKey, runId, 'ORDERS', LINES + line(1, 1, 'A', 9) + line(2, 2, 'B'), { dryRun: true });
    expect(dry.payload.userErrors).to.deep.equal([]);
    expect(dry.payload.upload).to.include({ status: 'SUCCEEDED', dryRun: true, rowsInserted: 1, rowsUpdated: 1, rowsWritten: 0 });
    expect(await sql('SELECT order_id, quantity FROM order_lines WHERE run_id = ?', [runDbId(runId)])).to.deep.equal([{ order_id: '1', quantity: 1 }]);
    const firstDry = await uploadCsv(shop.adminKey, await createRun(shop.adminKey), 'CATALOG', 'shopify-products-b.csv', { dryRun: true });
    expect(firstDry.payload.upload).to.include({ status: 'SUCCEEDED', rowsInserted: 5, rowsWritten: 0 });
  });

  it('wait: false answers at once; upload(id) shows progress until SUCCEEDED', async () => {
    const runId = await createRun(shop.adminKey);
    let body = LINES;
    for (let i = 1; i <= 3000; i++) body += line(i, i, `SKU-${i % 50}`);
    const half = body.indexOf('\n', body.length / 2) + 1;
    const { response, sent } = gqlUploadInPieces(
      `mutation($runId: ID!, $file: Upload!) { csvUpload(runId: $runId, kind: ORDERS, file: $file, options: { wait: false }) { upload { id status } userErrors { code } } }`,
      { runId, file: null },
      'file',
      [body.slice(0, half), body.slice(half)],
      2500,
      shop.adminKey,
    );
    const answered = await response;
    expect(answered.body.data.csvUpload.upload.status).to.equal('PROCESSING');
    const uploadId = answered.body.data.csvUpload.upload.id;
    const seen: { status: string; rowsRead: number; bytesRead: number }[] = [];
    const poll = async () => ok(await gql(`query($id: ID!) { upload(id: $id) { status rowsRead bytesRead } }`, { id: uploadId }, { key: shop.adminKey })).upload;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    seen.push(await poll());
    await sent;
    for (let i = 0; i < 100; i++) {
      const state = await poll();
      seen.push(state);
      if (state.status !== 'PROCESSING') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(seen[0].status).to.equal('PROCESSING');
    expect(seen[0].rowsRead).to.be.greaterThan(0).and.lessThan(3000);
    expect(seen[0].bytesRead).to.be.greaterThan(0).and.lessThan(Buffer.byteLength(body));
    expect(seen[seen.length - 1]).to.deep.equal({ status: 'SUCCEEDED', rowsRead: 3000, bytesRead: Buffer.byteLength(body) });
  });

  it('wait: false, then the client goes away in the middle of the file: FAILED, nothing written, the run free for the next upload', async () => {
    const runId = await createRun(shop.adminKey);
    let body = LINES;
    for (let i = 1; i <= 3000; i++) body += line(i, i, `SKU-${i % 50}`);
    const half = body.indexOf('\n', body.length / 2) + 1;
    let answered: { status: number; body: any } | undefined;
    const upload = gqlUploadInPieces(
      `mutation($runId: ID!, $file: Upload!) { csvUpload(runId: $runId, kind: ORDERS, file: $file, options: { wait: false }) { upload { id status } } }`,
      { runId, file: null },
      'file',
      [body.slice(0, half), body.slice(half)],
      async () => {
        await new Promise((resolve) => setImmediate(resolve));
        answered = await upload.response;
        upload.abort();
        await new Promise((resolve) => setTimeout(resolve, 100));
      },
      shop.adminKey,
    );
    await upload.sent.catch(() => undefined);
    expect(answered!.body.data.csvUpload.upload.status).to.equal('PROCESSING');
    const poll = async () =>
      ok(await gql(`query($id: ID!) { upload(id: $id) { status rowsWritten failure { code } } }`, { id: answered!.body.data.csvUpload.upload.id }, { key: shop.adminKey })).upload;
    let state = await poll();
    for (let i = 0; i < 100 && state.status === 'PROCESSING'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      state = await poll();
    }
    expect(state).to.deep.equal({ status: 'FAILED', rowsWritten: 0, failure: { code: 'UPLOAD_ABORTED' } });
    expect(await sql('SELECT count(*)::int AS n FROM order_lines WHERE run_id = ?', [runDbId(runId)])).to.deep.equal([{ n: 0 }]);
    const next = await uploadCsv(shop.adminKey, runId, 'ORDERS', LINES + line(1, 1, 'A'));
    expect(next.payload.upload).to.include({ status: 'SUCCEEDED', rowsInserted: 1 });
  });

  it('runUpload creates a run and ingests four files in parallel', async () => {
    const response = await gqlUpload(
      `mutation($input: RunUploadInput!) { runUpload(input: $input) {
        run { id name readiness { hasOrders hasVariants hasCatalog hasInventory canGenerateBundles missing } }
        uploads { kind status format rowsInserted }
        userErrors { field code message } } }`,
      { input: { name: 'December', orders: null, variants: null, catalog: null, inventory: null } },
      [
        { variable: 'input.orders', filename: 'orders.csv', content: fixture('shopify-orders.csv') },
        { variable: 'input.variants', filename: 'variants.csv', content: fixture('canonical-variants.csv') },
        { variable: 'input.catalog', filename: 'products.csv', content: fixture('shopify-products-b.csv') },
        { variable: 'input.inventory', filename: 'inventory.csv', content: fixture('shopify-inventory-newer.csv') },
      ],
      { key: shop.adminKey },
    );
    const payload = ok(response).runUpload;
    expect(payload.userErrors).to.deep.equal([]);
    expect(payload.run.name).to.equal('December');
    expect(payload.run.readiness).to.deep.equal({ hasOrders: true, hasVariants: true, hasCatalog: true, hasInventory: true, canGenerateBundles: true, missing: [] });
    expect(payload.uploads).to.deep.equal([
      { kind: 'ORDERS', status: 'SUCCEEDED', format: 'shopify-orders', rowsInserted: 5 },
      { kind: 'VARIANTS', status: 'SUCCEEDED', format: 'canonical', rowsInserted: 2 },
      { kind: 'CATALOG', status: 'SUCCEEDED', format: 'shopify-products', rowsInserted: 5 },
      { kind: 'INVENTORY', status: 'SUCCEEDED', format: 'shopify-inventory', rowsInserted: 4 },
    ]);
  });

  it('runUpload reports a failed file by its input field and keeps the others', async () => {
    const response = await gqlUpload(
      `mutation($input: RunUploadInput!) { runUpload(input: $input) { run { id readiness { canGenerateBundles missing message } } uploads { kind status } userErrors { field code } } }`,
      { input: { name: 'partial', orders: null, inventory: null } },
      [
        { variable: 'input.orders', filename: 'orders.csv', content: fixture('shopify-orders.csv') },
        { variable: 'input.inventory', filename: 'inventory.csv', content: 'nothing,useful\n1,2\n' },
      ],
      { key: shop.adminKey },
    );
    const payload = ok(response).runUpload;
    expect(payload.userErrors).to.deep.equal([{ field: ['input', 'inventory'], code: 'MISSING_COLUMNS' }]);
    expect(payload.uploads).to.deep.equal([{ kind: 'ORDERS', status: 'SUCCEEDED' }, { kind: 'INVENTORY', status: 'FAILED' }]);
    expect(payload.run.readiness.canGenerateBundles).to.equal(false);
    expect(payload.run.readiness.missing).to.deep.equal(['VARIANTS', 'CATALOG']);
    expect(payload.run.readiness.message).to.match(/variants or catalog/);
  });

  it('marks an upload left PROCESSING by a dead server as FAILED (INTERRUPTED) when a server starts', async () => {
    const runId = await createRun(shop.adminKey);
    const [row] = await sql(
      `INSERT INTO csv_uploads (shop_id, run_id, kind, filename, status, heartbeat_at, started_at)
       VALUES (?, ?, 'ORDERS', 'orders.csv', 'PROCESSING', now() - interval '1 hour', now() - interval '1 hour') RETURNING id`,
      [shop.id, runDbId(runId)],
    );
    const second = await startServer(loadConfig({ env: 'test', port: 0, host: '127.0.0.1', databaseUrl: getHarness().databaseUrl }), createLogger('silent'));
    await second.stop();
    const upload = ok(await gql(`query($id: ID!) { upload(id: $id) { status failure { code message } finishedAt } }`, { id: `gid://bundlegraph/CsvUpload/${row.id}` }, { key: shop.adminKey })).upload;
    expect(upload.status).to.equal('FAILED');
    expect(upload.failure.code).to.equal('INTERRUPTED');
    expect(upload.finishedAt).to.be.a('string');
  });

  it('gives up an upload whose client stops sending, and lets a shop stream only so many at once, the others waiting their turn', async () => {
    const limited = await startServer(
      loadConfig({ env: 'test', port: 0, host: '127.0.0.1', databaseUrl: getHarness().databaseUrl, uploadIdleTimeoutMs: 500, uploadMinBytesPerSecond: 0, maxConcurrentUploadsPerShop: 1 }),
      createLogger('silent'),
    );
    try {
      const mutation = `mutation($runId: ID!, $file: Upload!) { csvUpload(runId: $runId, kind: ORDERS, file: $file) { upload { status rowsWritten finishedAt } userErrors { code message } } }`;
      const stalled = await createRun(shop.adminKey);
      const stall = gqlUploadInPieces(mutation, { runId: stalled, file: null }, 'file', [LINES + line(1, 1, 'A'), line(2, 2, 'B')], 2000, shop.adminKey, limited.url);
      const given = (await stall.response).body.data.csvUpload;
      await stall.sent.catch(() => undefined);
      expect(given.upload).to.include({ status: 'FAILED', rowsWritten: 0 });
      expect(given.userErrors[0].code).to.equal('UPLOAD_ABORTED');
      expect(given.userErrors[0].message).to.match(/no data arrived for 1 s/);
      // A file sent once for two variables: both uploads are given up alike, and the request is answered.
      const shared = gqlUploadInPieces(
        'mutation($input: RunUploadInput!) { runUpload(input: $input) { uploads { kind status } userErrors { field code } } }',
        { input: { name: 'shared and stalled', orders: null, variants: null } },
        ['input.orders', 'input.variants'],
        [LINES + line(1, 1, 'A'), line(2, 2, 'B')],
        2000,
        shop.adminKey,
        limited.url,
      );
      const both = (await shared.response).body.data.runUpload;
      await shared.sent.catch(() => undefined);
      expect(both.userErrors).to.deep.equal([
        { field: ['input', 'orders'], code: 'UPLOAD_ABORTED' },
        { field: ['input', 'variants'], code: 'UPLOAD_ABORTED' },
      ]);
      expect(fs.readdirSync(os.tmpdir()).filter((name) => name.startsWith('bundlegraph-upload-'))).to.deep.equal([]);
      // One upload at a time for the shop: the second starts once the first, slow but steady, is done.
      const [slow, quick] = [await createRun(shop.adminKey), await createRun(shop.adminKey)];
      const first = gqlUploadInPieces(mutation, { runId: slow, file: null }, 'file', [LINES + line(1, 1, 'A'), line(2, 2, 'B'), line(3, 3, 'C')], 300, shop.adminKey, limited.url);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const second = gqlUploadInPieces(mutation, { runId: quick, file: null }, 'file', [LINES + line(1, 1, 'A')], 0, shop.adminKey, limited.url);
      const [a, b] = await Promise.all([first.response, second.response]);
      expect([a.body.data.csvUpload.upload.status, b.body.data.csvUpload.upload.status]).to.deep.equal(['SUCCEEDED', 'SUCCEEDED']);
      expect(Date.parse(b.body.data.csvUpload.upload.finishedAt)).to.be.at.least(Date.parse(a.body.data.csvUpload.upload.finishedAt));
      // Another shop does not wait for this one.
      const other = await createShop('other-uploads');
      const blocked = gqlUploadInPieces(mutation, { runId: await createRun(shop.adminKey), file: null }, 'file', [LINES + line(1, 1, 'A'), line(2, 2, 'B')], 400, shop.adminKey, limited.url);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const own = gqlUploadInPieces(mutation, { runId: await createRun(other.adminKey), file: null }, 'file', [LINES + line(1, 1, 'A')], 0, other.adminKey, limited.url);
      const [c, d] = await Promise.all([blocked.response, own.response]);
      expect(Date.parse(d.body.data.csvUpload.upload.finishedAt)).to.be.below(Date.parse(c.body.data.csvUpload.upload.finishedAt));
    } finally {
      await limited.stop();
    }
  });

  it('gives up an upload whose client trickles bytes slower than the minimum rate', async () => {
    const strict = await startServer(
      loadConfig({ env: 'test', port: 0, host: '127.0.0.1', databaseUrl: getHarness().databaseUrl, uploadIdleTimeoutMs: 500, uploadMinBytesPerSecond: 1024 }),
      createLogger('silent'),
    );
    try {
      const mutation = `mutation($runId: ID!, $file: Upload!) { csvUpload(runId: $runId, kind: ORDERS, file: $file) { upload { status rowsWritten } userErrors { code message } } }`;
      // A line every 50 ms: never idle, but about 500 bytes a second.
      const lines = Array.from({ length: 40 }, (_, i) => line(i + 1, i + 1, `SKU-${i}`));
      const trickle = gqlUploadInPieces(mutation, { runId: await createRun(shop.adminKey), file: null }, 'file', [LINES, ...lines], 50, shop.adminKey, strict.url);
      const given = (await trickle.response).body.data.csvUpload;
      await trickle.sent.catch(() => undefined);
      expect(given.upload).to.include({ status: 'FAILED', rowsWritten: 0 });
      expect(given.userErrors[0].code).to.equal('UPLOAD_ABORTED');
      expect(given.userErrors[0].message).to.match(/^The upload stopped: only \d+ bytes arrived in 1 s, under the minimum of 1024 bytes a second, from the client/);
      // The same file at once is taken.
      const whole = gqlUploadInPieces(mutation, { runId: await createRun(shop.adminKey), file: null }, 'file', [LINES + lines.join('')], 0, shop.adminKey, strict.url);
      expect((await whole.response).body.data.csvUpload.upload).to.include({ status: 'SUCCEEDED', rowsWritten: 40 });
    } finally {
      await strict.stop();
    }
  });

  it('a server that stops while a file is still coming ends the upload and records it INTERRUPTED before it goes', async () => {
    const stopping = await startServer(
      loadConfig({ env: 'test', port: 0, host: '127.0.0.1', databaseUrl: getHarness().databaseUrl, shutdownGraceMs: 200 }),
      createLogger('silent'),
    );
    const runId = await createRun(shop.adminKey);
    const upload = gqlUploadInPieces(
      `mutation($runId: ID!, $file: Upload!) { csvUpload(runId: $runId, kind: ORDERS, file: $file, options: { wait: false }) { upload { id status } } }`,
      { runId, file: null },
      'file',
      [LINES + line(1, 1, 'A'), line(2, 2, 'B')],
      5000,
      shop.adminKey,
      stopping.url,
    );
    const answered = await upload.response;
    expect(answered.body.data.csvUpload.upload.status).to.equal('PROCESSING');
    await stopping.stop();
    await upload.sent.catch(() => undefined);
    const state = ok(await gql(`query($id: ID!) { upload(id: $id) { status rowsWritten failure { code } } }`, { id: answered.body.data.csvUpload.upload.id }, { key: shop.adminKey })).upload;
    expect(state).to.deep.equal({ status: 'FAILED', rowsWritten: 0, failure: { code: 'INTERRUPTED' } });
    expect(await sql('SELECT count(*)::int AS n FROM order_lines WHERE run_id = ?', [runDbId(runId)])).to.deep.equal([{ n: 0 }]);
  });

  it('refuses a file over the size limit with FILE_TOO_LARGE, writes nothing, and keeps serving', async () => {
    // Cut off before the mutation runs (the whole file is in the parser's first read), or while it streams.
    const cases = [
      { limit: 2048, lines: 500 },
      { limit: 2048, lines: 100_000 },
      { limit: 200_000, lines: 12_000 },
      { limit: 200_000, lines: 100_000 },
    ];
    for (const limit of new Set(cases.map((c) => c.limit))) {
      const small = await startServer(
        loadConfig({ env: 'test', port: 0, host: '127.0.0.1', databaseUrl: getHarness().databaseUrl, maxUploadBytes: limit }),
        createLogger('silent'),
      );
      try {
        for (const { lines } of cases.filter((c) => c.limit === limit)) {
          const runId = await createRun(shop.adminKey);
          let body = LINES;
          for (let i = 1; i <= lines; i++) body += line(i, i, 'A');
          expect(body.length).to.be.greaterThan(limit);
          const form = new FormData();
          form.append('operations', JSON.stringify({ query: `mutation($r: ID!, $f: Upload!) { csvUpload(runId: $r, kind: ORDERS, file: $f) { upload { ${UPLOAD_FIELDS} } userErrors { code message } } }`, variables: { r: runId, f: null } }));
          form.append('map', JSON.stringify({ 0: ['variables.f'] }));
          form.append('0', new Blob([body]), 'big.csv');
          const response = await fetch(small.url, { method: 'POST', body: form, headers: { 'apollo-require-preflight': 'true', authorization: `Bearer ${shop.adminKey}` } });
          const result: any = await response.json();
          if (!result.data) throw new Error(JSON.stringify(result));
          expect(result.data.csvUpload.userErrors.map((e: any) => e.code), `${lines} lines over ${limit} bytes`).to.deep.equal(['FILE_TOO_LARGE']);
          expect(result.data.csvUpload.upload.status).to.equal('FAILED');
          expect((await sql('SELECT count(*)::int AS n FROM order_lines WHERE run_id = ?', [runDbId(runId)]))[0].n).to.equal(0);
          // The run is not left locked: the next upload into it goes through.
          const next = await uploadCsv(shop.adminKey, runId, 'ORDERS', LINES + line(1, 1, 'A'));
          expect(next.payload.upload.status).to.equal('SUCCEEDED');
        }
        // One file over the limit sent once for two variables: each upload says so, and no copy of it is left.
        {
          let body = LINES;
          for (let i = 1; i <= 100_000; i++) body += line(i, i, 'A');
          const form = new FormData();
          form.append('operations', JSON.stringify({ query: 'mutation($input: RunUploadInput!) { runUpload(input: $input) { uploads { kind status } userErrors { field code } } }', variables: { input: { name: 'shared and too large', orders: null, variants: null } } }));
          form.append('map', JSON.stringify({ 0: ['variables.input.orders', 'variables.input.variants'] }));
          form.append('0', new Blob([body]), 'big.csv');
          const response = await fetch(small.url, { method: 'POST', body: form, headers: { 'apollo-require-preflight': 'true', authorization: `Bearer ${shop.adminKey}` } });
          const result: any = await response.json();
          if (!result.data) throw new Error(JSON.stringify(result));
          expect(result.data.runUpload.userErrors, `shared over ${limit} bytes`).to.deep.equal([
            { field: ['input', 'orders'], code: 'FILE_TOO_LARGE' },
            { field: ['input', 'variants'], code: 'FILE_TOO_LARGE' },
          ]);
          expect(fs.readdirSync(os.tmpdir()).filter((name) => name.startsWith('bundlegraph-upload-'))).to.deep.equal([]);
        }
        // A file of exactly the limit is accepted.
        let rows = '';
        for (let i = 1; Buffer.byteLength(LINES + rows + line(i, i, 'A')) <= limit; i++) rows += line(i, i, 'A');
        const padded = LINES.replace('quantity\n', 'quantity' + ' '.repeat(limit - Buffer.byteLength(LINES + rows)) + '\n') + rows;
        expect(Buffer.byteLength(padded)).to.equal(limit);
        const form = new FormData();
        form.append('operations', JSON.stringify({ query: `mutation($r: ID!, $f: Upload!) { csvUpload(runId: $r, kind: ORDERS, file: $f) { upload { status bytesRead } } }`, variables: { r: await createRun(shop.adminKey), f: null } }));
        form.append('map', JSON.stringify({ 0: ['variables.f'] }));
        form.append('0', new Blob([padded]), 'exact.csv');
        const atLimit: any = await (await fetch(small.url, { method: 'POST', body: form, headers: { 'apollo-require-preflight': 'true', authorization: `Bearer ${shop.adminKey}` } })).json();
        expect(atLimit.data.csvUpload.upload).to.deep.equal({ status: 'SUCCEEDED', bytesRead: limit });
        const still = await fetch(small.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${shop.adminKey}` }, body: JSON.stringify({ query: '{ shop { id } }' }) });
        expect(still.status).to.equal(200);
      } finally {
        await small.stop();
      }
    }
  });

  it('READ keys cannot upload; another shop can neither upload into a run nor read its uploads', async () => {
    const runId = await createRun(shop.adminKey);
    const mine = await uploadCsv(shop.adminKey, runId, 'ORDERS', LINES + line(1, 1, 'A'));
    const readKey = await shop.readKey();
    const refused = await uploadCsv(readKey, runId, 'ORDERS', LINES + line(1, 1, 'A'));
    expect(refused.errors?.[0].extensions?.code).to.equal('FORBIDDEN');
    const other = await createShop('other');
    const foreign = await uploadCsv(other.adminKey, runId, 'ORDERS', LINES + line(1, 1, 'B'));
    expect(foreign.payload.userErrors).to.deep.equal([{ field: ['runId'], code: 'NOT_FOUND', message: 'No run with this id in this shop.' }]);
    expect(foreign.payload.upload).to.equal(null);
    const peek = ok(await gql('query($id: ID!) { upload(id: $id) { id } node(id: $id) { id } }', { id: mine.payload.upload.id }, { key: other.adminKey }));
    expect(peek).to.deep.equal({ upload: null, node: null });
    expect((await sql('SELECT sku FROM order_lines WHERE run_id = ?', [runDbId(runId)])).map((r) => r.sku)).to.deep.equal(['A']);
  });

  it('npx bundlegraph ingest runs the same pipeline', async () => {
    const runId = await createRun(shop.adminKey);
    const bin = path.resolve(__dirname, '..', '..', '..', 'bin', 'bundlegraph.js');
    const file = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'ingest', 'shopify-orders.csv');
    const { stdout } = await promisify(execFile)(process.execPath, [bin, 'ingest', '--shop', shop.domain, '--run', runId, '--kind', 'ORDERS', file], {
      env: { ...process.env, DATABASE_URL: getHarness().databaseUrl, LOG_LEVEL: 'silent' },
    });
    const printed = JSON.parse(stdout);
    expect(printed.userErrors).to.deep.equal([]);
    expect(printed.upload).to.include({ status: 'SUCCEEDED', format: 'shopify-orders', rowsInserted: 5, filename: 'shopify-orders.csv' });
    expect((await sql('SELECT count(*)::int AS n FROM order_lines WHERE run_id = ?', [runDbId(runId)]))[0].n).to.equal(5);
  });
});
