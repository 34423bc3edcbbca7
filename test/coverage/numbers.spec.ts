import { expect } from 'chai';
import { gql, ok } from '../helpers/client';
import { fixture } from '../helpers/ingest';
import { createRun, createShop, type TestShop } from '../helpers/shop';
import { ALL_FIELDS, MATCH, coverageOf, coverageResponse, upload, uploadFixtureRun } from './helpers';

/*
 * The hand-checked run (test/fixtures/coverage). Lines as (variant id, SKU, quantity):
 *   1001: L1 (101, A, 2)   L2 (102, B, 1)            two items
 *   1002: L3 (101, A, 1)
 *   1003: L4 (-, C, 3)     L5 (-, C, 1)              one item (SKU C twice)
 *   1004: L6 (103, D, 1)   L7 (-, E, 2)              two items
 *   1005: L8 (106, G, 4)
 *   1006: L9 (107, -, 1)   L10 (107, H, 1)           one item (variant 107 twice)
 *   1007: L11 (-, A, 5)    L12 (101, A, 1)           two items: SKU A and variant 101
 * orders 7, lines 12, multi-item orders 3, SKUs A B C D E G H = 7.
 *
 * variants: (101, A) (102, B-NEW) (104, D) (105, F), all with variant ids, so a line with a variant id matches only
 *   on it: L1 L2 L3 L12 by id, L11 (no id) on SKU A. L6 (103, D) does not: D belongs to variant 104.
 *   5 lines; SKUs A, B (found through variant 102 although the file calls it B-NEW), D (the file has it, under
 *   another variant, so L6 stays unmatched) = 3. Unmatched SKUs: C (2 lines, 4 units), E, G, H.
 * catalog: (101, A) (-, D) (-, C) (200, E): L1 L3 L12 by id; L6 on D (the row has no variant id); L4 L5 L7 L11
 *   (no id) on SKU. 8 lines; SKUs A C D E = 4. Unmatched: B, G, H.
 * inventory: inventory item 9001 reaches variant (101, A); (-, C) on its own; 9999 reaches nothing; variant 102 on
 *   its own; 9005 reaches (105, F); 9004 reaches the catalog row (-, D). L1 L2 L3 L12 by id, L6 on D, L4 L5 L11
 *   on SKU. 8 lines; SKUs A B C D = 4. Unmatched: E, G, H.
 */
