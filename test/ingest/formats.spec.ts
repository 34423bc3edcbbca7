import { expect } from 'chai';
import { createRun, createShop, type TestShop } from '../helpers/shop';
import { SHOPIFY_ORDERS_HEADER } from '../../src/ingest/csv/layouts';
import { runDbId, sql, uploadCsv, utc } from '../helpers/ingest';

describe('ingestion: every layout through the HTTP endpoint', () => {
  let shop: TestShop;
  before(async () => {
    shop = await createShop('formats');
  });

  it('canonical orders with GraphQL-export names, BOM and CRLF: ids normalised, order fields carried forward', async () => {
    const runId = await createRun(shop.adminKey);
    const { payload } = await uploadCsv(shop.adminKey, runId, 'ORDERS', 'canonical-orders.csv');
    expect(payload.userErrors).to.deep.equal([]);
    expect(payload.upload).to.include({ status: 'SUCCEEDED', format: 'canonical', kind: 'ORDERS', rowsRead: 4, rowsInserted: 4, rowsUpdated: 0, rowsWritten: 4, rowsRejected: 0 });
    const rows = await sql(
      `SELECT order_id, line_key, line, variant_id, product_id, sku, quantity, price::text, discounted_total::text, title, financial_status,
              currency, ${utc('created_at')}, ${utc('cancelled_at')} FROM order_lines WHERE run_id = ? ORDER BY line`,
      [runDbId(runId)],
    );
    expect(rows.map((r) => [r.order_id, r.line_key, r.line, r.variant_id, r.sku, r.quantity, r.price])).to.deep.equal([
      ['1001', '11', 2, '501', 'TEE-BLK-M', 2, '19.9900'],
      ['1001', '12', 3, '502', 'MUG-01', 1, '12.5000'],
      ['1002', '21', 4, '502', 'MUG-01', 3, '12.5000'],
      ['1003', '31', 5, null, 'CAP-RED', 1, '15.0000'],
    ]);
    // The second line of #1001 has no order-level fields of its own.
    expect(rows[1].created_at).to.equal('2025-11-03T10:15:00Z');
    expect([rows[1].financial_status, rows[1].currency]).to.deep.equal(['paid', 'USD']);
    expect(rows[2].created_at).to.equal('2025-11-04T13:00:00Z');
    expect(rows[2].cancelled_at).to.equal('2025-11-05T08:00:00Z');
    expect(rows[3].created_at).to.equal('2025-11-05T06:30:00Z');
    expect(rows[0].title).to.equal('Tee Black M');
  });

  it('Shopify orders export: lines by Name, order fields carried forward, nothing personal stored', async () => {
    const runId = await createRun(shop.adminKey);
    const { payload } = await uploadCsv(shop.adminKey, runId, 'ORDERS', 'shopify-orders.csv');
    expect(payload.userErrors).to.deep.equal([]);
    expect(payload.upload).to.include({ status: 'SUCCEEDED', format: 'shopify-orders', rowsRead: 5, rowsInserted: 5 });
    const rows = await sql(
      `SELECT order_id, line_key, line, sku, quantity, price::text, financial_status, currency, ${utc('created_at')}, ${utc('cancelled_at')}, vendor
         FROM order_lines WHERE run_id = ? ORDER BY line`,
      [runDbId(runId)],
    );
    expect(rows.map((r) => [r.order_id, r.line_key, r.line, r.sku, r.quantity, r.financial_status, r.currency])).to.deep.equal([
      ['#1060', '#s:TEE-BLK-M', 2, 'TEE-BLK-M', 2, 'paid', 'USD'],
      ['#1060', '#s:MUG-01', 4, 'MUG-01', 1, 'paid', 'USD'],
      ['#1061', '#s:CAP-RED', 5, 'CAP-RED', 1, 'voided', 'EUR'],
      ['#1062', '#t:Gift wrapping', 6, null, 1, 'partially_refunded', 'USD'],
      ['#1062', '#s:MUG-01', 7, 'MUG-01', 5, 'partially_refunded', 'USD'],
    ]);
    expect(rows[0].created_at).to.equal('2025-12-07T23:08:25Z');
    expect(rows[2].cancelled_at).to.equal('2025-12-08T08:00:00Z');
    const everything = JSON.stringify(await sql('SELECT * FROM order_lines WHERE run_id = ?', [runDbId(runId)]));
    for (const personal of ['ada@example.test', 'Ada Example', '1 Test Way', '555 0100', 'Leave at the door', 'Testville']) {
      expect(everything).to.not.include(personal);
    }
  });

  it("says which column each header cell is read as, and which it does not read", async () => {
    const runId = await createRun(shop.adminKey);
    const { payload } = await uploadCsv(shop.adminKey, runId, 'ORDERS', 'Order ID,Created At,Line Item SKU,Line Item Quantity,Variant ID,Price (USD)\n1001,2025-12-07,A,1,111,2.00\n');
    expect(payload.upload).to.include({ status: 'SUCCEEDED', format: 'canonical', layout: 'canonical-orders' });
    expect(payload.upload.columns).to.deep.equal([
      { name: 'Order ID', field: 'order_id' },
      { name: 'Created At', field: 'created_at' },
      { name: 'Line Item SKU', field: 'sku' },
      { name: 'Line Item Quantity', field: 'quantity' },
      { name: 'Variant ID', field: 'variant_id' },
      { name: 'Price (USD)', field: null },
    ]);
    // A header that matches no layout lists its columns as the layout it comes nearest to reads them: the misspelt
    // one shows unread.
    const refused = await uploadCsv(shop.adminKey, runId, 'ORDERS', 'ordr_id,created_at,sku,quantity\n1,2025-12-07,A,1\n', { dryRun: true });
    expect(refused.payload.upload).to.include({ status: 'FAILED', layout: null, format: 'canonical' });
    expect(refused.payload.userErrors[0].code).to.equal('MISSING_COLUMNS');
    expect(refused.payload.upload.columns).to.deep.equal([
      { name: 'ordr_id', field: null },
      { name: 'created_at', field: 'created_at' },
      { name: 'sku', field: 'sku' },
      { name: 'quantity', field: 'quantity' },
    ]);
    // A file refused before any header says nothing of columns.
    const empty = await uploadCsv(shop.adminKey, runId, 'ORDERS', '');
    expect(empty.payload.upload.columns).to.deep.equal([]);
  });

  it('Shopify orders export sorted by SKU: lines of split orders get the order fields of their first line', async () => {
    const row = (cells: Record<string, string>) => SHOPIFY_ORDERS_HEADER.map((h) => cells[h] ?? '').join(',');
    const first = (name: string, status: string, currency: string, sku: string, cancelled = '') =>
      row({ Name: name, 'Financial Status': status, Currency: currency, 'Created at': '2025-12-07 19:08:25 -0400', 'Cancelled at': cancelled, 'Lineitem quantity': '1', 'Lineitem sku': sku, Id: '5123456789012' });
    const later = (name: string, sku: string) => row({ Name: name, 'Created at': '2025-12-07 19:08:25 -0400', 'Lineitem quantity': '2', 'Lineitem sku': sku });
    const csv = [
      SHOPIFY_ORDERS_HEADER.join(','),
      first('#2001', 'paid', 'EUR', 'A'),
      first('#2002', 'voided', 'USD', 'B', '2025-12-08 09:00:00 +0100'),
      later('#2001', 'C'),
      later('#2002', 'D'),
      first('#2003', 'pending', 'GBP', 'E'),
      // Shopify repeats Created at on later lines only "usually": a reappearing order keeps its first stretch's.
      row({ Name: '#2001', 'Lineitem quantity': '2', 'Lineitem sku': 'F' }),
    ].join('\n');
    const runId = await createRun(shop.adminKey);
    const { payload } = await uploadCsv(shop.adminKey, runId, 'ORDERS', csv);
    expect(payload.userErrors).to.deep.equal([]);
    expect(payload.upload).to.include({ status: 'SUCCEEDED', rowsInserted: 6 });
    const rows = await sql(
      `SELECT order_id, line_key, sku, financial_status, currency, ${utc('cancelled_at')}, ${utc('created_at')} FROM order_lines WHERE run_id = ? ORDER BY line`,
      [runDbId(runId)],
    );
    expect(rows.map((r) => [r.order_id, r.line_key, r.sku, r.financial_status, r.currency, r.cancelled_at])).to.deep.equal([
      ['#2001', '#s:A', 'A', 'paid', 'EUR', null],
      ['#2002', '#s:B', 'B', 'voided', 'USD', '2025-12-08T08:00:00Z'],
      ['#2001', '#s:C', 'C', 'paid', 'EUR', null],
      ['#2002', '#s:D', 'D', 'voided', 'USD', '2025-12-08T08:00:00Z'],
      ['#2003', '#s:E', 'E', 'pending', 'GBP', null],
      ['#2001', '#s:F', 'F', 'paid', 'EUR', null],
    ]);
    expect(new Set(rows.map((r) => r.created_at))).to.deep.equal(new Set(['2025-12-07T23:08:25Z']));

    // Into a run that has orders already, the file is staged and merged: the same result.
    const { payload: again } = await uploadCsv(shop.adminKey, runId, 'ORDERS', csv);
    expect(again.upload).to.include({ status: 'SUCCEEDED', rowsInserted: 0, rowsUpdated: 6 });
    const after = await sql(`SELECT count(*)::int AS n FROM order_lines WHERE run_id = ? AND (financial_status IS NULL OR currency IS NULL)`, [runDbId(runId)]);
    expect(after[0].n).to.equal(0);
  });

  it("Shopify products export sorted by SKU: a product's rows away from its first get its title, status and gift card flag; unpublished is not active", async () => {
    const header = 'Handle,Title,Vendor,Type,Tags,Published,Option1 Name,Option1 Value,Variant SKU,Variant Price,Gift Card,Status';
    const csv = [
      header,
      'gift-card,Gift Card,Shop,Card,,true,Amount,10,AGC-10,10.00,true,active',
      'old-tee,Old Tee,Northwind,Shirts,retro,true,Size,S,AOLD-S,15.00,false,archived',
      'tee,Classic Tee,Northwind,Shirts,,true,Size,S,TEE-S,19.99,false,active',
      // Hidden from the online store: not offered there, whatever its status.
      'hidden,Hidden Mug,Northwind,Mugs,,false,Title,Default Title,HID-1,9.00,false,active',
      // The rest of each product, sorted away from its first row by SKU.
      'old-tee,,,,,,,M,OLD-M,15.00,,',
      'tee,,,,,,,M,TEE-M,19.99,,',
      'gift-card,,,,,,,100,ZGC-100,100.00,,',
    ].join('\n') + '\n';
    // The rows of a product may also come before its first: every row of the file after a header of the same kind.
    const [head, ...rest] = csv.trim().split('\n');
    const before = await uploadCsv(shop.adminKey, await createRun(shop.adminKey), 'CATALOG', [head, ...rest.reverse()].join('\n') + '\n');
    expect(before.payload.upload).to.include({ status: 'SUCCEEDED', rowsInserted: 7 });
    const reversed = await sql(`SELECT sku, product_title, status, gift_card FROM catalog_items WHERE upload_id = ? ORDER BY sku`, [before.payload.upload.id.split('/').pop()]);
    expect(reversed.filter((r) => r.product_title === null || r.status === null || r.gift_card === null)).to.deep.equal([]);
    const runId = await createRun(shop.adminKey);
    const { payload } = await uploadCsv(shop.adminKey, runId, 'CATALOG', csv);
    expect(payload.upload).to.include({ status: 'SUCCEEDED', rowsInserted: 7 });
    const rows = await sql(`SELECT sku, product_title, vendor, product_type, status, gift_card FROM catalog_items WHERE run_id = ? ORDER BY sku`, [runDbId(runId)]);
    expect(rows.map((r) => [r.sku, r.product_title, r.vendor, r.product_type, r.status, r.gift_card])).to.deep.equal([
      ['AGC-10', 'Gift Card', 'Shop', 'Card', 'active', true],
      ['AOLD-S', 'Old Tee', 'Northwind', 'Shirts', 'archived', false],
      ['HID-1', 'Hidden Mug', 'Northwind', 'Mugs', 'unpublished', false],
      ['OLD-M', 'Old Tee', 'Northwind', 'Shirts', 'archived', false],
      ['TEE-M', 'Classic Tee', 'Northwind', 'Shirts', 'active', false],
      ['TEE-S', 'Classic Tee', 'Northwind', 'Shirts', 'active', false],
      ['ZGC-100', 'Gift Card', 'Shop', 'Card', 'active', true],
    ]);
  });

  for (const kind of ['CATALOG', 'VARIANTS']) {
    it(`Shopify products export (layout B) as ${kind}: product fields carried to variants, image rows skipped`, async () => {
      const runId = await createRun(shop.adminKey);
      const { payload } = await uploadCsv(shop.adminKey, runId, kind, 'shopify-products-b.csv');
      expect(payload.userErrors).to.deep.equal([]);
      expect(payload.upload).to.include({ status: 'SUCCEEDED', format: 'shopify-products', rowsInserted: 5, rowsRejected: 0, rowsSkipped: 1 });
      const table = kind === 'CATALOG' ? 'catalog_items' : 'variants';
      const rows = await sql(
        `SELECT item_key, handle, sku, barcode, product_title, option1, option2, vendor, product_type, tags, status, price::text,
                compare_at_price::text, available_total, inventory_tracked, inventory_policy, gift_card
           FROM ${table} WHERE run_id = ? ORDER BY line`,
        [runDbId(runId)],
      );
      expect(rows.map((r) => r.item_key)).to.deep.equal(['h:tee/Black/M/', 'h:tee/Black/L/', 'h:mug/Default Title//', 'h:gift-card/$25//', 'h:cap/Red//']);
      const [black, large, mug, gift, cap] = rows;
      expect(black).to.include({ product_title: 'Classic Tee', vendor: 'Northwind', product_type: 'Shirts', status: 'active', barcode: '7350177880121', available_total: 7, inventory_tracked: true, inventory_policy: 'deny', gift_card: false });
      expect(large).to.include({ handle: 'tee', product_title: 'Classic Tee', vendor: 'Northwind', tags: 'cotton, summer', status: 'active', option1: 'Black', option2: 'L', price: '19.9900', available_total: 0, inventory_policy: 'continue' });
      expect(mug).to.include({ option1: 'Default Title', inventory_tracked: false, available_total: null });
      expect(gift).to.include({ gift_card: true, sku: null, price: '25.0000' });
      expect(cap).to.include({ status: 'draft', available_total: -2 });
    });
  }

  it('Shopify inventory export, newer layout: "not stocked" is a state, negatives are valid, "" is empty', async () => {
    const runId = await createRun(shop.adminKey);
    const { payload } = await uploadCsv(shop.adminKey, runId, 'INVENTORY', 'shopify-inventory-newer.csv');
    expect(payload.userErrors).to.deep.equal([]);
    expect(payload.upload).to.include({ status: 'SUCCEEDED', format: 'shopify-inventory', rowsInserted: 4 });
    const rows = await sql(
      'SELECT item_key, location_key, sku, stocked, available, on_hand, committed, incoming FROM inventory_levels WHERE run_id = ? ORDER BY line',
      [runDbId(runId)],
    );
    expect(rows).to.deep.equal([
      { item_key: 'h:tee/Black/M/', location_key: 'Main Warehouse', sku: 'TEE-BLK-M', stocked: true, available: 7, on_hand: 8, committed: 1, incoming: 0 },
      { item_key: 'h:tee/Black/M/', location_key: 'Pop-up Store', sku: 'TEE-BLK-M', stocked: false, available: null, on_hand: null, committed: null, incoming: null },
      { item_key: 'h:cap/Red//', location_key: 'Main Warehouse', sku: 'CAP-RED', stocked: true, available: -2, on_hand: -2, committed: 0, incoming: 2 },
      { item_key: 'h:mug/Default Title//', location_key: 'Main Warehouse', sku: null, stocked: true, available: 4, on_hand: 4, committed: 0, incoming: 0 },
    ]);
  });

  it('Shopify inventory export, older layout', async () => {
    const runId = await createRun(shop.adminKey);
    const { payload } = await uploadCsv(shop.adminKey, runId, 'INVENTORY', 'shopify-inventory-older.csv');
    expect(payload.upload).to.include({ status: 'SUCCEEDED', format: 'shopify-inventory', rowsInserted: 2 });
    const rows = await sql('SELECT sku, stocked, available, on_hand FROM inventory_levels WHERE run_id = ? ORDER BY line', [runDbId(runId)]);
    expect(rows).to.deep.equal([
      { sku: 'TEE-BLK-M', stocked: true, available: 7, on_hand: 8 },
      { sku: 'TEE-BLK-L', stocked: false, available: null, on_hand: null },
    ]);
  });

  it('Shopify inventory export of Available quantities, a column per location, over an export of all quantities', async () => {
    const runId = await createRun(shop.adminKey);
    await uploadCsv(shop.adminKey, runId, 'INVENTORY', 'shopify-inventory-older.csv');
    const csv =
      'Handle,Title,Option1 Name,Option1 Value,Option2 Name,Option2 Value,Option3 Name,Option3 Value,SKU,HS Code,COO,Main Warehouse,Pop-up Store\n' +
      'tee,Classic Tee,Color,Black,Size,M,,,TEE-BLK-M,,,5,2\n' +
      'tee,Classic Tee,Color,Black,Size,L,,,TEE-BLK-L,,,,not stocked\n';
    const { payload } = await uploadCsv(shop.adminKey, runId, 'INVENTORY', Buffer.from(csv));
    expect(payload.userErrors).to.deep.equal([]);
    expect(payload.upload).to.include({ status: 'SUCCEEDED', layout: 'shopify-inventory-by-location', rowsRead: 2, rowsWritten: 3, rowsInserted: 2, rowsUpdated: 1 });
    expect(payload.upload.columns.slice(-2)).to.deep.equal([
      { name: 'Main Warehouse', field: 'available' },
      { name: 'Pop-up Store', field: 'available' },
    ]);
    // Available is updated and On hand, which this export does not have, kept; a blank cell leaves its location be.
    const rows = await sql('SELECT sku, location_key, stocked, available, on_hand FROM inventory_levels WHERE run_id = ? ORDER BY sku DESC, location_key', [runDbId(runId)]);
    expect(rows).to.deep.equal([
      { sku: 'TEE-BLK-M', location_key: 'Main Warehouse', stocked: true, available: 5, on_hand: 8 },
      { sku: 'TEE-BLK-M', location_key: 'Pop-up Store', stocked: true, available: 2, on_hand: null },
      { sku: 'TEE-BLK-L', location_key: 'Main Warehouse', stocked: false, available: null, on_hand: null },
      { sku: 'TEE-BLK-L', location_key: 'Pop-up Store', stocked: false, available: null, on_hand: null },
    ]);
  });

  it('canonical catalog, variants and inventory: aliases, gids and bare ids are the same id', async () => {
    const runId = await createRun(shop.adminKey);
    const catalog = await uploadCsv(shop.adminKey, runId, 'CATALOG', 'canonical-catalog.csv');
    const variants = await uploadCsv(shop.adminKey, runId, 'VARIANTS', 'canonical-variants.csv');
    const inventory = await uploadCsv(shop.adminKey, runId, 'INVENTORY', 'canonical-inventory.csv');
    for (const { payload } of [catalog, variants, inventory]) expect(payload.userErrors).to.deep.equal([]);
    const id = runDbId(runId);
    expect(await sql('SELECT item_key, variant_id, product_id, status, inventory_item_id, inventory_policy, available_total FROM catalog_items WHERE run_id = ? ORDER BY line', [id])).to.deep.equal([
      { item_key: 'v:501', variant_id: '501', product_id: '50', status: 'active', inventory_item_id: '9501', inventory_policy: 'deny', available_total: 7 },
      { item_key: 'v:502', variant_id: '502', product_id: '51', status: 'active', inventory_item_id: '9502', inventory_policy: 'continue', available_total: 4 },
      { item_key: 'v:503', variant_id: '503', product_id: '52', status: 'draft', inventory_item_id: '9503', inventory_policy: 'deny', available_total: -2 },
    ]);
    expect(await sql('SELECT item_key, variant_title, barcode, compare_at_price::text AS compare FROM variants WHERE run_id = ? ORDER BY line', [id])).to.deep.equal([
      { item_key: 'v:501', variant_title: 'Black / M', barcode: '0012345678905', compare: '24.9900' },
      { item_key: 'v:502', variant_title: 'Default Title', barcode: null, compare: null },
    ]);
    expect(await sql('SELECT item_key, location_key, available, updated_at IS NOT NULL AS dated FROM inventory_levels WHERE run_id = ? ORDER BY line', [id])).to.deep.equal([
      { item_key: 'i:9501', location_key: '1', available: 7, dated: true },
      { item_key: 'i:9501', location_key: '2', available: -1, dated: false },
      { item_key: 'i:9502', location_key: '1', available: 4, dated: false },
    ]);
  });

  it('reads quoted newlines, doubled quotes and mixed line endings, and counts lines physically', async () => {
    const runId = await createRun(shop.adminKey);
    const csv = 'order_id,created_at,sku,quantity,title\r\n' + '1,2025-01-01,A,1,"Line one\nline two"\n' + '1,2025-01-01,B,1,"He said ""hi"""\r\n' + '2,2025-01-01,C,x,bad\n';
    const { payload } = await uploadCsv(shop.adminKey, runId, 'ORDERS', csv);
    expect(payload.upload.rowErrors.map((e: any) => [e.line, e.column, e.value, e.code])).to.deep.equal([[5, 'quantity', 'x', 'INVALID_NUMBER']]);
    const skipped = await uploadCsv(shop.adminKey, runId, 'ORDERS', csv, { errorPolicy: 'SKIP_INVALID_ROWS' });
    expect(skipped.payload.upload).to.include({ status: 'SUCCEEDED', rowsInserted: 2, rowsRejected: 1 });
    const rows = await sql('SELECT title, line FROM order_lines WHERE run_id = ? ORDER BY line', [runDbId(runId)]);
    expect(rows).to.deep.equal([
      { title: 'Line one\nline two', line: 2 },
      { title: 'He said "hi"', line: 4 },
    ]);
  });
});
