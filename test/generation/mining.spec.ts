import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { confidenceBound } from '../../src/generation/mining';
import { generateCatalog, generateOrders, plantedPairs } from '../../bench/generate';
import { gql, ok } from '../helpers/client';
import { CATALOG_HEADER, ORDERS_HEADER, droppedOf, generateOk, uploadOk } from '../helpers/generation';
import { createRun, createShop, type TestShop } from '../helpers/shop';
import { SHOPIFY_ORDERS_HEADER } from '../../src/ingest/csv/layouts';

interface Line {
  order: number;
  financial?: string;
  variant?: string;
  sku: string;
  quantity?: number;
  price: string;
  day?: number;
}

function ordersCsv(lines: Line[], currency = 'USD'): string {
  const rows = lines.map((l) => {
    const day = String(1 + (l.day ?? l.order % 28)).padStart(2, '0');
    return [l.order, `2025-06-${day}T10:00:00Z`, `${l.order}-${l.sku}`, l.variant ?? '', '', l.sku, l.quantity ?? 1, l.price, l.financial ?? 'paid', '', currency].join(',');
  });
  return [ORDERS_HEADER, ...rows].join('\n') + '\n';
}

interface CatalogRow {
  variant: string;
  product: string;
  sku: string;
  title: string;
  price: string;
  status?: string;
  giftCard?: boolean;
  compareAt?: string;
  available?: number | '';
  created?: string;
  tags?: string;
  type?: string;
}

function catalogCsv(rows: CatalogRow[]): string {
  return [
    CATALOG_HEADER,
    ...rows.map((r) =>
      [r.variant, r.product, r.sku, r.title, 'Default Title', r.type ?? 'Goods', 'Acme', r.tags ?? '', r.status ?? 'active', r.price, r.compareAt ?? '', '', r.available ?? 50, r.created ?? '2024-01-01T00:00:00Z', r.giftCard ? 'true' : 'false', 'deny'].join(','),
    ),
  ].join('\n') + '\n';
}

async function runWith(shop: TestShop, orders: string, catalog: string, name: string): Promise<string> {
  const runId = await createRun(shop.adminKey, name);
  await uploadOk(shop.adminKey, runId, 'ORDERS', orders);
  await uploadOk(shop.adminKey, runId, 'CATALOG', catalog);
  return runId;
}

