import { expect } from 'chai';
import { confidenceBound } from '../../src/generation/mining';
import { gql, ok } from '../helpers/client';
import { createRun, createShop, type TestShop } from '../helpers/shop';
import { droppedOf, generateOk, generationFixture, uploadOk } from '../helpers/generation';

/**
 * Ten kept orders over five items (A 10.00, B 20.00, C 5.00, D 8.00, E 30.00), plus one voided and one
 * cancelled order that are left out:
 *   1-4: A B (3 also C)   5: A C   6-7: C D   8: C D E   9: E   10: D
 * Orders per item: A 5, B 4, C 5, D 4, E 2 (E is pruned: below 3 orders). N = 10.
 * Pairs among A-D: AB 4, AC 2, BC 1, CD 3; only AB and CD reach the minimum of 3 co-orders (the candidates).
 *   AB: support 0.4, confidence A->B 0.8, B->A 1.0, lift 4*10/(5*4) = 2.0,
 *       LLR of [[4,1],[0,5]] = 8.456209...; score 1.0 * 2/5 * (1 + log10(1 + 30)) = 0.996545...
 *   CD: support 0.3, confidence C->D 0.6, D->C 0.75, lift 3*10/(5*4) = 1.5,
 *       LLR of [[3,2],[1,4]] = 1.726092...; score 0.75 * 1.5/5 * (1 + log10(1 + 13)) = 0.482879...
 */
