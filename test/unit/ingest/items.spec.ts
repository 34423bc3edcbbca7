import { expect } from 'chai';
import { COPY_COLUMNS } from '../../../src/ingest/csv';
import { fixture, pick, runCsv } from './helpers';

const PRODUCT_FILES = [
  ['products-a.csv', 'shopify-products-a'],
  ['products-b.csv', 'shopify-products-b'],
  ['products-c.csv', 'shopify-products-c'],
] as const;

describe('ingest/csv: VARIANTS and CATALOG', () => {
  describe('Shopify products export', () => {
    for (const [file, layout] of PRODUCT_FILES) {
      for (const kind of ['VARIANTS', 'CATALOG'] as const) {
        it(`${file} as ${kind}: variants with product fields carried forward, image rows skipped`, async () => {
          const r = await runCsv(kind, fixture(file));
          expect(r.error).to.equal(null);
          expect(r.stream.format).to.equal('shopify-products');
          expect(r.stream.layout).to.equal(layout);
          expect(r.stream).to.include({ rowsRead: 6, rowsValid: 4, rowsRejected: 0, rowsSkipped: 2, errorCount: 0 });
          expect(pick(r.rows, 'item_key', 'line', 'handle', 'product_title', 'vendor', 'product_type', 'tags', 'variant_title')).to.deep.equal([
            { item_key: 'h:linen-tote/Natural/M/', line: '2', handle: 'linen-tote', product_title: 'Linen Tote', vendor: 'Harbor & Pine', product_type: 'Bags', tags: 'linen, summer', variant_title: 'Natural / M' },
            { item_key: 'h:linen-tote/Natural/L/', line: '6', handle: 'linen-tote', product_title: 'Linen Tote', vendor: 'Harbor & Pine', product_type: 'Bags', tags: 'linen, summer', variant_title: 'Natural / L' },
            { item_key: 'h:gift-card/$25//', line: '8', handle: 'gift-card', product_title: 'Gift Card', vendor: 'Harbor & Pine', product_type: 'Gift Cards', tags: null, variant_title: '$25' },
            { item_key: 'h:otter-mug/Default Title//', line: '9', handle: 'otter-mug', product_title: 'Otter Mug', vendor: 'Otter Lane', product_type: 'Mugs', tags: 'kitchen', variant_title: 'Default Title' },
          ]);
        });
      }
    }

    it('maps variant fields: inventory, tracker, policy, gift card, barcode, status; no published date', async () => {
      const r = await runCsv('CATALOG', fixture('products-b.csv'));
      expect(Object.keys(r.rows[0]!)).to.deep.equal([...COPY_COLUMNS.CATALOG]);
      expect(r.rows[0]).to.deep.include({
        variant_id: null,
        product_id: null,
        sku: 'TOTE-NAT-M',
        barcode: '7350177880121',
        option1: 'Natural',
        option2: 'M',
        option3: null,
        price: '24.00',
        compare_at_price: '30.00',
        available_total: '14',
        inventory_tracked: 't',
        inventory_policy: 'deny',
        gift_card: 'f',
        status: 'active',
        product_created_at: null,
        product_published_at: null,
      });
      expect(r.rows[1]).to.include({ available_total: '-2', inventory_policy: 'continue', barcode: '3.65275E+11', status: 'active', compare_at_price: null });
      expect(r.rows[2]).to.include({ gift_card: 't', inventory_tracked: 'f', sku: null, option1: '$25', status: 'active' });
      expect(r.rows[3]).to.include({ option1: 'Default Title', status: 'draft', inventory_tracked: 't' });
    });

    it('layout A has no Status column: status is NULL, or unpublished for a product hidden from the online store', async () => {
      const r = await runCsv('VARIANTS', fixture('products-a.csv'));
      expect(r.rows.map((x) => [x.sku, x.status])).to.deep.equal([
        ['TOTE-NAT-M', null],
        ['TOTE-NAT-L', null],
        [null, null],
        ['MUG-OTTER', 'unpublished'],
      ]);
    });

    it('layout C without Variant Inventory Qty: available_total is NULL', async () => {
      const r = await runCsv('CATALOG', fixture('products-c.csv'));
      expect(r.rows.map((x) => x.available_total)).to.deep.equal([null, null, null, null]);
      expect(r.header!.ignored).to.include('Color (product.metafields.shopify.color-pattern)');
    });

    it('layout D (import template, CRLF, TRUE/FALSE)', async () => {
      const r = await runCsv('VARIANTS', fixture('products-d.csv'));
      expect(r.error).to.equal(null);
      expect(r.stream.layout).to.equal('shopify-products-d');
      expect(r.stream).to.include({ rowsValid: 2, rowsSkipped: 1 });
      expect(pick(r.rows, 'item_key', 'line', 'handle', 'product_title', 'option1', 'price', 'available_total', 'inventory_tracked', 'inventory_policy', 'gift_card', 'status')).to.deep.equal([
        { item_key: 'h:wool-scarf/Grey//', line: '2', handle: 'wool-scarf', product_title: 'Wool Scarf', option1: 'Grey', price: '35.00', available_total: '8', inventory_tracked: 't', inventory_policy: 'deny', gift_card: 'f', status: 'active' },
        { item_key: 'h:wool-scarf/Red//', line: '3', handle: 'wool-scarf', product_title: 'Wool Scarf', option1: 'Red', price: '35.00', available_total: '0', inventory_tracked: 't', inventory_policy: 'continue', gift_card: 'f', status: 'active' },
      ]);
      // Template generators fill "Continue selling when out of stock" with the policy itself.
      const policies = await runCsv('VARIANTS', 'URL handle,SKU,Price,Continue selling when out of stock\na,A1,1.00,DENY\nb,B1,1.00,CONTINUE\nc,C1,1.00,TRUE\n');
      expect(policies.stream.errors).to.deep.equal([]);
      expect(pick(policies.rows, 'sku', 'inventory_policy')).to.deep.equal([
        { sku: 'A1', inventory_policy: 'deny' },
        { sku: 'B1', inventory_policy: 'continue' },
        { sku: 'C1', inventory_policy: 'continue' },
      ]);
    });

    it('keys a variant without SKU by handle and option values, and reports duplicates', async () => {
      const csv =
        'Handle,Title,Option1 Name,Option1 Value,Variant SKU,Variant Price\n' +
        'tee,Tee,Size,S,,10.00\n' +
        'tee,,,M,,10.00\n' +
        'tee,,,M,,11.00\n' +
        ',,,,,\n';
      const r = await runCsv('VARIANTS', csv);
      expect(pick(r.rows, 'item_key', 'product_title')).to.deep.equal([
        { item_key: 'h:tee/S//', product_title: 'Tee' },
        { item_key: 'h:tee/M//', product_title: 'Tee' },
      ]);
      expect(r.stream.errors.map((e) => [e.line, e.column, e.value, e.code])).to.deep.equal([[4, 'Handle', 'tee / M', 'DUPLICATE_KEY']]);
    });

    it("refuses the rows that take product fields from a rejected first row, not those that give their own", async () => {
      const csv = Buffer.concat([
        Buffer.from('Handle,Title,Vendor,Option1 Name,Option1 Value,Variant SKU,Variant Price,Gift Card\n'),
        // Line 2: the Title is Windows-1252, not UTF-8; line 5: a gift card flag that is not a boolean.
        Buffer.from('cafe,Caf\xe9 cr\xe8me,Roastery,Size,250g,CAFE-250,9.00,false\n', 'latin1'),
        Buffer.from('cafe,,,,1kg,CAFE-1K,29.00,\n'),
        Buffer.from('cafe,Cafe creme,Roastery,,2kg,CAFE-2K,49.00,false\n'),
        Buffer.from('cafe,,,,5kg,CAFE-5K,99.00,\n'),
        Buffer.from('tea,Tea,Leafery,Size,S,TEA-S,5.00,maybe\n'),
        Buffer.from('tea,,,,M,TEA-M,6.00,\n'),
        Buffer.from('mug,Mug,Otter,Size,S,MUG-S,x,false\n'),
        Buffer.from('mug,,,,M,MUG-M,8.00,\n'),
      ]);
      const r = await runCsv('CATALOG', csv);
      // Line 4 states every product field itself, so line 5 may take them over; line 8's rejected price is no product
      // field, so line 9 stands.
      expect(pick(r.rows, 'sku', 'product_title')).to.deep.equal([
        { sku: 'CAFE-2K', product_title: 'Cafe creme' },
        { sku: 'CAFE-5K', product_title: 'Cafe creme' },
        { sku: 'MUG-M', product_title: 'Mug' },
      ]);
      expect(r.stream.errors.map((e) => [e.line, e.code])).to.deep.equal([
        [2, 'INVALID_UTF8'],
        [3, 'FIRST_ROW_REJECTED'],
        [6, 'INVALID_BOOLEAN'],
        [7, 'FIRST_ROW_REJECTED'],
        [8, 'INVALID_PRICE'],
      ]);
      expect(r.stream.errors[1]!.message).to.equal('product cafe takes its product fields (title, vendor, type...) from line 2, which was rejected');
    });

    it('bytes that are not UTF-8 in a column never stored (Body, SEO) leave the row as it is', async () => {
      const csv = Buffer.concat([
        Buffer.from('Handle,Title,Body (HTML),Option1 Name,Option1 Value,Variant SKU,Variant Price,SEO Description\n'),
        Buffer.from('cafe,Cafe,<p>Caf\xe9 cr\xe8me</p>,Size,S,CAFE-S,9.00,Caf\xe9\n', 'latin1'),
      ]);
      const r = await runCsv('CATALOG', csv);
      expect(r.stream.errors).to.deep.equal([]);
      expect(pick(r.rows, 'sku', 'product_title', 'price')).to.deep.equal([{ sku: 'CAFE-S', product_title: 'Cafe', price: '9.00' }]);
    });

    it('a stray quote shifts the values after it: the rows taking product fields from such a row are refused', async () => {
      const csv =
        'Handle,Title,Body (HTML),Vendor,Type,Option1 Name,Option1 Value,Variant SKU,Variant Price\n' +
        'tee,Tee,"<p>"Hello, world"</p>",Acme,Shirts,Size,S,TEE-S,10.00\n' +
        'tee,,,,,,M,TEE-M,10.00\n';
      const r = await runCsv('CATALOG', csv);
      expect(r.rows).to.deep.equal([]);
      expect(r.stream.errors.map((e) => [e.line, e.column, e.code])).to.deep.equal([
        [2, 'Body (HTML)', 'INVALID_QUOTE'],
        [3, 'Handle', 'FIRST_ROW_REJECTED'],
      ]);
    });

    it("keys Shopify's rows by handle and option values: two products sharing a SKU are two items", async () => {
      const csv =
        'Handle,Title,Option1 Name,Option1 Value,Variant SKU,Variant Price\n' +
        'red-shirt,Red Shirt,Size,S,SHIRT-R-S,10.00\n' +
        'red-shirt-2,Red Shirt (new),Size,S,SHIRT-R-S,12.00\n' +
        'red-shirt-2,,,S,SHIRT-R-S2,12.00\n';
      const r = await runCsv('CATALOG', csv);
      expect(pick(r.rows, 'item_key', 'sku', 'price')).to.deep.equal([
        { item_key: 'h:red-shirt/S//', sku: 'SHIRT-R-S', price: '10.00' },
        { item_key: 'h:red-shirt-2/S//', sku: 'SHIRT-R-S', price: '12.00' },
      ]);
      expect(r.stream.errors.map((e) => [e.line, e.column, e.value, e.code, e.message])).to.deep.equal([
        [4, 'Handle', 'red-shirt-2 / S', 'DUPLICATE_KEY', 'handle red-shirt-2, options S already appears on line 3'],
      ]);
    });

    it('a blank Type falls back to the last level of Product Category, carried like the other product fields', async () => {
      const csv =
        'Handle,Title,Product Category,Type,Option1 Value,Variant SKU\n' +
        'bag,Bag,Apparel & Accessories > Handbags,,Red,B-R\n' +
        'bag,,,,Blue,B-B\n' +
        'hat,Hat,Apparel & Accessories > Hats,Caps,One,H-1\n';
      const r = await runCsv('CATALOG', csv);
      expect(pick(r.rows, 'sku', 'product_type')).to.deep.equal([
        { sku: 'B-R', product_type: 'Handbags' },
        { sku: 'B-B', product_type: 'Handbags' },
        { sku: 'H-1', product_type: 'Caps' },
      ]);
    });

    it('does not carry product fields across handles', async () => {
      const csv = 'Handle,Title,Vendor,Option1 Value,Variant SKU\na,Alpha,V1,x,A1\nb,,,y,B1\n';
      const r = await runCsv('CATALOG', csv);
      expect(pick(r.rows, 'handle', 'product_title', 'vendor')).to.deep.equal([
        { handle: 'a', product_title: 'Alpha', vendor: 'V1' },
        { handle: 'b', product_title: null, vendor: null },
      ]);
    });

    it('reports invalid values with the Shopify column names', async () => {
      const csv = 'Handle,Title,Option1 Value,Variant SKU,Variant Price,Variant Inventory Qty,Gift Card\nx,X,a,X1,1.2.3,many,perhaps\n';
      const r = await runCsv('CATALOG', csv);
      expect(r.stream.errors.map((e) => [e.line, e.column, e.code])).to.deep.equal([
        [2, 'Variant Price', 'INVALID_PRICE'],
        [2, 'Variant Inventory Qty', 'INVALID_NUMBER'],
        [2, 'Gift Card', 'INVALID_BOOLEAN'],
      ]);
    });
    it('refuses a status, a Published flag or an inventory policy it cannot read, naming the values it takes', async () => {
      const csv = [
        'Handle,Title,Option1 Value,Variant SKU,Variant Price,Published,Status,Variant Inventory Policy',
        'a,A,,A1,1.00,FALSCH,active,Continue selling',
        'b,B,,B1,1.00,WAHR,ACTIVE,deny',
        'c,C,,C1,1.00,TRUE,Unlisted,',
        'd,D,,D1,1.00,TRUE,Live,deny',
        'e,E,,E1,1.00,perhaps,active,deny',
        'f,F,,F1,1.00,TRUE,active,sometimes',
        'g,G,,G1,1.00,maybe,draft,deny',
      ].join('\n');
      const r = await runCsv('CATALOG', csv);
      expect(pick(r.rows, 'sku', 'status', 'inventory_policy')).to.deep.equal([
        { sku: 'A1', status: 'unpublished', inventory_policy: 'continue' },
        { sku: 'B1', status: 'active', inventory_policy: 'deny' },
        { sku: 'C1', status: 'unlisted', inventory_policy: null },
      ]);
      expect(r.stream.errors.map((e) => [e.line, e.column, e.value, e.code])).to.deep.equal([
        [5, 'Status', 'Live', 'INVALID_VALUE'],
        [6, 'Published', 'perhaps', 'INVALID_BOOLEAN'],
        [7, 'Variant Inventory Policy', 'sometimes', 'INVALID_VALUE'],
        [8, 'Published', 'maybe', 'INVALID_BOOLEAN'],
      ]);
      expect(r.stream.errors[0]!.message).to.include('active, draft, archived');
      expect(r.stream.errors[2]!.message).to.match(/deny .*continue/);
    });
  });

  describe('canonical layouts', () => {
    it('VARIANTS: title is the variant title; gids, apostrophes and spaces normalised', async () => {
      const r = await runCsv('VARIANTS', fixture('variants-canonical.csv'));
      expect(r.error).to.equal(null);
      expect(r.stream.format).to.equal('canonical');
      expect(pick(r.rows, 'item_key', 'line', 'variant_id', 'product_id', 'sku', 'variant_title', 'price', 'compare_at_price', 'inventory_item_id', 'barcode')).to.deep.equal([
        { item_key: 'v:4401', line: '2', variant_id: '4401', product_id: '3301', sku: 'TEA-GRN-50', variant_title: '50 g', price: '12.50', compare_at_price: '15.00', inventory_item_id: '7701', barcode: '0012345678905' },
        { item_key: 'v:4402', line: '3', variant_id: '4402', product_id: '3302', sku: 'MUG-BLU', variant_title: 'Blue', price: '18', compare_at_price: null, inventory_item_id: '7702', barcode: null },
        { item_key: 'v:4403', line: '4', variant_id: '4403', product_id: '3303', sku: null, variant_title: 'Default Title', price: '0.00', compare_at_price: null, inventory_item_id: null, barcode: null },
      ]);
    });

    it('CATALOG: camelCase aliases, booleans, dates, item keys and row errors', async () => {
      const r = await runCsv('CATALOG', fixture('catalog-canonical.csv'));
      expect(r.error).to.equal(null);
      expect(r.rows).to.have.length(2);
      expect(r.rows[0]).to.include({
        item_key: 'v:4401',
        product_title: 'Green Tea',
        variant_title: '50 g',
        tags: 'tea, green',
        status: 'active',
        available_total: '40',
        inventory_policy: 'deny',
        gift_card: 'f',
        product_created_at: '2024-03-01 09:00:00+00:00',
        product_published_at: '2024-03-02 09:00:00+00:00',
      });
      expect(r.rows[1]).to.include({ item_key: 's:MUG-BLU', status: 'draft', available_total: '-3', inventory_policy: 'continue', gift_card: 'f', product_created_at: '2024-04-01 00:00:00+00:00' });
      expect(r.stream.errors.map((e) => [e.line, e.column, e.value, e.code])).to.deep.equal([
        [4, 'variantId', null, 'MISSING_VALUE'],
        [5, 'giftCard', 'maybe', 'INVALID_BOOLEAN'],
      ]);
    });

    it('VARIANTS requires variant_id; CATALOG accepts sku alone', async () => {
      const bad = await runCsv('VARIANTS', 'sku,price\nA,1\n');
      expect(bad.error).to.include({ code: 'MISSING_COLUMNS' });
      expect((bad.error as unknown as { missingColumns: string[] }).missingColumns).to.deep.equal(['variant_id']);
      const ok = await runCsv('CATALOG', 'sku,price\nA,1\n');
      expect(pick(ok.rows, 'item_key', 'price')).to.deep.equal([{ item_key: 's:A', price: '1' }]);
    });
  });
});
