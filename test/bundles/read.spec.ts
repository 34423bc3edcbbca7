import { expect } from 'chai';
import { gql, ok } from '../helpers/client';
import { runDbId } from '../helpers/ingest';
import { captureSql } from '../helpers/sql-capture';
import { BUNDLE_FIELDS, runWithCatalog, saveBundles } from '../helpers/bundles';
import { createRun, createShop, type TestShop } from '../helpers/shop';
import { getHarness } from '../setup';
import { BundleService } from '../../src/bundles/bundle.service';
import { BundleKind, BundleSource, BundleStatus } from '../../src/bundles/bundle.entity';
import { BundleItemRole } from '../../src/bundles/bundle-item.entity';
import { BundleSaveMode } from '../../src/bundles/bundle.types';

const PAGE = `query($runId: ID, $first: Int, $after: String, $last: Int, $before: String, $sortKey: BundleSortKey, $reverse: Boolean, $filter: BundleFilter) {
  bundles(runId: $runId, first: $first, after: $after, last: $last, before: $before, sortKey: $sortKey, reverse: $reverse, filter: $filter) {
    nodes { key } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;

describe('reading bundles', () => {
  let shop: TestShop;
  before(async () => {
    shop = await createShop('read');
  });

  describe('pagination and sorting', () => {
    let runId: string;
    // Seven generated bundles with statistics, saved through the same path generation uses.
    const stats = [
      { key: 'g1', rank: 3, score: 0.5, lift: 2.0 },
      { key: 'g2', rank: 1, score: 0.9, lift: 1.5 },
      { key: 'g3', rank: 2, score: 0.7, lift: 3.0 },
      { key: 'g4', rank: 5, score: 0.1, lift: null },
      { key: 'g5', rank: null, score: 0.3, lift: 1.1 },
      { key: 'g6', rank: 4, score: null, lift: 2.5 },
      { key: 'g7', rank: 6, score: 0.8, lift: 1.9 },
    ];

    before(async () => {
      runId = await createRun(shop.adminKey);
      const em = getHarness().server.database.orm.em.fork();
      await new BundleService(em).save(
        shop.id,
        runDbId(runId),
        stats.map((s, i) => ({
          key: s.key,
          kind: i === 6 ? BundleKind.VOLUME_DISCOUNT : BundleKind.FREQUENTLY_BOUGHT_TOGETHER,
          source: i === 5 ? BundleSource.MANUAL : BundleSource.GENERATED,
          status: i % 2 === 0 ? BundleStatus.ACTIVE : BundleStatus.DRAFT,
          pinned: false,
          title: null,
          items: [
            { sku: `S${i}`, variantId: null, quantity: 1, role: BundleItemRole.ITEM },
            { sku: i === 6 ? null : `S${i + 1}`, variantId: i === 6 ? '777' : null, quantity: 1, role: BundleItemRole.ITEM },
          ],
          discount: null,
          copy: null,
          objective: null,
          rank: s.rank,
          score: s.score,
          lift: s.lift,
          support: 0.01,
          confidence: 0.2,
          orderCount: 10,
        })),
        BundleSaveMode.UPSERT,
      );
    });

    const walk = async (variables: Record<string, unknown>, backward = false) => {
      const keys: string[] = [];
      let cursor: string | undefined;
      for (let guard = 0; guard < 10; guard++) {
        const page = ok(await gql(PAGE, { runId, ...variables, ...(backward ? { last: 3, before: cursor } : { first: 3, after: cursor }) }, { key: shop.adminKey })).bundles;
        const pageKeys = page.nodes.map((n: { key: string }) => n.key);
        keys.splice(backward ? 0 : keys.length, 0, ...pageKeys);
        const more = backward ? page.pageInfo.hasPreviousPage : page.pageInfo.hasNextPage;
        if (!more) break;
        cursor = backward ? page.pageInfo.startCursor : page.pageInfo.endCursor;
      }
      return keys;
    };

    const expected: Record<string, string[]> = {
      RANK: ['g2', 'g3', 'g1', 'g6', 'g4', 'g7', 'g5'],
      SCORE: ['g2', 'g7', 'g3', 'g1', 'g5', 'g4', 'g6'],
      LIFT: ['g3', 'g6', 'g1', 'g7', 'g2', 'g5', 'g4'],
      CREATED_AT: ['g1', 'g2', 'g3', 'g4', 'g5', 'g6', 'g7'],
      UPDATED_AT: ['g1', 'g2', 'g3', 'g4', 'g5', 'g6', 'g7'],
    };
    for (const [sortKey, order] of Object.entries(expected)) {
      it(`walks ${sortKey} both ways, and reversed`, async () => {
        expect(await walk({ sortKey })).to.deep.equal(order);
        expect(await walk({ sortKey }, true)).to.deep.equal(order);
        expect(await walk({ sortKey, reverse: true })).to.deep.equal([...order].reverse());
      });
    }

    it('filters by kind, status, source, contained item and minimum lift', async () => {
      const keys = async (filter: Record<string, unknown>) => ok(await gql(PAGE, { runId, first: 50, filter }, { key: shop.adminKey })).bundles.nodes.map((n: { key: string }) => n.key);
      expect(await keys({ kind: ['VOLUME_DISCOUNT'] })).to.deep.equal(['g7']);
      expect(await keys({ status: ['ACTIVE'] })).to.deep.equal(['g3', 'g1', 'g7', 'g5']);
      expect(await keys({ source: 'MANUAL' })).to.deep.equal(['g6']);
      expect(await keys({ containsSku: 'S2' })).to.deep.equal(['g2', 'g3']);
      expect(await keys({ containsVariantId: 'gid://shopify/ProductVariant/777' })).to.deep.equal(['g7']);
      expect(await keys({ containsVariantId: 'gid://shopify/Product/777' })).to.deep.equal([]);
      expect(await keys({ minLift: 2 })).to.deep.equal(['g3', 'g1', 'g6']);
      expect(await keys({ status: ['DRAFT'], minLift: 2 })).to.deep.equal(['g6']);
    });

    it('refuses a cursor of another sort key', async () => {
      const page = ok(await gql(PAGE, { runId, first: 2, sortKey: 'SCORE' }, { key: shop.adminKey })).bundles;
      const response = await gql(PAGE, { runId, first: 2, sortKey: 'CREATED_AT', after: page.pageInfo.endCursor }, { key: shop.adminKey });
      expect(response.errors?.[0].extensions?.code).to.equal('BAD_USER_INPUT');
      expect(response.errors?.[0].extensions?.reason).to.equal('INVALID_CURSOR');
    });

    it('refuses forged cursors as bad input, for every sort key, before they reach the database', async () => {
      const forge = (values: unknown[]) => Buffer.from(JSON.stringify(values)).toString('base64url');
      const forged: [string, unknown[]][] = [
        ['RANK', ['RANK', 'abc', 5]],
        ['RANK', ['RANK', '99999999999', 5]],
        ['SCORE', ['SCORE', 'NaNa', 5]],
        ['SCORE', ['SCORE', 'NaN', 5]],
        ['SCORE', ['SCORE', 'Infinity', 5]],
        ['LIFT', ['LIFT', '1e999', 5]],
        ['CREATED_AT', ['CREATED_AT', 'x', 5]],
        ['CREATED_AT', ['CREATED_AT', '2026-02-31 10:00:00+00', 5]],
        ['UPDATED_AT', ['UPDATED_AT', '2026-11-30 10:00:00+00', '5; DROP TABLE bundles']],
        ['RANK', ['RANK', 1, { id: 5 }]],
      ];
      for (const [sortKey, values] of forged) {
        for (const direction of [{ first: 2, after: forge(values) }, { last: 2, before: forge(values) }]) {
          const response = await gql(PAGE, { runId, sortKey, ...direction }, { key: shop.adminKey });
          expect(response.errors?.[0].extensions?.reason, JSON.stringify(values)).to.equal('INVALID_CURSOR');
          expect(response.errors?.[0].extensions?.code).to.equal('BAD_USER_INPUT');
        }
      }
      // A well-formed cursor of the right types pages as one returned by the server.
      const page = ok(await gql(PAGE, { runId, sortKey: 'SCORE', first: 50, after: forge(['SCORE', '1e300', 0]) }, { key: shop.adminKey })).bundles;
      expect(page.nodes.map((n: { key: string }) => n.key)).to.deep.equal(expected.SCORE);
    });
  });

  describe('items, pricing and stock', () => {
    let runId: string;
    before(async () => {
      // Catalog: 501 TEE-BLK-M 19.99 tracked/deny, 7 in catalog; 502 MUG-01 12.50 continue-selling; 503 CAP-RED 15.00 draft.
      // Inventory: 9501 (TEE) 7 at location 1 and -1 at location 2; 9502 (MUG) 4 at location 1; CAP has none.
      runId = await runWithCatalog(shop.adminKey);
    });

    it('enriches items from catalog and inventory and computes availability, ignoring continue-selling items', async () => {
      const [bundle] = ok(await saveBundles(shop.adminKey, runId, [
        { kind: 'FREQUENTLY_BOUGHT_TOGETHER', items: [{ sku: 'TEE-BLK-M', quantity: 2 }, { sku: 'MUG-01', quantity: 3 }], discount: { type: 'PERCENTAGE', value: '10' } },
      ])).bundlesSave.bundles;
      expect(bundle.items).to.deep.equal([
        { sku: 'TEE-BLK-M', variantId: '501', quantity: 2, role: 'ITEM', title: 'Classic Tee - Black / M', price: '19.99', available: 6 },
        { sku: 'MUG-01', variantId: '502', quantity: 3, role: 'ITEM', title: 'Mug', price: '12.50', available: 4 },
      ]);
      expect(bundle.availableQuantity).to.equal(3); // floor(6 / 2); the mug keeps selling when out of stock
      expect(bundle.pricing).to.deep.equal({ originalTotal: '77.48', bundlePrice: '69.73', savings: '7.75', savingsPercentage: 10 });
    });

    it('prices fixed amounts, free items, quantity tiers and buy-x-get-y from catalog prices', async () => {
      const saved = ok(await saveBundles(shop.adminKey, runId, [
        { key: 'fixed', kind: 'FIXED', items: [{ sku: 'TEE-BLK-M' }, { sku: 'CAP-RED' }], discount: { type: 'FIXED_AMOUNT', value: '5' } },
        { key: 'free', kind: 'MIX_AND_MATCH', items: [{ sku: 'TEE-BLK-M' }, { sku: 'MUG-01' }], discount: { type: 'FREE_ITEM' } },
        { key: 'tiers', kind: 'VOLUME_DISCOUNT', items: [{ sku: 'MUG-01', quantity: 3 }], discount: { type: 'QUANTITY_TIERS', tiers: [{ minQuantity: 2, percentage: '5' }, { minQuantity: 3, percentage: '10' }, { minQuantity: 5, percentage: '20' }] } },
        { key: 'bxgy', kind: 'BUY_X_GET_Y', items: [{ sku: 'TEE-BLK-M', role: 'BUY' }, { sku: 'CAP-RED', role: 'GET' }], discount: { type: 'PERCENTAGE', value: '50' } },
        { key: 'unknown', kind: 'FREQUENTLY_BOUGHT_TOGETHER', items: [{ sku: 'TEE-BLK-M' }, { sku: 'NOT-IN-CATALOG' }] },
        // An amount off larger than the total is refused when saved (save.spec); one the catalog overtook later
        // prices the bundle at 0, not below.
        { key: 'too-much', kind: 'FIXED', items: [{ sku: 'MUG-01' }, { sku: 'NOT-IN-CATALOG' }], discount: { type: 'FIXED_AMOUNT', value: '100' } },
      ])).bundlesSave.bundles;
      const pricing = Object.fromEntries(saved.map((b: any) => [b.key, b.pricing && [b.pricing.originalTotal, b.pricing.bundlePrice, b.pricing.savings]]));
      expect(pricing).to.deep.equal({
        fixed: ['34.99', '29.99', '5.00'],
        free: ['32.49', '19.99', '12.50'],
        tiers: ['37.50', '33.75', '3.75'],
        bxgy: ['34.99', '27.49', '7.50'],
        unknown: null,
        'too-much': null,
      });
      const unknown = saved.find((b: any) => b.key === 'unknown');
      expect(unknown.items[1]).to.deep.equal({ sku: 'NOT-IN-CATALOG', variantId: null, quantity: 1, role: 'ITEM', title: null, price: null, available: null });
    });

    it('recommendedBundles: ACTIVE bundles with the item, best rank first, out-of-stock ones left out unless asked', async () => {
      const shopB = await createShop('storefront');
      const run = await runWithCatalog(shopB.adminKey);
      ok(await saveBundles(shopB.adminKey, run, [
        { key: 'second', kind: 'FREQUENTLY_BOUGHT_TOGETHER', status: 'ACTIVE', rank: 2, items: [{ sku: 'TEE-BLK-M' }, { sku: 'MUG-01' }] },
        { key: 'first-but-short', kind: 'VOLUME_DISCOUNT', status: 'ACTIVE', rank: 1, items: [{ sku: 'TEE-BLK-M', quantity: 7 }] },
        { key: 'draft', kind: 'FREQUENTLY_BOUGHT_TOGETHER', status: 'DRAFT', rank: 0 + 1, items: [{ sku: 'TEE-BLK-M' }, { sku: 'CAP-RED' }] },
        { key: 'third', kind: 'FREQUENTLY_BOUGHT_TOGETHER', status: 'ACTIVE', rank: 3, items: [{ variantId: '501' }, { sku: 'CAP-RED' }] },
        { key: 'unrelated', kind: 'FREQUENTLY_BOUGHT_TOGETHER', status: 'ACTIVE', rank: 1, items: [{ sku: 'MUG-01' }, { sku: 'CAP-RED' }] },
      ]));
      const query = `query($sku: String, $variantId: String, $inStockOnly: Boolean, $first: Int) {
        recommendedBundles(sku: $sku, variantId: $variantId, inStockOnly: $inStockOnly, first: $first) { key availableQuantity } }`;
      const keys = async (variables: Record<string, unknown>) => ok(await gql(query, variables, { key: await shopB.readKey() })).recommendedBundles.map((b: any) => `${b.key}:${b.availableQuantity}`);
      // TEE-BLK-M has 6 available: a 7-unit volume bundle is out of stock; CAP-RED has no inventory rows and -2 in the catalog.
      expect(await keys({ sku: 'TEE-BLK-M' })).to.deep.equal(['second:6']);
      expect(await keys({ sku: 'TEE-BLK-M', inStockOnly: false })).to.deep.equal(['first-but-short:0', 'second:6', 'third:0']);
      expect(await keys({ variantId: 'gid://shopify/ProductVariant/501', inStockOnly: false, first: 2 })).to.deep.equal(['first-but-short:0', 'second:6']);
      expect(await keys({ sku: 'NOTHING' })).to.deep.equal([]);
      const blank = await gql(query, {}, { key: shopB.adminKey });
      expect(blank.errors?.[0].extensions?.reason).to.equal('BLANK');
      // A product's gid names no variant, though its number is a variant's here.
      const product = await gql(query, { variantId: 'gid://shopify/Product/501' }, { key: shopB.adminKey });
      expect(product.errors?.[0].extensions?.reason).to.equal('INVALID');
    });

    it('recommendedBundles leaves out a bundle with a product the catalog no longer sells (draft or archived), whatever its stock', async () => {
      const shopE = await createShop('not-for-sale');
      const { uploadCsv } = await import('../helpers/ingest');
      const runId = ok(await gql('mutation { runCreate(input: { name: "for sale" }) { run { id } } }', {}, { key: shopE.adminKey })).runCreate.run.id;
      const catalog =
        'variant_id,sku,product_title,product_status,price,available_total\n' +
        '801,KETTLE,Kettle,active,79.00,10\n' +
        '802,FILTER,Filter,archived,9.00,50\n' +
        '803,SCALE,Scale,active,25.00,5\n';
      expect((await uploadCsv(shopE.adminKey, runId, 'CATALOG', catalog)).payload.upload.status).to.equal('SUCCEEDED');
      ok(await saveBundles(shopE.adminKey, runId, [
        { key: 'gone', kind: 'FREQUENTLY_BOUGHT_TOGETHER', status: 'ACTIVE', rank: 1, items: [{ sku: 'KETTLE' }, { sku: 'FILTER' }] },
        { key: 'sold', kind: 'FREQUENTLY_BOUGHT_TOGETHER', status: 'ACTIVE', rank: 2, items: [{ sku: 'KETTLE' }, { sku: 'SCALE' }] },
      ]));
      const query = 'query($all: Boolean) { recommendedBundles(sku: "KETTLE", inStockOnly: $all) { key availableQuantity items { sku available } } }';
      expect(ok(await gql(query, { all: true }, { key: shopE.adminKey })).recommendedBundles.map((b: any) => b.key)).to.deep.equal(['sold']);
      const all = ok(await gql(query, { all: false }, { key: shopE.adminKey })).recommendedBundles;
      expect(all.map((b: any) => [b.key, b.availableQuantity])).to.deep.equal([['gone', 0], ['sold', 5]]);
      expect(all[0].items[1]).to.deep.equal({ sku: 'FILTER', available: 0 });
    });

    it('recommendedBundles never offers a bundle for nothing: an amount off that the catalog prices fell below since', async () => {
      const shopF = await createShop('price-cut');
      const { uploadCsv } = await import('../helpers/ingest');
      const runId = ok(await gql('mutation { runCreate(input: { name: "price cut" }) { run { id } } }', {}, { key: shopF.adminKey })).runCreate.run.id;
      const catalog = (kettle: string) => `variant_id,sku,product_title,product_status,price,available_total\n801,KETTLE,Kettle,active,${kettle},10\n802,FILTER,Filter,active,9.00,50\n`;
      expect((await uploadCsv(shopF.adminKey, runId, 'CATALOG', catalog('79.00'))).payload.upload.status).to.equal('SUCCEEDED');
      ok(await saveBundles(shopF.adminKey, runId, [
        { key: 'kit', kind: 'FREQUENTLY_BOUGHT_TOGETHER', status: 'ACTIVE', items: [{ sku: 'KETTLE' }, { sku: 'FILTER' }], discount: { type: 'FIXED_AMOUNT', value: '80' } },
      ]));
      const query = 'query($all: Boolean) { recommendedBundles(sku: "KETTLE", inStockOnly: $all) { key pricing { bundlePrice } } }';
      expect(ok(await gql(query, { all: true }, { key: shopF.adminKey })).recommendedBundles).to.deep.equal([{ key: 'kit', pricing: { bundlePrice: '8.00' } }]);
      expect((await uploadCsv(shopF.adminKey, runId, 'CATALOG', catalog('69.00'))).payload.upload.status).to.equal('SUCCEEDED');
      for (const all of [true, false]) expect(ok(await gql(query, { all }, { key: shopF.adminKey })).recommendedBundles).to.deep.equal([]);
    });

    it('recommendedBundles reflects a new stock file and an archived bundle at once', async () => {
      const shopC = await createShop('fresh');
      const run = await runWithCatalog(shopC.adminKey);
      const [saved] = ok(await saveBundles(shopC.adminKey, run, [
        { key: 'pair', kind: 'FREQUENTLY_BOUGHT_TOGETHER', status: 'ACTIVE', items: [{ sku: 'TEE-BLK-M' }, { sku: 'MUG-01' }] },
      ])).bundlesSave.bundles;
      const query = '{ recommendedBundles(sku: "TEE-BLK-M") { key availableQuantity items { sku available } } }';
      expect(ok(await gql(query, {}, { key: shopC.adminKey })).recommendedBundles.map((b: any) => b.availableQuantity)).to.deep.equal([6]);
      const { uploadCsv } = await import('../helpers/ingest');
      const restock = await uploadCsv(shopC.adminKey, run, 'INVENTORY', 'inventory_item_id,location_id,available\n9501,1,0\n9501,2,0\n');
      expect(restock.payload.upload.status).to.equal('SUCCEEDED');
      expect(ok(await gql(query, {}, { key: shopC.adminKey })).recommendedBundles).to.deep.equal([]);
      const all = ok(await gql('{ recommendedBundles(sku: "TEE-BLK-M", inStockOnly: false) { key items { sku available } } }', {}, { key: shopC.adminKey })).recommendedBundles;
      expect(all[0].items[0]).to.deep.equal({ sku: 'TEE-BLK-M', available: 0 });
      ok(await gql('mutation($id: ID!) { bundleUpdate(id: $id, input: { status: ARCHIVED }) { userErrors { code } } }', { id: saved.id }, { key: shopC.adminKey }));
      expect(ok(await gql('{ recommendedBundles(sku: "TEE-BLK-M", inStockOnly: false) { key } }', {}, { key: shopC.adminKey })).recommendedBundles).to.deep.equal([]);
    });

    it("recommendedBundles serves the latest run with ACTIVE bundles: a new run of drafts does not take the storefront over", async () => {
      const shopD = await createShop('handover');
      const query = '{ recommendedBundles(sku: "TEE-BLK-M", inStockOnly: false) { key } }';
      const served = async () => ok(await gql(query, {}, { key: shopD.adminKey })).recommendedBundles.map((b: any) => b.key);
      const first = await runWithCatalog(shopD.adminKey);
      ok(await saveBundles(shopD.adminKey, first, [{ key: 'approved', kind: 'FREQUENTLY_BOUGHT_TOGETHER', status: 'ACTIVE', items: [{ sku: 'TEE-BLK-M' }, { sku: 'MUG-01' }] }]));
      expect(await served()).to.deep.equal(['approved']);
      const second = await runWithCatalog(shopD.adminKey);
      const [draft] = ok(await saveBundles(shopD.adminKey, second, [{ key: 'new', kind: 'FREQUENTLY_BOUGHT_TOGETHER', items: [{ sku: 'TEE-BLK-M' }, { sku: 'MUG-01' }] }])).bundlesSave.bundles;
      expect(await served()).to.deep.equal(['approved']);
      ok(await gql('mutation($id: ID!) { bundleUpdate(id: $id, input: { status: ACTIVE }) { userErrors { code } } }', { id: draft.id }, { key: shopD.adminKey }));
      expect(await served()).to.deep.equal(['new']);
    });

    it('batches item lookups: a page of bundles with items, pricing and stock costs a fixed number of queries', async () => {
      const many = Array.from({ length: 30 }, (_, i) => ({ key: `b${i}`, kind: 'VOLUME_DISCOUNT', items: [{ sku: i % 2 ? 'TEE-BLK-M' : 'MUG-01', quantity: 1 + (i % 3) }] }));
      ok(await saveBundles(shop.adminKey, runId, many));
      const { result, statements } = await captureSql(() =>
        gql(`query($runId: ID!) { run(id: $runId) { bundles(first: 30) { nodes { ${BUNDLE_FIELDS} } } } }`, { runId }, { key: shop.adminKey }),
      );
      expect(ok(result).run.bundles.nodes).to.have.length(30);
      expect(statements.length, statements.join('\n')).to.be.at.most(5);
    });
  });

  describe('storefront responses kept whole', () => {
    const QUERY = '{ recommendedBundles(sku: "TEE-BLK-M", inStockOnly: false) { key title items { sku price available } pricing { bundlePrice } } }';
    let storefront: TestShop;
    let readKey: string;
    before(async () => {
      storefront = await createShop('kept');
      const run = await runWithCatalog(storefront.adminKey);
      ok(await saveBundles(storefront.adminKey, run, [
        { key: 'pair', kind: 'FREQUENTLY_BOUGHT_TOGETHER', status: 'ACTIVE', title: 'Pair', items: [{ sku: 'TEE-BLK-M' }, { sku: 'MUG-01' }] },
      ]));
      readKey = await storefront.readKey();
      // The shop's first version check drops the answers computed before it (they cannot say what they read).
      ok(await gql(QUERY, {}, { key: readKey }));
      await new Promise((resolve) => setTimeout(resolve, 300));
    });

    it('answers a repeated query without executing it', async () => {
      const first = await captureSql(() => gql(QUERY, {}, { key: readKey }));
      expect(ok(first.result).recommendedBundles.map((b: any) => b.key)).to.deep.equal(['pair']);
      expect(first.statements.length).to.be.greaterThan(0);
      const again = await captureSql(() => gql(QUERY, {}, { key: readKey, headers: { 'x-request-id': 'kept-1' } }));
      expect(again.result.data).to.deep.equal(first.result.data);
      expect(again.statements).to.deep.equal([]);
      expect(again.result.headers.get('x-request-id')).to.equal('kept-1');
      expect(again.result.headers.get('content-type')).to.equal(first.result.headers.get('content-type'));
    });

    it('gzips a large kept response for clients that take gzip, and sends it plain to the others', async () => {
      const large = await createShop('kept-large');
      const run = await runWithCatalog(large.adminKey);
      const description = 'A long description of a pair that goes well together. '.repeat(30);
      ok(await saveBundles(large.adminKey, run, Array.from({ length: 8 }, (_, i) => ({
        key: `pair-${i}`, kind: 'FREQUENTLY_BOUGHT_TOGETHER', status: 'ACTIVE', items: [{ sku: 'TEE-BLK-M' }, { sku: 'MUG-01', quantity: i + 1 }], copy: { description },
      }))));
      const key = await large.readKey();
      const query = '{ recommendedBundles(sku: "TEE-BLK-M", inStockOnly: false, first: 8) { key copy { description } } }';
      ok(await gql(query, {}, { key }));
      await new Promise((resolve) => setTimeout(resolve, 300));
      const ask = (encoding: string) =>
        fetch(getHarness().graphqlUrl, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'accept-encoding': encoding }, body: JSON.stringify({ query }) });
      const fresh = await ask('gzip');
      const kept = await captureSql(() => ask('gzip'));
      const plain = await ask('identity');
      expect([fresh, kept.result, plain].map((r) => r.headers.get('content-encoding'))).to.deep.equal(['gzip', 'gzip', null]);
      expect(kept.statements).to.deep.equal([]);
      expect(Number(plain.headers.get('content-length'))).to.be.greaterThan(8 * 1024);
      const bodies = await Promise.all([fresh, kept.result, plain].map(async (r) => ((await r.json()) as any).data.recommendedBundles.length));
      expect(bodies).to.deep.equal([8, 8, 8]);
      for (const r of [kept.result, plain]) expect(r.headers.get('vary')).to.match(/Accept, Accept-Encoding/);
    });

    it("never answers one shop with another's response to the same text", async () => {
      ok(await gql(QUERY, {}, { key: readKey }));
      const other = await createShop('kept-other');
      const answer = await gql(QUERY, {}, { key: await other.readKey() });
      expect(ok(answer).recommendedBundles).to.deep.equal([]);
    });

    it('drops a kept response when the bundles change, and serves the new one', async () => {
      const [bundle] = ok(await gql(QUERY.replace('title', 'id title'), {}, { key: readKey })).recommendedBundles;
      ok(await gql(QUERY, {}, { key: readKey }));
      ok(await gql('mutation($id: ID!) { bundleUpdate(id: $id, input: { title: "Renamed" }) { userErrors { code } } }', { id: bundle.id }, { key: storefront.adminKey }));
      expect(ok(await gql(QUERY, {}, { key: readKey })).recommendedBundles[0].title).to.equal('Renamed');
    });

    it("does not keep a response that asks for a bundle's run, which is read at execution", async () => {
      const withRun = '{ recommendedBundles(sku: "TEE-BLK-M", inStockOnly: false) { key ...withRun } } fragment withRun on Bundle { run { name } }';
      ok(await gql(withRun, {}, { key: readKey }));
      const again = await captureSql(() => gql(withRun, {}, { key: readKey }));
      expect(ok(again.result).recommendedBundles[0].run.name).to.be.a('string');
      expect(again.statements.some((sql) => /from "runs"/.test(sql))).to.equal(true);
    });

    it('does not keep a response that also asks for fields outside the storefront path', async () => {
      const mixed = '{ recommendedBundles(sku: "TEE-BLK-M") { key } runs(first: 100) { nodes { name } } }';
      const before = ok(await gql(mixed, {}, { key: readKey })).runs.nodes.length;
      await createRun(storefront.adminKey, 'one more run');
      expect(ok(await gql(mixed, {}, { key: readKey })).runs.nodes.length).to.equal(before + 1);
    });

    it("the shop's data version, by which other processes find writes, changes with every write and never comes back", async () => {
      const { shopDataVersion } = await import('../../src/bundles/recommendations');
      const version = () => shopDataVersion(getHarness().server.database.orm.em.fork(), storefront.id);
      const seen = [await version()];
      const run = await runWithCatalog(storefront.adminKey);
      seen.push(await version());
      const [added] = ok(await saveBundles(storefront.adminKey, run, [{ key: 'v', kind: 'FIXED', items: [{ sku: 'MUG-01' }] }])).bundlesSave.bundles;
      seen.push(await version());
      ok(await gql('mutation($id: ID!) { bundleUpdate(id: $id, input: { rank: 7 }) { userErrors { code } } }', { id: added.id }, { key: storefront.adminKey }));
      seen.push(await version());
      ok(await gql('mutation($ids: [ID!]!) { bundlesDelete(ids: $ids) { userErrors { code } } }', { ids: [added.id] }, { key: storefront.adminKey }));
      seen.push(await version()); // the bundles are as they were before the save: the version is not
      expect(new Set(seen).size, seen.join(' | ')).to.equal(seen.length);
      expect(await version()).to.equal(seen[seen.length - 1]);
    });

    it('still refuses a revoked key that asks the same thing', async () => {
      const created = ok(await gql('mutation { apiKeyCreate(input: { scope: READ, name: "soon revoked" }) { apiKey { id } token } }', {}, { key: storefront.adminKey })).apiKeyCreate;
      ok(await gql(QUERY, {}, { key: created.token }));
      ok(await gql('mutation($id: ID!) { apiKeyRevoke(id: $id) { userErrors { code } } }', { id: created.apiKey.id }, { key: storefront.adminKey }));
      const refused = await gql(QUERY, {}, { key: created.token });
      expect(refused.status).to.equal(401);
      expect(refused.errors?.[0].extensions?.code).to.equal('UNAUTHENTICATED');
    });
  });
});