describe('bundle generation: a hand-computed history', function () {
  this.timeout(60_000);
  let shop: TestShop;
  let runId: string;

  before(async () => {
    shop = await createShop('gen-hand');
    runId = await createRun(shop.adminKey, 'hand');
    await uploadOk(shop.adminKey, runId, 'ORDERS', generationFixture('hand-orders.csv'));
    await uploadOk(shop.adminKey, runId, 'CATALOG', generationFixture('hand-catalog.csv'));
  });

  it('reports exact support, confidence, lift and ranks, and why the other pairs were dropped', async () => {
    const { generation, bundles } = await generateOk(shop.adminKey, runId, { minMultiItemOrders: 5 });
    expect(generation.status).to.equal('SUCCEEDED');
    expect(generation.strategy).to.equal('ASSOCIATION_RULES');
    expect(generation.ordersConsidered).to.equal(10);
    expect(generation.itemsConsidered).to.equal(5);
    // AC (2 orders) and BC (1) are below the co-order minimum: not candidates.
    expect(generation.candidatePairs).to.equal(2);
    expect(droppedOf(generation)).to.deep.equal({ cancelled_orders: 2, below_min_llr: 1 });

    expect(bundles.map((b: any) => [b.rank, b.kind, b.key])).to.deep.equal([
      [1, 'FREQUENTLY_BOUGHT_TOGETHER', 'FREQUENTLY_BOUGHT_TOGETHER:v:1+v:2'],
      [2, 'BUY_X_GET_Y', 'BUY_X_GET_Y:buy:v:2+get:v:1'],
    ]);
    const [ab, bxgy] = bundles;
    expect(ab.support).to.equal(0.4);
    expect(ab.confidence).to.equal(1);
    expect(ab.lift).to.equal(2);
    expect(ab.orderCount).to.equal(4);
    // The score counts on the confidence the orders show at the least: 4 of 4 is a 95% lower bound of 0.51.
    expect(ab.score).to.be.closeTo(confidenceBound(4, 4) * 0.4 * (1 + Math.log10(31)), 1e-6);
    expect(ab.source).to.equal('GENERATED');
    expect(ab.status).to.equal('DRAFT');
    expect(ab.objective).to.equal('increase_aov');
    expect(ab.items.map((i: any) => [i.sku, i.variantId, i.quantity])).to.deep.equal([['A', '1', 1], ['B', '2', 1]]);
    // Confidence 1.0 is strong evidence: the smallest discount of increase_aov (5-20%).
    expect(ab.discount).to.deep.equal({ type: 'PERCENTAGE', value: '5', tiers: null });
    expect(ab.pricing).to.deep.equal({ originalTotal: '30.00', bundlePrice: '28.50', savings: '1.50', savingsPercentage: 5 });
    expect(ab.copy.title).to.equal('Frequently bought together: Alpha + Bravo');
    // The copy speaks in the discount's terms; totals, which follow the catalog, are in pricing.
    expect(ab.copy.savingsMessage).to.equal('Save 5% on the bundle');
    expect(ab.copy.description).to.equal('Customers often buy Alpha and Bravo together. Get both and save 5%.');

    // B (20.00) triggers A (10.00): confidence(A | B) = 4/4; scored as the pair times 0.9 (A is not a slow mover).
    expect(bxgy.items.map((i: any) => [i.sku, i.role])).to.deep.equal([['B', 'BUY'], ['A', 'GET']]);
    expect(bxgy.confidence).to.equal(1);
    expect(bxgy.score).to.be.closeTo(0.9 * confidenceBound(4, 4) * 0.4 * (1 + Math.log10(31)), 1e-6);
    expect(bxgy.pricing).to.deep.equal({ originalTotal: '30.00', bundlePrice: '29.50', savings: '0.50', savingsPercentage: 1.67 });
  });

  it("drafts a generated bundle's copy again when its discount changes, keeping the fields the merchant wrote", async () => {
    const { bundles } = await generateOk(shop.adminKey, runId, { minMultiItemOrders: 5 });
    const ab = bundles.find((b: any) => b.key === 'FREQUENTLY_BOUGHT_TOGETHER:v:1+v:2');
    const update = `mutation($id: ID!, $input: BundleUpdateInput!) { bundleUpdate(id: $id, input: $input) {
      bundle { title pricing { bundlePrice savings currency } copy { title badge savingsMessage description } } userErrors { code } } }`;
    const redrafted = ok(await gql(update, { id: ab.id, input: { discount: { type: 'PERCENTAGE', value: '20' } } }, { key: shop.adminKey })).bundleUpdate.bundle;
    expect(redrafted.pricing).to.deep.equal({ bundlePrice: '24.00', savings: '6.00', currency: 'USD' });
    expect(redrafted.copy).to.deep.include({ badge: 'Save 20%', savingsMessage: 'Save 20% on the bundle' });
    expect(redrafted.copy.description).to.contain('save 20%');
    expect(redrafted.title).to.equal(ab.copy.title);
    // An amount off is written in the run's currency; a free item is named.
    const fixed = ok(await gql(update, { id: ab.id, input: { discount: { type: 'FIXED_AMOUNT', value: '4' } } }, { key: shop.adminKey })).bundleUpdate.bundle;
    expect(fixed.copy).to.deep.include({ badge: 'Save $4.00', savingsMessage: 'Save $4.00 on the bundle' });
    const free = ok(await gql(update, { id: ab.id, input: { discount: { type: 'FREE_ITEM' } } }, { key: shop.adminKey })).bundleUpdate.bundle;
    expect(free.copy).to.deep.include({ badge: 'Free item', savingsMessage: 'The cheapest item is free' });
    expect(free.pricing).to.deep.equal({ bundlePrice: '20.00', savings: '10.00', currency: 'USD' });
    const given = ok(await gql(update, { id: ab.id, input: { discount: { type: 'PERCENTAGE', value: '10' }, copy: { badge: 'Ten off' } } }, { key: shop.adminKey })).bundleUpdate.bundle;
    expect(given.copy).to.deep.include({ badge: 'Ten off', savingsMessage: 'Save 10% on the bundle' });
    // The merchant's badge stays theirs when the discount changes again; what they left as drafted follows it.
    const kept = ok(await gql(update, { id: ab.id, input: { discount: { type: 'PERCENTAGE', value: '15' } } }, { key: shop.adminKey })).bundleUpdate.bundle;
    expect(kept.copy).to.deep.include({ badge: 'Ten off', savingsMessage: 'Save 15% on the bundle' });
    expect(kept.copy.description).to.contain('save 15%');
    // A badge the merchant cleared stays cleared.
    ok(await gql(update, { id: ab.id, input: { copy: { badge: null } } }, { key: shop.adminKey }));
    const cleared = ok(await gql(update, { id: ab.id, input: { discount: { type: 'PERCENTAGE', value: '12' } } }, { key: shop.adminKey })).bundleUpdate.bundle;
    expect(cleared.copy).to.deep.include({ badge: null, savingsMessage: 'Save 12% on the bundle' });
    // The bundle's title follows the copy's while they are the same; once given a title of its own, it keeps it.
    const retitled = ok(await gql(update, { id: ab.id, input: { copy: { title: 'Starter pair' } } }, { key: shop.adminKey })).bundleUpdate.bundle;
    expect([retitled.title, retitled.copy.title]).to.deep.equal(['Starter pair', 'Starter pair']);
    ok(await gql(update, { id: ab.id, input: { title: 'AB pair (internal)' } }, { key: shop.adminKey }));
    const apart = ok(await gql(update, { id: ab.id, input: { copy: { title: 'The pair' } } }, { key: shop.adminKey })).bundleUpdate.bundle;
    expect([apart.title, apart.copy.title]).to.deep.equal(['AB pair (internal)', 'The pair']);
  });

  it('says why nothing was written by the reasons of candidates, not by the orders left out', async () => {
    const { generation } = await generateOk(shop.adminKey, runId, { minMultiItemOrders: 5, minLift: 1000, fallbackBundles: 0 });
    expect(generation.bundlesWritten).to.equal(0);
    expect(droppedOf(generation).cancelled_orders).to.equal(2);
    expect(generation.message).to.match(/candidates were dropped most often for below_min_lift 2\.$/);
  });

  it('computes the log-likelihood ratio in SQL: CD passes with a lower minimum, with its exact figures', async () => {
    const { generation, bundles } = await generateOk(shop.adminKey, runId, { minMultiItemOrders: 5, minLlr: 1.7 });
    expect(droppedOf(generation)).to.deep.equal({ cancelled_orders: 2 });
    const cd = bundles.find((b: any) => b.key === 'FREQUENTLY_BOUGHT_TOGETHER:v:3+v:4');
    expect(cd).to.include({ support: 0.3, confidence: 0.75, lift: 1.5, orderCount: 3 });
    expect(cd.score).to.be.closeTo(confidenceBound(3, 4) * 0.3 * (1 + Math.log10(14)), 1e-6);
    expect(bundles.map((b: any) => b.key)).to.deep.equal([
      'FREQUENTLY_BOUGHT_TOGETHER:v:1+v:2',
      'BUY_X_GET_Y:buy:v:2+get:v:1',
      'FREQUENTLY_BOUGHT_TOGETHER:v:3+v:4',
      'BUY_X_GET_Y:buy:v:4+get:v:3',
    ]);
    expect(bundles.map((b: any) => b.rank)).to.deep.equal([1, 2, 3, 4]);
    const { generation: strict } = await generateOk(shop.adminKey, runId, { minMultiItemOrders: 5, minLlr: 1.73 });
    expect(droppedOf(strict).below_min_llr).to.equal(1);
  });

  it('drops pairs below the lift and confidence minimums, with their reasons', async () => {
    const { generation, bundles } = await generateOk(shop.adminKey, runId, { minMultiItemOrders: 5, minLlr: 0, minLift: 1.6 });
    expect(droppedOf(generation)).to.deep.equal({ cancelled_orders: 2, below_min_lift: 1 });
    expect(bundles.map((b: any) => b.key)).to.deep.equal(['FREQUENTLY_BOUGHT_TOGETHER:v:1+v:2', 'BUY_X_GET_Y:buy:v:2+get:v:1']);
    const { generation: confident } = await generateOk(shop.adminKey, runId, { minMultiItemOrders: 5, minLlr: 0, minConfidence: 0.8 });
    expect(droppedOf(confident).below_min_confidence).to.equal(1);
  });

  it('leaves orders above the basket size cap out of the pair statistics', async () => {
    // Orders 3 (A B C) and 8 (C D E) hold more than 2 items: N = 8, A 4, B 3, AB 3 (orders 1, 2, 4), CD 2.
    const { generation, bundles } = await generateOk(shop.adminKey, runId, { minMultiItemOrders: 5, maxBasketSize: 2, minLlr: 0 });
    expect(generation.ordersConsidered).to.equal(10);
    expect(generation.candidatePairs).to.equal(1);
    expect(droppedOf(generation)).to.deep.equal({ cancelled_orders: 2, oversized_orders: 2 });
    expect(bundles[0]).to.include({ key: 'FREQUENTLY_BOUGHT_TOGETHER:v:1+v:2', support: 0.375, confidence: 1, lift: 2, orderCount: 3 });
  });

  it('reads every order of a file without financial status and cancellation columns as kept', async () => {
    const bare = createRun(shop.adminKey, 'no status columns');
    const withoutStatus = generationFixture('hand-orders.csv')
      .toString('utf8')
      .split('\n')
      .map((line) => line.split(',').filter((_, column) => column !== 8 && column !== 9).join(','))
      .join('\n');
    expect(withoutStatus.split('\n')[0]).to.equal('order_id,created_at,line_item_id,variant_id,product_id,sku,quantity,price,currency');
    const id = await bare;
    await uploadOk(shop.adminKey, id, 'ORDERS', withoutStatus);
    await uploadOk(shop.adminKey, id, 'CATALOG', generationFixture('hand-catalog.csv'));
    const { generation } = await generateOk(shop.adminKey, id, { minMultiItemOrders: 5 });
    expect(generation.ordersConsidered).to.equal(12);
    expect(droppedOf(generation).cancelled_orders).to.equal(undefined);
  });

  it('counts cancelled and voided orders when told to', async () => {
    const { generation } = await generateOk(shop.adminKey, runId, { minMultiItemOrders: 5, includeCancelled: true });
    expect(generation.ordersConsidered).to.equal(12);
    expect(droppedOf(generation).cancelled_orders).to.equal(undefined);
  });
});