describe('coverage: numbers', () => {
  let shop: TestShop;
  before(async () => {
    shop = await createShop('coverage');
  });

  it('coverage of the hand-checked run: every count, ratio and unmatched SKU', async () => {
    const runId = await createRun(shop.adminKey, 'hand-checked');
    await uploadFixtureRun(shop.adminKey, runId);
    const coverage = await coverageOf(shop.adminKey, runId);
    expect(coverage).to.deep.equal({
      orders: 7,
      orderLines: 12,
      multiItemOrders: 3,
      distinctSkusOrdered: 7,
      variants: { matchedLines: 5, unmatchedLines: 7, lineRatio: 5 / 12, matchedSkus: 3, skuRatio: 3 / 7 },
      catalog: { matchedLines: 8, unmatchedLines: 4, lineRatio: 8 / 12, matchedSkus: 4, skuRatio: 4 / 7 },
      inventory: { matchedLines: 8, unmatchedLines: 4, lineRatio: 8 / 12, matchedSkus: 4, skuRatio: 4 / 7 },
      unmatchedSkus: [
        { sku: 'B', orderLines: 1, quantity: 1 },
        { sku: 'G', orderLines: 1, quantity: 4 },
        { sku: 'H', orderLines: 1, quantity: 1 },
      ],
    });

    const lists = ok(
      await gql(
        `query($id: ID!) { run(id: $id) { coverage {
          variants: unmatchedSkus(against: VARIANTS) { sku orderLines quantity }
          firstTwo: unmatchedSkus(against: VARIANTS, first: 2) { sku }
          none: unmatchedSkus(against: VARIANTS, first: 0) { sku }
          inventory: unmatchedSkus(against: INVENTORY, first: 250) { sku orderLines quantity }
          catalog: unmatchedSkus(against: CATALOG, first: 1) { sku }
        } } }`,
        { id: runId },
        { key: shop.adminKey },
      ),
    ).run.coverage;
    expect(lists).to.deep.equal({
      variants: [
        { sku: 'C', orderLines: 2, quantity: 4 },
        { sku: 'E', orderLines: 1, quantity: 2 },
        { sku: 'G', orderLines: 1, quantity: 4 },
        { sku: 'H', orderLines: 1, quantity: 1 },
      ],
      firstTwo: [{ sku: 'C' }, { sku: 'E' }],
      none: [],
      inventory: [
        { sku: 'E', orderLines: 1, quantity: 2 },
        { sku: 'G', orderLines: 1, quantity: 4 },
        { sku: 'H', orderLines: 1, quantity: 1 },
      ],
      catalog: [{ sku: 'B' }],
    });

    // The same answers once the parts are cached, and from a READ key.
    expect(await coverageOf(await shop.readKey(), runId)).to.deep.equal(coverage);
  });

  it('unmatchedSkus refuses ORDERS and a "first" outside 0..250 as bad input', async () => {
    const runId = await createRun(shop.adminKey);
    for (const args of ['against: ORDERS', 'first: -1', 'first: 251']) {
      const response = await coverageResponse(shop.adminKey, runId, `unmatchedSkus(${args}) { sku }`);
      expect(response.errors?.[0]?.extensions?.code, args).to.equal('BAD_USER_INPUT');
      expect(response.errors?.[0]?.extensions?.reason, args).to.equal('INVALID_ARGUMENT');
    }
  });

  it('zero divisions: a run without uploads, one without orders, one whose lines carry no SKU', async () => {
    const zeroMatch = { matchedLines: 0, unmatchedLines: 0, lineRatio: 0, matchedSkus: 0, skuRatio: 0 };
    const empty = {
      orders: 0,
      orderLines: 0,
      multiItemOrders: 0,
      distinctSkusOrdered: 0,
      variants: zeroMatch,
      catalog: zeroMatch,
      inventory: zeroMatch,
      unmatchedSkus: [],
    };
    const blank = await createRun(shop.adminKey, 'nothing uploaded');
    expect(await coverageOf(shop.adminKey, blank)).to.deep.equal(empty);

    const noOrders = await createRun(shop.adminKey, 'catalog only');
    await uploadFixtureRun(shop.adminKey, noOrders, ['VARIANTS', 'CATALOG', 'INVENTORY']);
    expect(await coverageOf(shop.adminKey, noOrders)).to.deep.equal(empty);

    // Lines identified by variant id only: lines match, but there is no SKU to count, so skuRatio is 0.
    const noSkus = await createRun(shop.adminKey, 'variant ids only');
    await upload(
      shop.adminKey,
      noSkus,
      'ORDERS',
      'order_id,created_at,line_item_id,variant_id,quantity\n1,2025-01-01,1,101,1\n1,2025-01-01,2,999,2\n2,2025-01-02,3,101,1\n',
    );
    await upload(shop.adminKey, noSkus, 'VARIANTS', 'variant_id,sku\n101,A\n');
    expect(await coverageOf(shop.adminKey, noSkus, `orders orderLines multiItemOrders distinctSkusOrdered variants { ${MATCH} } catalog { ${MATCH} }
      unmatchedSkus(against: VARIANTS) { sku }`)).to.deep.equal({
      orders: 2,
      orderLines: 3,
      multiItemOrders: 1,
      distinctSkusOrdered: 0,
      variants: { matchedLines: 2, unmatchedLines: 1, lineRatio: 2 / 3, matchedSkus: 0, skuRatio: 0 },
      catalog: { matchedLines: 0, unmatchedLines: 3, lineRatio: 0, matchedSkus: 0, skuRatio: 0 },
      unmatchedSkus: [],
    });
  });

  it('the single counts asked alone (counted live) agree with the computed parts, for several runs at once', async () => {
    const singles = 'orders orderLines distinctSkusOrdered';
    const handChecked = await createRun(shop.adminKey, 'singles: hand-checked');
    await uploadFixtureRun(shop.adminKey, handChecked);
    const blank = await createRun(shop.adminKey, 'singles: nothing uploaded');
    // Lines without a SKU, a SKU on several lines and orders, orders of several lines.
    const odd = await createRun(shop.adminKey, 'singles: odd lines');
    await upload(
      shop.adminKey,
      odd,
      'ORDERS',
      'order_id,created_at,line_item_id,variant_id,sku,quantity\n' +
        '1,2025-01-01,1,101,A,1\n1,2025-01-01,2,104,,1\n2,2025-01-02,3,,A,2\n3,2025-01-03,4,102,,1\n3,2025-01-03,5,103,B,1\n',
    );
    const runs = [handChecked, blank, odd];
    const query = `{ ${runs.map((id, i) => `r${i}: run(id: "${id}") { coverage { ${singles} } }`).join(' ')} }`;
    const live = ok(await gql(query, {}, { key: shop.adminKey }));
    expect(runs.map((_, i) => live[`r${i}`].coverage)).to.deep.equal([
      { orders: 7, orderLines: 12, distinctSkusOrdered: 7 },
      { orders: 0, orderLines: 0, distinctSkusOrdered: 0 },
      { orders: 3, orderLines: 5, distinctSkusOrdered: 2 },
    ]);
    for (const runId of runs) {
      const whole = await coverageOf(shop.adminKey, runId);
      expect({ orders: whole.orders, orderLines: whole.orderLines, distinctSkusOrdered: whole.distinctSkusOrdered }).to.deep.equal(
        live[`r${runs.indexOf(runId)}`].coverage,
      );
    }
    // And from the stored parts afterwards.
    const stored = ok(await gql(query, {}, { key: shop.adminKey }));
    expect(stored).to.deep.equal(live);
  });

  it('a missing dataset matches nothing and lists every ordered SKU as unmatched', async () => {
    const runId = await createRun(shop.adminKey, 'orders and variants');
    await uploadFixtureRun(shop.adminKey, runId, ['ORDERS', 'VARIANTS']);
    const coverage = await coverageOf(
      shop.adminKey,
      runId,
      `orderLines variants { ${MATCH} } catalog { ${MATCH} } inventory { ${MATCH} } unmatchedSkus(against: INVENTORY) { sku orderLines quantity }`,
    );
    expect(coverage.variants).to.deep.equal({ matchedLines: 5, unmatchedLines: 7, lineRatio: 5 / 12, matchedSkus: 3, skuRatio: 3 / 7 });
    expect(coverage.catalog).to.deep.equal({ matchedLines: 0, unmatchedLines: 12, lineRatio: 0, matchedSkus: 0, skuRatio: 0 });
    expect(coverage.inventory).to.deep.equal(coverage.catalog);
    expect(coverage.unmatchedSkus).to.deep.equal([
      { sku: 'A', orderLines: 4, quantity: 9 },
      { sku: 'C', orderLines: 2, quantity: 4 },
      { sku: 'B', orderLines: 1, quantity: 1 },
      { sku: 'D', orderLines: 1, quantity: 1 },
      { sku: 'E', orderLines: 1, quantity: 2 },
      { sku: 'G', orderLines: 1, quantity: 4 },
      { sku: 'H', orderLines: 1, quantity: 1 },
    ]);
  });

  it('a SKU whose accent one file writes as a combining mark (as macOS types it) is the same SKU', async () => {
    const runId = await createRun(shop.adminKey, 'accents');
    await upload(shop.adminKey, runId, 'ORDERS', 'order_id,created_at,sku,quantity\n1,2025-12-07,CAFE\u0301-1,1\n1,2025-12-07,THE\u0301,2\n');
    await upload(shop.adminKey, runId, 'CATALOG', 'sku,product_title\nCAF\u00c9-1,Coffee\nTH\u00c9,Tea\n');
    const coverage = await coverageOf(shop.adminKey, runId, `distinctSkusOrdered catalog { ${MATCH} }`);
    expect(coverage).to.deep.equal({
      distinctSkusOrdered: 2,
      catalog: { matchedLines: 2, unmatchedLines: 0, lineRatio: 1, matchedSkus: 2, skuRatio: 1 },
    });
  });

  it("Shopify's orders export against its products and inventory exports: matched by SKU", async () => {
    // Lines: #1060 TEE-BLK-M x2 and MUG-01; #1061 CAP-RED; #1062 gift wrapping (no SKU) and MUG-01 x5.
    // Products: TEE-BLK-M, TEE-BLK-L, MUG-01, a gift card without SKU, CAP-RED. Inventory: TEE-BLK-M at two
    // locations, CAP-RED, and the mug without a SKU (nothing to match it by).
    const runId = await createRun(shop.adminKey, 'shopify');
    await upload(shop.adminKey, runId, 'ORDERS', fixture('shopify-orders.csv'));
    await upload(shop.adminKey, runId, 'CATALOG', fixture('shopify-products-b.csv'));
    await upload(shop.adminKey, runId, 'INVENTORY', fixture('shopify-inventory-newer.csv'));
    const coverage = await coverageOf(
      shop.adminKey,
      runId,
      `${ALL_FIELDS} stock: unmatchedSkus(against: INVENTORY) { sku orderLines quantity } variantsList: unmatchedSkus(against: VARIANTS) { sku }`,
    );
    expect(coverage).to.deep.equal({
      orders: 3,
      orderLines: 5,
      multiItemOrders: 1,
      distinctSkusOrdered: 3,
      variants: { matchedLines: 0, unmatchedLines: 5, lineRatio: 0, matchedSkus: 0, skuRatio: 0 },
      catalog: { matchedLines: 4, unmatchedLines: 1, lineRatio: 0.8, matchedSkus: 3, skuRatio: 1 },
      inventory: { matchedLines: 2, unmatchedLines: 3, lineRatio: 0.4, matchedSkus: 2, skuRatio: 2 / 3 },
      unmatchedSkus: [],
      stock: [{ sku: 'MUG-01', orderLines: 2, quantity: 6 }],
      variantsList: [{ sku: 'MUG-01' }, { sku: 'CAP-RED' }, { sku: 'TEE-BLK-M' }],
    });
  });

  it('several runs in one request, each with its own numbers', async () => {
    const full = await createRun(shop.adminKey, 'full');
    await uploadFixtureRun(shop.adminKey, full);
    const partial = await createRun(shop.adminKey, 'partial');
    await uploadFixtureRun(shop.adminKey, partial, ['ORDERS', 'CATALOG']);
    const data = ok(
      await gql(
        `query($a: ID!, $b: ID!) {
          a: run(id: $a) { coverage { orderLines multiItemOrders catalog { matchedLines } inventory { matchedLines } } }
          b: run(id: $b) { coverage { orderLines multiItemOrders catalog { matchedLines } inventory { matchedLines } } }
        }`,
        { a: full, b: partial },
        { key: shop.adminKey },
      ),
    );
    expect(data.a.coverage).to.deep.equal({ orderLines: 12, multiItemOrders: 3, catalog: { matchedLines: 8 }, inventory: { matchedLines: 8 } });
    expect(data.b.coverage).to.deep.equal({ orderLines: 12, multiItemOrders: 3, catalog: { matchedLines: 8 }, inventory: { matchedLines: 0 } });
  });
});