describe('bundle generation: mining a history', function () {
  this.timeout(120_000);
  let shop: TestShop;

  before(async () => {
    shop = await createShop('gen-mining');
  });

  it('recovers the planted pairs of a synthetic history at the top', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bundlegraph-gen-'));
    try {
      const options = { seed: 7, items: 300, pairs: 6 };
      const orders = generateOrders({ file: path.join(dir, 'orders.csv'), lines: 30_000, ...options });
      const catalog = generateCatalog({ file: path.join(dir, 'catalog.csv'), rows: options.items, seed: options.seed });
      const runId = await runWith(shop, fs.readFileSync(orders.file, 'utf8'), fs.readFileSync(catalog.file, 'utf8'), 'synthetic');
      const { generation, bundles } = await generateOk(shop.adminKey, runId, { maxBundles: 40 }, 40);
      expect(generation.strategy).to.equal('ASSOCIATION_RULES');
      expect(generation.bundlesWritten).to.equal(40);
      const eligible = plantedPairs(options).filter(([a, b]) => a.status === 'active' && b.status === 'active' && a.productIndex !== b.productIndex);
      expect(eligible.length).to.be.at.least(4);
      const fbt = bundles.filter((b: any) => b.kind === 'FREQUENTLY_BOUGHT_TOGETHER').map((b: any) => b.key);
      const expected = eligible.map(([a, b]) => `FREQUENTLY_BOUGHT_TOGETHER:${[`v:${a.variantId}`, `v:${b.variantId}`].sort().join('+')}`);
      expect(fbt.slice(0, eligible.length)).to.have.members(expected);
      // Their figures: about 20% of multi-item orders carry one of the planted pairs.
      for (const bundle of bundles.filter((b: any) => expected.includes(b.key))) {
        expect(bundle.lift).to.be.above(10);
        expect(bundle.confidence).to.be.above(0.5);
        expect(bundle.items.every((i: any) => i.price !== null)).to.equal(true);
      }
      const ranks = bundles.map((b: any) => b.rank);
      expect(ranks).to.deep.equal(Array.from({ length: 40 }, (_, i) => i + 1));
      const scores = bundles.map((b: any) => b.score);
      expect(scores).to.deep.equal([...scores].sort((a: number, b: number) => b - a));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('goes beyond pairs: a triple whose pairs all pass, with exact figures', async () => {
    // Orders 1-6: X Y Z; 7-8: X Y; 9-28: F alone. N = 28; X 8, Y 8, Z 6; XY 8, XZ 6, YZ 6, XYZ 6.
    const lines: Line[] = [];
    for (let order = 1; order <= 6; order++) {
      lines.push({ order, variant: '201', sku: 'X', price: '10.00' }, { order, variant: '202', sku: 'Y', price: '20.00' }, { order, variant: '203', sku: 'Z', price: '30.00' });
    }
    for (let order = 7; order <= 8; order++) lines.push({ order, variant: '201', sku: 'X', price: '10.00' }, { order, variant: '202', sku: 'Y', price: '20.00' });
    for (let order = 9; order <= 28; order++) lines.push({ order, variant: '204', sku: 'F', price: '1.00' });
    const catalog = catalogCsv([
      { variant: '201', product: '21', sku: 'X', title: 'Xylo', price: '10.00' },
      { variant: '202', product: '22', sku: 'Y', title: 'Yoyo', price: '20.00' },
      { variant: '203', product: '23', sku: 'Z', title: 'Zither', price: '30.00' },
      { variant: '204', product: '24', sku: 'F', title: 'Fig', price: '1.00' },
    ]);
    const runId = await runWith(shop, ordersCsv(lines), catalog, 'triples');
    const { bundles } = await generateOk(shop.adminKey, runId, { minMultiItemOrders: 0 });
    // The triple: weakest rule confidence min(6/8, 6/6, 6/6) = 0.75, lift 6 * 28^2 / (8 * 8 * 6) = 12.25,
    // score bound(6 of 8) * 5/5 * (1 + log10(61)) = 1.140. The pairs (lift 3.5: capped-lift factor 0.7): XY, 8 of 8,
    // bound(8, 8) * 0.7 * (1 + log10(31)) = 1.178; YZ and XZ, 6 of 6: 1.156 and 1.111. The BUY_X_GET_Y bundles are
    // all over the per-item cap of 3.
    expect(bundles.map((b: any) => b.key)).to.deep.equal([
      'FREQUENTLY_BOUGHT_TOGETHER:v:201+v:202',
      'FREQUENTLY_BOUGHT_TOGETHER:v:202+v:203',
      'FREQUENTLY_BOUGHT_TOGETHER:v:201+v:202+v:203',
      'FREQUENTLY_BOUGHT_TOGETHER:v:201+v:203',
    ]);
    const [xy, yz, triple] = bundles;
    expect(triple.items.map((i: any) => i.sku)).to.deep.equal(['X', 'Y', 'Z']);
    expect(triple).to.include({ orderCount: 6, confidence: 0.75, lift: 12.25, support: Math.round((6 / 28) * 1e6) / 1e6 });
    expect(triple.score).to.be.closeTo(confidenceBound(6, 8) * (1 + Math.log10(61)), 1e-6);
    expect(xy.score).to.be.closeTo(confidenceBound(8, 8) * 0.7 * (1 + Math.log10(31)), 1e-6);
    expect(yz.score).to.be.closeTo(confidenceBound(6, 6) * 0.7 * (1 + Math.log10(51)), 1e-6);
    // What the bound is for: 3 orders of 6 (0.5 by chance alone, among thousands of pairs) rank below 280 of 450.
    expect(confidenceBound(3, 6)).to.be.below(confidenceBound(280, 450) / 2);
    const { bundles: pairsOnly } = await generateOk(shop.adminKey, runId, { minMultiItemOrders: 0, triples: false });
    expect(pairsOnly.some((b: any) => b.items.length === 3)).to.equal(false);
    const { generation: strict } = await generateOk(shop.adminKey, runId, { minMultiItemOrders: 0, minCoOrders: 7 });
    expect(strict.candidatePairs).to.equal(1);
  });

  it('makes no triple of a strong pair and an item each of them goes with apart: the third must add to the pair', async () => {
    // A+B 30 orders, A+C 10, B+C 10, A+B+C 3, and 100 orders of E+F: N = 153. Every pair passes (lift 2.7, 2.0, 2.0),
    // and so does the triple's own lift (3 * 153^2 / (43 * 43 * 23) = 1.65), but C adds nothing to A+B:
    // 3 * 153 / (33 * 23) = 0.60.
    const lines: Line[] = [];
    let order = 1;
    const add = (times: number, skus: string[]) => {
      for (let i = 0; i < times; i++, order++) for (const sku of skus) lines.push({ order, sku, price: '10.00' });
    };
    add(30, ['A', 'B']);
    add(10, ['A', 'C']);
    add(10, ['B', 'C']);
    add(3, ['A', 'B', 'C']);
    add(100, ['E', 'F']);
    const catalog = catalogCsv(['A', 'B', 'C', 'E', 'F'].map((sku, i) => ({ variant: String(90 + i), product: String(900 + i), sku, title: sku, price: '10.00' })));
    const runId = await runWith(shop, ordersCsv(lines), catalog, 'chance triple');
    const { generation, bundles } = await generateOk(shop.adminKey, runId, { minMultiItemOrders: 0, minLlr: 0 });
    expect(droppedOf(generation).triple_below_min_lift).to.equal(1);
    expect(bundles.filter((b: any) => b.items.length === 3)).to.deep.equal([]);
  });

  it('leaves out gift cards, zero-priced, inactive, excluded and unknown items and the same product\'s variants', async () => {
    // P pairs with each excluded item in 4 orders; Q and R make 20 more orders: N = 48, lift(P, X) = 48/28.
    const partners = [
      { variant: '31', sku: 'GIFT', reason: 'gift_card' },
      { variant: '32', sku: 'FREEBIE', reason: 'zero_price' },
      { variant: '33', sku: 'OLD', reason: 'not_active' },
      { variant: '34', sku: 'SECRET', reason: 'excluded_sku' },
      { variant: '35', sku: 'P-BIG', reason: 'same_product' },
      { variant: '36', sku: 'GHOST', reason: 'unknown_item' },
      { variant: '37', sku: 'PROTECT-1', reason: 'excluded_variant' },
    ];
    const lines: Line[] = [];
    let order = 1;
    for (const partner of partners) {
      for (let i = 0; i < 4; i++, order++) {
        lines.push({ order, variant: '30', sku: 'P', price: '10.00' }, { order, variant: partner.variant, sku: partner.sku, price: '5.00' });
      }
    }
    for (let i = 0; i < 20; i++, order++) lines.push({ order, variant: '40', sku: 'Q', price: '7.00' }, { order, variant: '41', sku: 'R', price: '9.00' });
    const catalog = catalogCsv([
      { variant: '30', product: '300', sku: 'P', title: 'Pot', price: '10.00' },
      { variant: '31', product: '301', sku: 'GIFT', title: 'Gift card', price: '25.00', giftCard: true },
      { variant: '32', product: '302', sku: 'FREEBIE', title: 'Sticker', price: '0.00' },
      { variant: '33', product: '303', sku: 'OLD', title: 'Old lid', price: '5.00', status: 'archived' },
      { variant: '34', product: '304', sku: 'SECRET', title: 'Secret', price: '5.00' },
      { variant: '35', product: '300', sku: 'P-BIG', title: 'Pot large', price: '14.00' },
      { variant: '37', product: '307', sku: 'PROTECT-1', title: 'Package protection', price: '1.95' },
      { variant: '40', product: '400', sku: 'Q', title: 'Quill', price: '7.00' },
      { variant: '41', product: '401', sku: 'R', title: 'Ream', price: '9.00', available: 0 },
    ]);
    const runId = await runWith(shop, ordersCsv(lines), catalog, 'exclusions');
    // SKUs excluded whatever their case; a variant by its gid.
    const { generation, bundles } = await generateOk(shop.adminKey, runId, { excludeSkus: [' secret '], excludeVariantIds: ['gid://shopify/ProductVariant/37'] });
    const dropped = droppedOf(generation);
    for (const partner of partners) expect(dropped[partner.reason], partner.reason).to.equal(1);
    // R is out of stock: it stays in the statistics (stock is applied when serving), so Q + R is generated.
    expect(bundles.map((b: any) => b.key)).to.deep.equal(['FREQUENTLY_BOUGHT_TOGETHER:v:40+v:41', 'BUY_X_GET_Y:buy:v:41+get:v:40']);
    expect(bundles[0].availableQuantity).to.equal(0);
    expect(bundles[0].lift).to.equal(2.4);
  });

  it('leaves out the baskets of orders refunded in full or expired, as of cancelled and voided ones, and lines of no units; a partial refund keeps its basket', async () => {
    const lines: Line[] = [];
    let order = 1;
    // M + N only in refunded orders, then in expired ones (never paid); P + Q in partially refunded ones; R + S in paid ones.
    for (const [a, b, financial] of [['M', 'N', 'refunded'], ['M', 'N', 'expired'], ['P', 'Q', 'partially_refunded'], ['R', 'S', 'paid']] as const) {
      for (let i = 0; i < 10; i++, order++) lines.push({ order, sku: a, price: '10.00', financial }, { order, sku: b, price: '12.00', financial });
    }
    // R with S at quantity 0 (an item removed from the order): no R + S basket; alone, R's.
    for (let i = 0; i < 10; i++, order++) lines.push({ order, sku: 'R', price: '10.00' }, { order, sku: 'S', quantity: 0, price: '12.00' });
    const catalog = catalogCsv(['M', 'N', 'P', 'Q', 'R', 'S'].map((sku, i) => ({ variant: String(70 + i), product: String(700 + i), sku, title: sku, price: '10.00' })));
    const runId = await runWith(shop, ordersCsv(lines), catalog, 'refunds');
    const { generation, bundles } = await generateOk(shop.adminKey, runId, { minMultiItemOrders: 0, minLlr: 0 });
    expect(droppedOf(generation).cancelled_orders).to.equal(20);
    expect(generation.ordersConsidered).to.equal(30);
    const rs = bundles.find((b: any) => b.items.map((i: any) => i.sku).join('+') === 'R+S');
    expect(rs.orderCount).to.equal(10);
    const pairs = new Set(bundles.filter((b: any) => b.kind === 'FREQUENTLY_BOUGHT_TOGETHER').map((b: any) => b.items.map((i: any) => i.sku).join('+')));
    expect([...pairs].sort()).to.deep.equal(['P+Q', 'R+S']);
  });

  it("knows a Shopify export's variants of one product by their handle: two mugs of one product are no bundle", async () => {
    const lines: Line[] = [];
    let order = 1;
    for (let i = 0; i < 12; i++, order++) lines.push({ order, sku: 'MUG-BLK', price: '12.00' }, { order, sku: 'MUG-WHT', price: '12.00' });
    for (let i = 0; i < 12; i++, order++) lines.push({ order, sku: 'MUG-BLK', price: '12.00' }, { order, sku: 'TEA-1', price: '6.00' });
    for (let i = 0; i < 12; i++, order++) lines.push({ order, sku: 'POT-1', price: '30.00' }, { order, sku: 'LID-1', price: '8.00' });
    const products = [
      'Handle,Title,Option1 Name,Option1 Value,Variant SKU,Variant Price,Status',
      'mug,Mug,Color,Black,MUG-BLK,12.00,active',
      'mug,,,White,MUG-WHT,12.00,',
      'tea,Tea,Title,Default Title,TEA-1,6.00,active',
      'pot,Pot,Title,Default Title,POT-1,30.00,active',
      'lid,Lid,Title,Default Title,LID-1,8.00,active',
    ].join('\n');
    const runId = await runWith(shop, ordersCsv(lines), products, 'handles');
    const { generation, bundles } = await generateOk(shop.adminKey, runId, { minMultiItemOrders: 0, minLlr: 0 });
    expect(droppedOf(generation).same_product).to.equal(1);
    const skus = bundles.filter((b: any) => b.kind === 'FREQUENTLY_BOUGHT_TOGETHER').map((b: any) => b.items.map((i: any) => i.sku).sort().join('+'));
    expect(skus).to.include('MUG-BLK+TEA-1');
    expect(skus).to.not.include('MUG-BLK+MUG-WHT');
  });

  it('offers volume discounts with tiers from the observed quantities, capped by stock, and clears slow movers', async () => {
    const lines: Line[] = [];
    let order = 1;
    // V is bought 2, 2, 3, 3, 4, 6 at a time (and once alone); S too, but none sold in the last 30 days of the history.
    for (const quantity of [1, 2, 2, 3, 3, 4, 6]) lines.push({ order: order++, variant: '50', sku: 'V', quantity, price: '4.00', day: 27 });
    for (const quantity of [1, 2, 2, 3, 3, 4, 6]) lines.push({ order: order++, variant: '51', sku: 'S', quantity, price: '6.00', day: 0 });
    for (let i = 0; i < 30; i++) lines.push({ order: order++, variant: '52', sku: 'W', price: '3.00', day: 27 });
    const lineCsv = ordersCsv(lines).replace(/2025-06-01/g, '2025-04-01');
    const catalog = catalogCsv([
      { variant: '50', product: '500', sku: 'V', title: 'Vase', price: '4.00', available: 5 },
      { variant: '51', product: '501', sku: 'S', title: 'Soap', price: '6.00', available: 40 },
      { variant: '52', product: '502', sku: 'W', title: 'Wick', price: '3.00' },
    ]);
    const runId = await runWith(shop, lineCsv, catalog, 'volume');
    const { generation, bundles } = await generateOk(shop.adminKey, runId, { minMultiItemOrders: 0, volumeMinShare: 0.5 });
    expect(generation.strategy).to.equal('ASSOCIATION_RULES');
    const byKey = new Map<string, any>(bundles.map((b: any) => [b.key, b]));
    // V: quantiles 0.5 / 0.75 / 0.9 of [2, 2, 3, 3, 4, 6] are 3, 4, 6; 6 is above its stock of 5.
    const v = byKey.get('VOLUME_DISCOUNT:v:50*3');
    expect(v.objective).to.equal('increase_aov');
    expect(v.discount).to.deep.equal({ type: 'QUANTITY_TIERS', value: null, tiers: [{ minQuantity: 3, percentage: '13' }, { minQuantity: 4, percentage: '20' }] });
    expect(v.confidence).to.be.closeTo(6 / 7, 1e-6);
    expect(v.copy.savingsMessage).to.equal('Buy 3, save 13% · Buy 4, save 20%');
    expect(v.pricing).to.deep.equal({ originalTotal: '12.00', bundlePrice: '10.44', savings: '1.56', savingsPercentage: 13 });
    const s = byKey.get('VOLUME_DISCOUNT:v:51*3');
    expect(s.objective).to.equal('clear_slow_movers');
    expect(s.discount.tiers).to.deep.equal([{ minQuantity: 3, percentage: '17' }, { minQuantity: 4, percentage: '28' }, { minQuantity: 6, percentage: '40' }]);
    expect(byKey.has('VOLUME_DISCOUNT:v:52')).to.equal(false);
  });

  it('picks objectives from catalog signals and writes copy in the run\'s currency', async () => {
    const lines: Line[] = [];
    let order = 1;
    for (let i = 0; i < 6; i++, order++) lines.push({ order, variant: '60', sku: 'NEW', price: '20.00' }, { order, variant: '61', sku: 'OLD', price: '10.00' });
    for (let i = 0; i < 6; i++, order++) lines.push({ order, variant: '62', sku: 'SALE', price: '8.00' }, { order, variant: '63', sku: 'BASE', price: '12.00' });
    for (let i = 0; i < 6; i++, order++) lines.push({ order, variant: '64', sku: 'HAT', price: '15.00' }, { order, variant: '65', sku: 'SCARF', price: '25.00' });
    for (let i = 0; i < 12; i++, order++) lines.push({ order, variant: '66', sku: 'FILL', price: '1.00' });
    const catalog = catalogCsv([
      { variant: '60', product: '600', sku: 'NEW', title: 'Novelty', price: '20.00', created: '2025-06-10T00:00:00Z' },
      { variant: '61', product: '601', sku: 'OLD', title: 'Oldie', price: '10.00' },
      { variant: '62', product: '602', sku: 'SALE', title: 'Sale item', price: '8.00', compareAt: '12.00' },
      { variant: '63', product: '603', sku: 'BASE', title: 'Base', price: '12.00' },
      { variant: '64', product: '604', sku: 'HAT', title: 'Hat', price: '15.00', tags: 'winter' },
      { variant: '65', product: '605', sku: 'SCARF', title: 'Scarf', price: '25.00' },
      { variant: '66', product: '606', sku: 'FILL', title: 'Filler', price: '1.00' },
    ]);
    const runId = await runWith(shop, ordersCsv(lines, 'EUR'), catalog, 'objectives');
    const { bundles } = await generateOk(shop.adminKey, runId, { minMultiItemOrders: 0 });
    const fbt = new Map<string, any>(bundles.filter((b: any) => b.kind === 'FREQUENTLY_BOUGHT_TOGETHER').map((b: any) => [b.key, b]));
    const launch = fbt.get('FREQUENTLY_BOUGHT_TOGETHER:v:60+v:61');
    expect(launch.objective).to.equal('new_launch');
    // Always bought together (confidence 1): the bottom of new_launch's 0-15% range, no discount at all.
    expect(launch.discount).to.equal(null);
    expect(launch.copy.badge).to.equal('New');
    const guard = fbt.get('FREQUENTLY_BOUGHT_TOGETHER:v:62+v:63');
    expect(guard.objective).to.equal('margin_guard');
    expect(guard.discount).to.equal(null);
    const seasonal = fbt.get('FREQUENTLY_BOUGHT_TOGETHER:v:64+v:65');
    expect(seasonal.objective).to.equal('increase_aov');
    expect(seasonal.discount).to.deep.equal({ type: 'PERCENTAGE', value: '5', tiers: null });
    expect(seasonal.copy).to.deep.equal({
      title: 'Frequently bought together: Hat + Scarf',
      description: 'Customers often buy Hat and Scarf together. Get both and save 5%.',
      badge: 'Seasonal pick',
      savingsMessage: 'Save 5% on the bundle',
    });
    expect(seasonal.pricing).to.deep.include({ bundlePrice: '38.00', savings: '2.00' });
    // Amounts in the copy are in the run's currency.
    const fixed = ok(await gql(`mutation($id: ID!) { bundleUpdate(id: $id, input: { discount: { type: FIXED_AMOUNT, value: "3" } }) { bundle { copy { savingsMessage } pricing { currency } } } }`, { id: seasonal.id }, { key: shop.adminKey })).bundleUpdate.bundle;
    expect(fixed).to.deep.equal({ copy: { savingsMessage: 'Save €3.00 on the bundle' }, pricing: { currency: 'EUR' } });
    // Discounts within the caps given.
    const capped = await generateOk(shop.adminKey, runId, { minMultiItemOrders: 0, discountCaps: [{ objective: 'increase_aov', min: 12, max: 12 }] });
    expect(capped.bundles.find((b: any) => b.key === seasonal.key).discount.value).to.equal('12');
  });

  it('matches items across layouts: SKU-only orders to variant ids, variant-id orders to a SKU-only catalog', async () => {
    const lines: Line[] = [];
    let order = 1;
    for (let i = 0; i < 8; i++, order++) lines.push({ order, sku: 'MUG', price: '12.00' }, { order, variant: '101', sku: 'TEA', price: '6.00' });
    for (let i = 0; i < 12; i++, order++) lines.push({ order, variant: '102', sku: 'SPOON', price: '2.00' });
    // The catalog knows MUG's variant id; TEA and SPOON only by SKU (a Shopify products export has no variant ids).
    const catalog = [CATALOG_HEADER, '100,10,MUG,Mug,Default Title,Home,Acme,,active,12.00,,,9,,false,deny', ',11,TEA,Tea,Default Title,Home,Acme,,active,6.00,,,9,,false,deny', ',12,SPOON,Spoon,Default Title,Home,Acme,,active,2.00,,,9,,false,deny'].join('\n') + '\n';
    const runId = await runWith(shop, ordersCsv(lines), catalog, 'layouts');
    const { generation, bundles } = await generateOk(shop.adminKey, runId, { minMultiItemOrders: 0, minLlr: 0 });
    expect(generation.itemsConsidered).to.equal(3);
    const fbt = bundles.find((b: any) => b.kind === 'FREQUENTLY_BOUGHT_TOGETHER');
    expect(fbt.key).to.equal('FREQUENTLY_BOUGHT_TOGETHER:v:100+v:101');
    expect(fbt.items.map((i: any) => [i.sku, i.variantId, i.price])).to.deep.equal([['MUG', '100', '12.00'], ['TEA', '101', '6.00']]);
    expect(fbt.lift).to.equal(2.5);
  });

  it('falls back to volume bundles on the best sellers for a small shop, and says so', async () => {
    const lines: Line[] = [];
    let order = 1;
    for (let i = 0; i < 5; i++, order++) lines.push({ order, variant: '70', sku: 'TOP', price: '9.00', quantity: 1 + (i % 3) }, { order, variant: '71', sku: 'MID', price: '4.00' });
    for (let i = 0; i < 3; i++, order++) lines.push({ order, variant: '70', sku: 'TOP', price: '9.00' });
    const catalog = catalogCsv([
      { variant: '70', product: '700', sku: 'TOP', title: 'Top seller', price: '9.00' },
      { variant: '71', product: '701', sku: 'MID', title: 'Middle', price: '4.00' },
    ]);
    const runId = await runWith(shop, ordersCsv(lines), catalog, 'small shop');
    const { generation, bundles } = await generateOk(shop.adminKey, runId);
    expect(generation.strategy).to.equal('FALLBACK_BEST_SELLERS');
    expect(generation.message).to.equal('Only 5 of 8 orders hold two or more items (association rules need 20), so volume bundles are suggested on the best sellers instead.');
    expect(bundles.map((b: any) => [b.rank, b.key])).to.deep.equal([
      [1, 'VOLUME_DISCOUNT:v:70*2'],
      [2, 'VOLUME_DISCOUNT:v:71*2'],
    ]);
    expect(bundles[0].discount.tiers.map((t: any) => t.minQuantity)).to.deep.equal([2, 3]);
  });

  it('falls back to catalog-only suggestions when no best seller qualifies, and answers zero bundles with a reason', async () => {
    const orders = ordersCsv([{ order: 1, sku: 'MYSTERY', price: '3.00' }, { order: 2, sku: 'MYSTERY', price: '3.00' }]);
    const catalog = catalogCsv([
      { variant: '80', product: '800', sku: 'CUP', title: 'Cup', price: '6.00', type: 'Kitchen' },
      { variant: '81', product: '801', sku: 'PLATE', title: 'Plate', price: '9.00', type: 'Kitchen' },
      { variant: '82', product: '802', sku: 'BOWL', title: 'Bowl', price: '7.00', type: 'Kitchen', status: 'draft' },
      { variant: '83', product: '803', sku: 'SOCK', title: 'Sock', price: '3.00', type: 'Clothing' },
      // The dearest of the kitchen, but sold out by its stock file (its catalog total says 50).
      { variant: '84', product: '804', sku: 'POT', title: 'Pot', price: '20.00', type: 'Kitchen' },
    ]);
    const runId = await runWith(shop, orders, catalog, 'catalog only');
    await uploadOk(shop.adminKey, runId, 'INVENTORY', 'variant_id,location_id,available\n84,1,0\n80,1,3\n');
    const { generation, bundles } = await generateOk(shop.adminKey, runId);
    expect(generation.strategy).to.equal('FALLBACK_CATALOG');
    expect(generation.message).to.contain('from the catalog alone');
    expect(bundles.map((b: any) => [b.key, b.support, b.objective])).to.deep.equal([['FREQUENTLY_BOUGHT_TOGETHER:v:80+v:81', null, 'increase_aov']]);
    // No order shows them together, and the copy does not say so.
    expect(bundles[0].copy.title).to.equal('Pairs well: Plate + Cup');
    expect(bundles[0].copy.description).to.match(/^Plate and Cup go well together\./);
    expect(droppedOf(generation).unknown_item).to.equal(undefined);

    const empty = await runWith(shop, orders, catalogCsv([{ variant: '90', product: '900', sku: 'LONE', title: 'Lone', price: '5.00' }]), 'nothing');
    const none = await generateOk(shop.adminKey, empty);
    expect(none.generation.strategy).to.equal('NONE');
    expect(none.generation.bundlesWritten).to.equal(0);
    expect(none.generation.message).to.contain('No bundle was written');
    expect(none.bundles).to.deep.equal([]);

    // Products without SKU or variant id (a Shopify export of SKU-less products) cannot be named by a bundle.
    const skuless = 'Handle,Title,Type,Option1 Name,Option1 Value,Variant SKU,Variant Price,Status\nkit,Pour-over Kit,Coffee,Title,Default Title,,40.00,active\nfilters,Paper Filters,Coffee,Title,Default Title,,6.00,active\n';
    const nameless = await generateOk(shop.adminKey, await runWith(shop, orders, skuless, 'skuless'));
    expect([nameless.generation.strategy, nameless.bundles]).to.deep.equal(['NONE', []]);
  });

  it("says when the ordered items are in no catalog or variants file of the run", async () => {
    const lines = Array.from({ length: 12 }, (_, i) => [{ order: i + 1, sku: 'ORD-A', price: '5.00' }, { order: i + 1, sku: 'ORD-B', price: '7.00' }]).flat();
    const runId = await runWith(shop, ordersCsv(lines), catalogCsv([{ variant: '70', product: '700', sku: 'OTHER', title: 'Other', price: '4.00' }]), 'unmatched');
    const { generation } = await generateOk(shop.adminKey, runId, { minMultiItemOrders: 5, minLlr: 0 });
    expect(generation.bundlesWritten).to.equal(0);
    expect(droppedOf(generation).unknown_item).to.be.greaterThan(0);
    expect(generation.message).to.match(/Most of the ordered items are in neither the run's catalog nor its variants/);
  });

  it("says why a shop without SKUs gets no pairs: its lines match no item", async () => {
    // A Shopify orders export whose lines carry no SKU: 30 two-line orders, and nothing to match them by.
    const row = (cells: Record<string, string>) => SHOPIFY_ORDERS_HEADER.map((h) => cells[h] ?? '').join(',');
    const lines = Array.from({ length: 30 }, (_, i) => [
      row({ Name: `#${i + 1}`, 'Financial Status': 'paid', Currency: 'USD', 'Created at': '2025-12-07 19:08:25 -0400', 'Lineitem quantity': '1', 'Lineitem name': 'Mug', 'Lineitem price': '9.00' }),
      row({ Name: `#${i + 1}`, 'Created at': '2025-12-07 19:08:25 -0400', 'Lineitem quantity': '1', 'Lineitem name': 'Tea', 'Lineitem price': '5.00' }),
    ]).flat();
    const runId = await runWith(shop, [SHOPIFY_ORDERS_HEADER.join(','), ...lines].join('\n') + '\n', catalogCsv([{ variant: '90', product: '900', sku: 'LONE', title: 'Lone', price: '5.00' }]), 'no skus');
    const { generation } = await generateOk(shop.adminKey, runId);
    expect(generation.message).to.contain('60 of the run\'s 60 order lines name neither a SKU nor a variant id');
  });
});
