import { expect } from 'chai';
import {
  CsvHeaderError,
  normalizeHeaderName,
  resolveHeader,
  type CsvKind,
} from '../../../src/ingest/csv';
import {
  SHOPIFY_INVENTORY_HEADER_NEWER,
  SHOPIFY_INVENTORY_HEADER_OLDER,
  SHOPIFY_ORDERS_HEADER,
  SHOPIFY_PRODUCTS_HEADER_B,
  SHOPIFY_PRODUCTS_HEADER_D,
} from '../../../src/ingest/csv/layouts';
import { fixture, pick, runCsv } from './helpers';

function headerError(kind: CsvKind, cells: readonly string[]): CsvHeaderError {
  try {
    resolveHeader(kind, [...cells]);
  } catch (err) {
    if (err instanceof CsvHeaderError) return err;
    throw err;
  }
  throw new Error('expected a CsvHeaderError');
}

describe('ingest/csv: header', () => {
  it('normalises names: BOM, case, camelCase, spaces, hyphens, slashes', () => {
    expect(normalizeHeaderName('\uFEFF Order ID ')).to.equal('order_id');
    expect(normalizeHeaderName('lineItemQuantity')).to.equal('line_item_quantity');
    expect(normalizeHeaderName('variantID')).to.equal('variant_id');
    expect(normalizeHeaderName('Compare-at price')).to.equal('compare_at_price');
    expect(normalizeHeaderName('Google Shopping / Google Product Category')).to.equal('google_shopping_google_product_category');
    expect(normalizeHeaderName('Option1 Value')).to.equal('option1_value');
    expect(normalizeHeaderName('option1Value')).to.equal('option1_value');
    expect(normalizeHeaderName('Available (not editable)')).to.equal('available_(not_editable)');
    expect(normalizeHeaderName('CREATED__AT')).to.equal('created_at');
  });

  it('detects each layout from its header', () => {
    const cases: [CsvKind, readonly string[], string][] = [
      ['ORDERS', SHOPIFY_ORDERS_HEADER, 'shopify-orders'],
      ['ORDERS', SHOPIFY_ORDERS_HEADER.slice(0, 78), 'shopify-orders'],
      ['ORDERS', ['order_id', 'created_at', 'sku', 'quantity'], 'canonical-orders'],
      ['VARIANTS', SHOPIFY_PRODUCTS_HEADER_B, 'shopify-products-b'],
      ['CATALOG', SHOPIFY_PRODUCTS_HEADER_D, 'shopify-products-d'],
      // The template as generators write it, Handle first instead of URL handle: its SKU and Price are read.
      ['CATALOG', ['Handle', ...SHOPIFY_PRODUCTS_HEADER_D.filter((c) => c !== 'URL handle')], 'shopify-products-d'],
      ['VARIANTS', ['variant_id', 'sku'], 'canonical-variants'],
      ['CATALOG', ['sku', 'product_title'], 'canonical-catalog'],
      ['INVENTORY', SHOPIFY_INVENTORY_HEADER_OLDER, 'shopify-inventory-older'],
      ['INVENTORY', SHOPIFY_INVENTORY_HEADER_NEWER, 'shopify-inventory-newer'],
      ['INVENTORY', ['sku', 'location', 'available'], 'canonical-inventory'],
    ];
    for (const [kind, cells, variant] of cases) expect(resolveHeader(kind, [...cells]).variant, variant).to.equal(variant);
  });

  it('matches columns by name, never by position', () => {
    const h = resolveHeader('ORDERS', ['quantity', 'sku', 'Created At', 'ORDER_ID']);
    expect(Object.fromEntries(h.index)).to.deep.equal({ quantity: 0, sku: 1, created_at: 2, order_id: 3 });
  });

  it('prefers order_id over name when both are present', () => {
    const h = resolveHeader('ORDERS', ['name', 'order_id', 'created_at', 'quantity', 'sku']);
    expect(h.index.get('order_id')).to.equal(1);
  });

  it('DUPLICATE_COLUMN: a column that is read may not appear twice; unread ones may', () => {
    const e = headerError('ORDERS', ['Lineitem sku', ...SHOPIFY_ORDERS_HEADER]);
    expect(e.code).to.equal('DUPLICATE_COLUMN');
    expect(e.message).to.equal(`The column "Lineitem sku" appears twice (columns 1 and ${SHOPIFY_ORDERS_HEADER.indexOf('Lineitem sku') + 2}); keep one and upload the file again.`);
    const h = resolveHeader('ORDERS', ['order_id', 'created_at', 'quantity', 'sku', 'notes', 'Notes']);
    expect(h.index.get('sku')).to.equal(3);
  });

  it('MISSING_COLUMNS lists the required columns absent from the best-matching layout', () => {
    const e = headerError('ORDERS', ['order_id', 'sku', 'price']);
    expect(e.code).to.equal('MISSING_COLUMNS');
    expect(e.missingColumns).to.deep.equal(['created_at', 'quantity']);
    expect(e.layoutsTried).to.deep.equal(['canonical-orders', 'shopify-orders']);
    expect(e.message).to.include('created_at').and.include('quantity');

    const inv = headerError('INVENTORY', ['sku', 'available']);
    expect(inv.missingColumns).to.deep.equal(['location_id or location']);

    const shop = headerError('INVENTORY', SHOPIFY_INVENTORY_HEADER_OLDER.filter((c) => c !== 'Location'));
    expect(shop.code).to.equal('MISSING_COLUMNS');
    expect(shop.missingColumns).to.deep.equal(['Location']);
  });

  it('WRONG_KIND names the kind a file looks like', () => {
    const cases: [CsvKind, readonly string[], CsvKind][] = [
      ['INVENTORY', SHOPIFY_ORDERS_HEADER, 'ORDERS'],
      ['VARIANTS', SHOPIFY_ORDERS_HEADER, 'ORDERS'],
      ['ORDERS', SHOPIFY_PRODUCTS_HEADER_B, 'VARIANTS'],
      ['INVENTORY', SHOPIFY_PRODUCTS_HEADER_D, 'VARIANTS'],
      ['VARIANTS', SHOPIFY_INVENTORY_HEADER_OLDER, 'INVENTORY'],
      ['CATALOG', SHOPIFY_INVENTORY_HEADER_NEWER, 'INVENTORY'],
      ['ORDERS', SHOPIFY_INVENTORY_HEADER_NEWER, 'INVENTORY'],
      ['CATALOG', ['order_id', 'created_at', 'variant_id', 'sku', 'quantity', 'price', 'title'], 'ORDERS'],
      ['INVENTORY', ['variant_id', 'sku', 'price', 'compare_at_price', 'barcode'], 'VARIANTS'],
    ];
    for (const [kind, cells, detected] of cases) {
      const e = headerError(kind, cells);
      expect(e.code, `${kind} <- ${detected}`).to.equal('WRONG_KIND');
      expect(e.detectedKind, `${kind} <- ${detected}`).to.equal(detected);
      expect(e.message).to.include(`not ${kind}`);
    }
  });

  it('VARIANTS and CATALOG accept the same Shopify files', () => {
    for (const kind of ['VARIANTS', 'CATALOG'] as const) {
      expect(resolveHeader(kind, [...SHOPIFY_PRODUCTS_HEADER_B]).layout.format).to.equal('shopify-products');
    }
  });

  describe('files that fail before any row', () => {
    const cases: [string, CsvKind, string][] = [
      ['empty.csv', 'ORDERS', 'EMPTY_FILE'],
      ['bom-only.csv', 'ORDERS', 'EMPTY_FILE'],
      ['header-only.csv', 'ORDERS', 'HEADER_ONLY'],
      ['unknown-header.csv', 'ORDERS', 'MISSING_COLUMNS'],
      ['utf16.csv', 'ORDERS', 'INVALID_UTF8'],
      ['orders-shopify.csv', 'INVENTORY', 'WRONG_KIND'],
      ['products-b.csv', 'ORDERS', 'WRONG_KIND'],
      ['inventory-shopify-older.csv', 'CATALOG', 'WRONG_KIND'],
    ];
    for (const [file, kind, code] of cases) {
      it(`${file} as ${kind}: ${code}, no data, header promise rejected`, async () => {
        const r = await runCsv(kind, fixture(file), { chunkRows: 1 });
        expect(r.error).to.be.instanceOf(CsvHeaderError);
        expect(r.error!.code).to.equal(code);
        expect(r.emittedBeforeError).to.equal(false);
        expect(r.header).to.equal(null);
        let rejected: unknown = null;
        await r.stream.header.catch((e: unknown) => (rejected = e));
        expect(rejected).to.equal(r.error);
      });
    }

    it('a UTF-16 file without its byte order mark is named for its encoding, not for missing columns', async () => {
      for (const encoded of [Buffer.from('order_id,created_at,sku,quantity\n1,2025-01-01,A,1\n', 'utf16le'), Buffer.from('order_id,created_at\n', 'utf16le').swap16()]) {
        const r = await runCsv('ORDERS', encoded);
        expect(r.error).to.include({ code: 'INVALID_UTF8' });
        expect(r.error!.message).to.match(/UTF-16/);
      }
    });

    it('a gzip file, an Excel workbook or a ZIP archive is named for what it is', async () => {
      const zlib = await import('node:zlib');
      const files: [Buffer, RegExp][] = [
        [zlib.gzipSync('order_id,created_at,sku,quantity\n1,2025-01-01,A,1\n'), /gzip-compressed/],
        [Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(200)]), /Excel workbook \(\.xlsx\)/],
        [Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(200)]), /Excel 97-2003/],
      ];
      for (const [content, message] of files) {
        const r = await runCsv('ORDERS', content);
        expect(r.error!.code).to.equal('NOT_CSV');
        expect(r.error!.message).to.match(message);
      }
    });

    it('reads files separated by semicolons (with decimal commas) or tabs; names any other separator', async () => {
      // The separator is the first line's that is not blank, however the file arrives in pieces.
      for (const pieceBytes of [1, 3, 1000]) {
        const late = await runCsv('ORDERS', '\n\r\n\norder_id;created_at;sku;quantity\n1;2025-01-01;A;1\n', { pieceBytes });
        expect(late.error, `pieces of ${pieceBytes}`).to.equal(null);
        expect(pick(late.rows, 'order_id', 'sku'), `pieces of ${pieceBytes}`).to.deep.equal([{ order_id: '1', sku: 'A' }]);
      }
      const semicolons = await runCsv('ORDERS', fixture('semicolon.csv'));
      expect(semicolons.error).to.equal(null);
      expect(pick(semicolons.rows, 'order_id', 'sku', 'quantity')).to.deep.equal([{ order_id: '1', sku: 'A', quantity: '1' }]);
      // As a spreadsheet in a decimal-comma locale saves it: a sep= line, amounts with a comma, text with one quoted.
      // Its dates rewritten day first with points.
      const excel = await runCsv('ORDERS', 'sep=;\norder_id;created_at;sku;quantity;price;title\n1001;07.12.2025 19:08;A;1;19,99;"Shirt; blue, large"\n1002;7.12.2025;B;2;5;Mug\n');
      expect(excel.stream.errors).to.deep.equal([]);
      expect(pick(excel.rows, 'order_id', 'created_at', 'price', 'title')).to.deep.equal([
        { order_id: '1001', created_at: '2025-12-07 19:08:00+00:00', price: '19.99', title: 'Shirt; blue, large' },
        { order_id: '1002', created_at: '2025-12-07 00:00:00+00:00', price: '5', title: 'Mug' },
      ]);
      // Day and month between slashes read two ways: refused, saying so.
      const slashes = await runCsv('ORDERS', 'order_id,created_at,sku,quantity\n1001,12/7/2025 19:08,A,1\n');
      expect(slashes.stream.errors.map((e) => [e.value, e.code])).to.deep.equal([['12/7/2025 19:08', 'INVALID_DATE']]);
      expect(slashes.stream.errors[0]!.message).to.match(/reads two ways .*07\.12\.2025 19:08/);
      // Google Sheets' tab-separated export quotes nothing: a title that starts with a quote is text as it stands.
      const tabs = await runCsv('CATALOG', 'Handle\tTitle\tVariant SKU\tVariant Price\ntee\tTee, cotton\tT-1\t10.00\nmug\t"Best" mug\tM-1\t5.50\n');
      expect(tabs.error).to.equal(null);
      expect(tabs.stream.errors).to.deep.equal([]);
      expect(pick(tabs.rows, 'sku', 'product_title', 'price')).to.deep.equal([
        { sku: 'T-1', product_title: 'Tee, cotton', price: '10.00' },
        { sku: 'M-1', product_title: '"Best" mug', price: '5.50' },
      ]);
      // In a comma file the same is a broken quote, as before.
      const commas = await runCsv('CATALOG', 'Handle,Title,Variant SKU,Variant Price\nmug,"Best" mug,M-1,5.50\n');
      expect(commas.stream.errors.map((e) => e.code)).to.deep.equal(['INVALID_QUOTE']);
      // Where the comma separates no fields it is a decimal mark, and points before it separate thousands; an amount
      // that reads two ways (thousands, or three decimals?) is refused, not guessed.
      const amounts = (separator: string, values: string[]) =>
        runCsv('CATALOG', `sku${separator}price\n` + values.map((v, i) => `S${i}${separator}${v}`).join('\n') + '\n');
      for (const separator of [';', '\t']) {
        const read = await amounts(separator, ['19,99', '0,5', '1.299,00', '19.99', '1.299', '1,299', '0.500', '1.299.000', '1,299,000']);
        expect(pick(read.rows, 'sku', 'price'), JSON.stringify(separator)).to.deep.equal([
          { sku: 'S0', price: '19.99' },
          { sku: 'S1', price: '0.5' },
          { sku: 'S2', price: '1299.00' },
          { sku: 'S3', price: '19.99' },
          { sku: 'S6', price: '0.500' },
          { sku: 'S7', price: '1299000' },
          { sku: 'S8', price: '1299000' },
        ]);
        expect(read.stream.errors.map((e) => [e.value, e.code])).to.deep.equal([['1.299', 'INVALID_PRICE'], ['1,299', 'INVALID_PRICE']]);
        expect(read.stream.errors[0]!.message).to.match(/thousands or decimals/);
      }
      // Whole numbers the same way: a quantity of 1.000 in a semicolon file was stored as 1.
      for (const separator of [';', '\t']) {
        const quantities = ['1.000', '2,0', '1.000.000', '12', '-2.500', '3'];
        const read = await runCsv('INVENTORY', `sku${separator}location${separator}available\n` + quantities.map((q, i) => `S${i}${separator}L${separator}${q}`).join('\n') + '\n');
        expect(pick(read.rows, 'sku', 'available'), JSON.stringify(separator)).to.deep.equal([
          { sku: 'S1', available: '2' },
          { sku: 'S2', available: '1000000' },
          { sku: 'S3', available: '12' },
          { sku: 'S5', available: '3' },
        ]);
        expect(read.stream.errors.map((e) => [e.value, e.code])).to.deep.equal([['1.000', 'INVALID_NUMBER'], ['-2.500', 'INVALID_NUMBER']]);
        expect(read.stream.errors[0]!.message).to.match(/thousands or decimals/);
      }
      const orders = await runCsv('ORDERS', 'order_id;created_at;sku;quantity;price\n1;2025-12-07;A;1.000;1.299,00\n');
      expect(orders.stream.errors.map((e) => [e.column, e.value, e.code])).to.deep.equal([['quantity', '1.000', 'INVALID_NUMBER']]);
      const commaThousands = await runCsv('INVENTORY', 'sku,location,available\nA,L,"1,200"\n');
      expect(commaThousands.stream.errors[0]!.message).to.match(/without a thousands separator/);
      // Forms that read one way: US thousands before a decimal point, in any file; spaces between thousands.
      const us = await runCsv('CATALOG', 'sku,price\nA,"1,299.00"\nB,"12,345,678.5"\nC,"0,001.5"\n');
      expect(pick(us.rows, 'sku', 'price')).to.deep.equal([{ sku: 'A', price: '1299.00' }, { sku: 'B', price: '12345678.5' }]);
      expect(us.stream.errors.map((e) => e.value)).to.deep.equal(['0,001.5']);
      const spaced = await runCsv('CATALOG', 'sku\tprice\nA\t1 299,00\nB\t1\u00a0299\nC\t12\u202f345 678,9\nD\t1,299.00\n');
      expect(spaced.stream.errors).to.deep.equal([]);
      expect(pick(spaced.rows, 'sku', 'price')).to.deep.equal([
        { sku: 'A', price: '1299.00' },
        { sku: 'B', price: '1299' },
        { sku: 'C', price: '12345678.9' },
        { sku: 'D', price: '1299.00' },
      ]);
      // A header typed with commas over rows a spreadsheet separated with semicolons would split the rows at their
      // decimal commas: refused. Semicolons inside a comma file's text are no such thing.
      const mixed = await runCsv('CATALOG', 'sku,price\nA-1;19,99\nB-2;1299,00\n');
      expect(mixed.error!.code).to.equal('WRONG_DELIMITER');
      expect(mixed.error!.message).to.match(/header is separated by commas but the rows by semicolons \(line 2\)/);
      for (const row of ['A,Tea; green; loose', 'A1,Mug; blue', 'A1,"Mug; blue"']) {
        const text = await runCsv('CATALOG', `sku,product_title\n${row}\n`);
        expect(text.error, row).to.equal(null);
      }
      // A semicolon header with a comma in a cell (Excel quotes none there), or a stray quote: still semicolons.
      const commaInCell = await runCsv('CATALOG', 'sku;product_title;Price (EUR, incl. VAT)\nA;Mug 12" tall, big;1,50\n');
      expect(commaInCell.error).to.equal(null);
      expect(pick(commaInCell.rows, 'sku', 'product_title')).to.deep.equal([{ sku: 'A', product_title: 'Mug 12" tall, big' }]);
      const bars = await runCsv('ORDERS', 'order_id|created_at|sku|quantity\n1|2025-01-01|A|1\n');
      expect(bars.error!.code).to.equal('WRONG_DELIMITER');
      expect(bars.error!.message).to.match(/^The file is separated by vertical bars, not commas/);
    });

    it('a header with invalid UTF-8 in a column read or an unterminated quote is a header error; in a column not read, it is no matter', async () => {
      const bad = await runCsv('ORDERS', Buffer.from('order_id,cr\xe9ated_at,sku,quantity\n1,2,3,4\n', 'latin1'));
      expect(bad.error).to.include({ code: 'INVALID_UTF8' });
      expect(bad.error!.message).to.include('"CSV UTF-8"');
      const unread = await runCsv('ORDERS', Buffer.from('order_id,created_at,sku,quantity,Gr\xf6\xdfe (product.metafields)\n1,2025-01-01,A,4,x\n', 'latin1'));
      expect(unread.error).to.equal(null);
      expect(pick(unread.rows, 'order_id', 'sku', 'quantity')).to.deep.equal([{ order_id: '1', sku: 'A', quantity: '4' }]);
      const open = await runCsv('ORDERS', 'order_id,"created_at,sku,quantity\n1,2,3,4\n');
      expect(open.error).to.include({ code: 'UNTERMINATED_QUOTE' });
    });
  });

  it('resolves the header promise and emits header once the layout is known and data follows', async () => {
    const r = await runCsv('ORDERS', '\n\norder_id,created_at,sku,quantity,extra\n1,2025-01-01,A,1,x\n');
    const info = await r.stream.header;
    expect(info).to.deep.equal(r.header);
    expect(info).to.deep.include({ kind: 'ORDERS', format: 'canonical', layout: 'canonical-orders', line: 3, ignored: ['extra'] });
    expect(r.rows[0]!.line).to.equal('4');
  });
});
