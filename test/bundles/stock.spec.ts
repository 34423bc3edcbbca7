import { expect } from 'chai';
import { gql, ok } from '../helpers/client';
import { uploadOk } from '../helpers/generation';
import { saveBundles } from '../helpers/bundles';
import { createRun, createShop, type TestShop } from '../helpers/shop';

const RECOMMENDED = `query($sku: String, $variantId: String, $runId: ID, $inStockOnly: Boolean) {
  recommendedBundles(sku: $sku, variantId: $variantId, runId: $runId, inStockOnly: $inStockOnly) { key availableQuantity }
}`;

const ITEMS = 'key availableQuantity items { sku variantId available }';

/** A run of the shop's with these catalog and inventory files, both of which must be accepted whole. */
async function runWith(shop: TestShop, catalog: string, inventory: string): Promise<string> {
  const runId = await createRun(shop.adminKey, 'stock');
  await uploadOk(shop.adminKey, runId, 'CATALOG', catalog);
  await uploadOk(shop.adminKey, runId, 'INVENTORY', inventory);
  return runId;
}

describe('bundle item stock', () => {
  let shop: TestShop;
  let readKey: string;
  before(async () => {
    shop = await createShop('stock');
    readKey = await shop.readKey();
  });

  const recommended = async (variables: Record<string, unknown>) =>
    ok(await gql(RECOMMENDED, variables, { key: readKey })).recommendedBundles.map((b: any) => `${b.key}:${b.availableQuantity}`);

  describe('variants that share a SKU', () => {
    let runId: string;
    let saved: Record<string, any>;
    before(async () => {
      // Variants 6 and 7 both carry SKU DUP: 6 is sold out, 7 has 10 at loc1 (by inventory item) and 4 at loc2 (by
      // variant id). SOLO's stock row names neither an inventory item nor a variant, so its SKU decides.
      runId = await runWith(
        shop,
        [
          'variant_id,sku,product_title,price,inventory_item_id,available_total,inventory_policy',
          '6,DUP,Six,10.00,16,0,deny',
          '7,DUP,Seven,10.00,17,14,deny',
          '11,SOLO,Solo,5.00,21,3,deny',
        ].join('\n') + '\n',
        [
          'inventory_item_id,variant_id,sku,location_id,available',
          '16,,DUP,loc1,0',
          '17,,DUP,loc1,10',
          ',7,DUP,loc2,4',
          ',,SOLO,loc1,3',
        ].join('\n') + '\n',
      );
      const bundles = ok(await saveBundles(shop.adminKey, runId, [
        { key: 'six', kind: 'FREQUENTLY_BOUGHT_TOGETHER', status: 'ACTIVE', rank: 1, items: [{ variantId: '6' }, { sku: 'SOLO' }] },
        { key: 'seven', kind: 'FREQUENTLY_BOUGHT_TOGETHER', status: 'ACTIVE', rank: 2, items: [{ variantId: '7' }, { sku: 'SOLO' }] },
      ])).bundlesSave.bundles;
      saved = Object.fromEntries(bundles.map((b: any) => [b.key, b]));
    });

    it("counts only the stock of the item's own variant, not of others with its SKU", async () => {
      expect(saved.six.items.map((i: any) => [i.sku, i.variantId, i.available])).to.deep.equal([['DUP', '6', 0], ['SOLO', '11', 3]]);
      expect(saved.six.availableQuantity).to.equal(0);
      expect(saved.seven.items.map((i: any) => [i.sku, i.variantId, i.available])).to.deep.equal([['DUP', '7', 14], ['SOLO', '11', 3]]);
      expect(saved.seven.availableQuantity).to.equal(3);
      const read = ok(await gql(`query($runId: ID!) { bundles(runId: $runId, first: 10) { nodes { ${ITEMS} } } }`, { runId }, { key: shop.adminKey })).bundles.nodes;
      expect(read.map((b: any) => [b.key, b.availableQuantity, b.items.map((i: any) => i.available)])).to.deep.equal([
        ['six', 0, [0, 3]],
        ['seven', 3, [14, 3]],
      ]);
    });

    it('recommendedBundles leaves out the bundle whose variant is sold out, whatever other variants of its SKU hold', async () => {
      expect(await recommended({ variantId: '6', runId })).to.deep.equal([]);
      expect(await recommended({ variantId: 'gid://shopify/ProductVariant/7', runId })).to.deep.equal(['seven:3']);
      expect(await recommended({ sku: 'DUP', runId })).to.deep.equal(['seven:3']);
      expect(await recommended({ sku: 'DUP', runId, inStockOnly: false })).to.deep.equal(['six:0', 'seven:3']);
    });
  });

  it("reaches stock through the variants file's inventory item id when the catalog has none", async () => {
    const runId = await createRun(shop.adminKey, 'stock');
    await uploadOk(shop.adminKey, runId, 'VARIANTS', 'variant_id,sku,price,inventory_item_id\n31,IA,10.00,311\n32,IB,5.00,312\n');
    await uploadOk(shop.adminKey, runId, 'CATALOG', 'variant_id,sku,product_title,price\n31,IA,Alpha,10.00\n32,IB,Beta,5.00\n');
    await uploadOk(shop.adminKey, runId, 'INVENTORY', 'inventory_item_id,location_id,available\n311,L1,0\n312,L1,5\n');
    const [bundle] = ok(await saveBundles(shop.adminKey, runId, [
      { key: 'ab', kind: 'FIXED', status: 'ACTIVE', rank: 1, items: [{ sku: 'IA' }, { sku: 'IB' }] },
    ])).bundlesSave.bundles;
    expect(bundle.items.map((i: any) => [i.sku, i.available])).to.deep.equal([['IA', 0], ['IB', 5]]);
    expect(bundle.availableQuantity).to.equal(0);
    expect(await recommended({ sku: 'IB', runId })).to.deep.equal([]);
  });

  it('finds a bundle saved by SKU by its variant id, and one saved by variant id by its SKU, once a catalog links them', async () => {
    const runId = await createRun(shop.adminKey, 'keys');
    ok(await saveBundles(shop.adminKey, runId, [
      { key: 'by-sku', kind: 'FIXED', status: 'ACTIVE', rank: 1, items: [{ sku: 'L1' }, { sku: 'L2' }] },
      { key: 'by-variant', kind: 'FIXED', status: 'ACTIVE', rank: 2, items: [{ variantId: '803' }, { variantId: '804' }] },
    ]));
    expect(await recommended({ variantId: '801', runId })).to.deep.equal([]);
    await uploadOk(shop.adminKey, runId, 'CATALOG', 'variant_id,sku,product_title,price\n801,L1,One,1.00\n802,L2,Two,2.00\n803,L3,Three,3.00\n804,L4,Four,4.00\n');
    expect(await recommended({ variantId: 'gid://shopify/ProductVariant/801', runId })).to.deep.equal(['by-sku:null']);
    expect(await recommended({ sku: 'L3', runId })).to.deep.equal(['by-variant:null']);
    expect(await recommended({ sku: 'L2', runId })).to.deep.equal(['by-sku:null']);
    const filtered = async (filter: Record<string, string>) =>
      ok(await gql(`query($runId: ID!, $filter: BundleFilter) { bundles(runId: $runId, filter: $filter) { nodes { key } } }`, { runId, filter }, { key: readKey }))
        .bundles.nodes.map((b: any) => b.key);
    expect(await filtered({ containsVariantId: '802' })).to.deep.equal(['by-sku']);
    expect(await filtered({ containsSku: 'L4' })).to.deep.equal(['by-variant']);
    expect(await filtered({ containsSku: 'L9' })).to.deep.equal([]);
    // Named both ways, an item must be one item: variant 803 is L3, not L1.
    const mismatch = ok(await saveBundles(shop.adminKey, runId, [
      { kind: 'FIXED', items: [{ sku: 'L2' }, { sku: 'L1', variantId: '803' }] },
      { kind: 'FIXED', items: [{ sku: 'L3', variantId: '803' }, { sku: 'NEW', variantId: '999' }] },
    ])).bundlesSave;
    expect(mismatch.userErrors.map((e: any) => [e.field.join('.'), e.code])).to.deep.equal([['bundles.0.items.1', 'MISMATCH']]);
    expect(mismatch.userErrors[0].message).to.equal("Variant 803 has SKU L3 in the run's catalog, not L1: give one of the two, or both as they are there.");
    // Known from the variants file only, it says so.
    await uploadOk(shop.adminKey, runId, 'VARIANTS', 'variant_id,sku\n805,L5\n');
    const fromVariants = ok(await saveBundles(shop.adminKey, runId, [{ kind: 'FIXED', items: [{ sku: 'L2' }, { sku: 'L9', variantId: '805' }] }])).bundlesSave;
    expect(fromVariants.userErrors.map((e: any) => e.message)).to.deep.equal(["Variant 805 has SKU L5 in the run's variants, not L9: give one of the two, or both as they are there."]);
  });

  it('takes a sku and a variantId given together as one item: a bundle of another variant with that SKU is not it', async () => {
    const runId = await createRun(shop.adminKey, 'both keys');
    // Variants 901 and 902 share the SKU SHARED (a SKU reused across sizes); 903 is only known by its SKU.
    ok(await saveBundles(shop.adminKey, runId, [
      { key: 'v901', kind: 'FIXED', status: 'ACTIVE', rank: 1, items: [{ sku: 'SHARED', variantId: '901' }, { sku: 'OTHER' }] },
      { key: 'v902', kind: 'FIXED', status: 'ACTIVE', rank: 2, items: [{ sku: 'SHARED', variantId: '902' }, { sku: 'OTHER' }] },
      { key: 'sku-only', kind: 'FIXED', status: 'ACTIVE', rank: 3, items: [{ sku: 'SHARED' }, { sku: 'OTHER' }] },
      { key: 'variant-only', kind: 'FIXED', status: 'ACTIVE', rank: 4, items: [{ variantId: '902' }, { sku: 'OTHER' }] },
    ]));
    expect(await recommended({ sku: 'SHARED', runId })).to.deep.equal(['v901:null', 'v902:null', 'sku-only:null']);
    expect(await recommended({ variantId: '902', runId })).to.deep.equal(['v902:null', 'variant-only:null']);
    expect(await recommended({ sku: 'SHARED', variantId: '902', runId })).to.deep.equal(['v902:null', 'sku-only:null', 'variant-only:null']);
    // Once the catalog says variant 902 is SKU SHARED, a sku naming another item with it is refused, as bundlesSave does.
    await uploadOk(shop.adminKey, runId, 'CATALOG', 'variant_id,sku,product_title,price\n902,SHARED,Shared,1.00\n903,OTHER,Other,1.00\n');
    expect(await recommended({ sku: 'SHARED', variantId: '902', runId })).to.deep.equal(['v902:null', 'sku-only:null', 'variant-only:null']);
    const mismatch = await gql(RECOMMENDED, { sku: 'OTHER', variantId: '902', runId }, { key: readKey });
    expect(mismatch.errors?.[0].extensions?.reason).to.equal('MISMATCH');
    expect(mismatch.errors?.[0].message).to.include('Variant 902 is SKU SHARED');
  });

  describe('items not stocked anywhere', () => {
    // NS is not stocked at its only location: its quantities are unknown, so the catalog's total (2) stands. NT has
    // no catalog total either: nothing says, and it limits nothing. PART is stocked at one of its two locations.
    const CATALOG = [
      'variant_id,sku,product_title,price,inventory_item_id,available_total,inventory_policy',
      '8,NS,Not Stocked,4.00,18,2,deny',
      '12,NT,No Total,4.00,22,,deny',
      '13,PART,Partly,4.00,23,9,deny',
      '14,PLENTY,Plenty,4.00,24,50,deny',
    ].join('\n') + '\n';
    const BUNDLES = [
      { key: 'ns', kind: 'FREQUENTLY_BOUGHT_TOGETHER', status: 'ACTIVE', rank: 1, items: [{ variantId: '8' }, { sku: 'PLENTY' }] },
      { key: 'nt', kind: 'FREQUENTLY_BOUGHT_TOGETHER', status: 'ACTIVE', rank: 2, items: [{ variantId: '12' }, { sku: 'PLENTY' }] },
      { key: 'part', kind: 'FREQUENTLY_BOUGHT_TOGETHER', status: 'ACTIVE', rank: 3, items: [{ variantId: '13' }, { sku: 'PLENTY', quantity: 2 }] },
    ];

    const check = async (runId: string) => {
      const bundles = ok(await saveBundles(shop.adminKey, runId, BUNDLES)).bundlesSave.bundles;
      expect(bundles.map((b: any) => [b.key, b.availableQuantity, b.items.map((i: any) => i.available)])).to.deep.equal([
        ['ns', 2, [2, 50]],
        ['nt', 50, [null, 50]],
        ['part', 3, [3, 50]],
      ]);
      expect(await recommended({ sku: 'PLENTY', runId })).to.deep.equal(['ns:2', 'nt:50', 'part:3']);
      expect(await recommended({ variantId: '8', runId })).to.deep.equal(['ns:2']);
    };

    it('falls back to the catalog total (or to unknown) from a canonical inventory file', async () => {
      await check(await runWith(shop, CATALOG, [
        'inventory_item_id,location_id,available,on_hand',
        '18,loc1,not stocked,not stocked',
        '22,loc1,not stocked,not stocked',
        '23,loc1,3,3',
        '23,loc2,not stocked,not stocked',
        '24,loc1,50,50',
      ].join('\n') + '\n'));
    });

    it("falls back to the catalog total (or to unknown) from Shopify's inventory export", async () => {
      await check(await runWith(shop, CATALOG, [
        'Handle,Title,Option1 Name,Option1 Value,Option2 Name,Option2 Value,Option3 Name,Option3 Value,SKU,HS Code,COO,Location,Bin name,Incoming (not editable),Unavailable (not editable),Committed (not editable),Available (not editable),On hand (current),On hand (new)',
        'ns,Not Stocked,Title,Default Title,,,,,NS,,,Main Warehouse,,not stocked,not stocked,not stocked,not stocked,not stocked,',
        'nt,No Total,Title,Default Title,,,,,NT,,,Main Warehouse,,not stocked,not stocked,not stocked,not stocked,not stocked,',
        'part,Partly,Title,Default Title,,,,,PART,,,Main Warehouse,,0,0,0,3,3,',
        'part,Partly,Title,Default Title,,,,,PART,,,Pop-up Store,,not stocked,not stocked,not stocked,not stocked,not stocked,',
        'plenty,Plenty,Title,Default Title,,,,,PLENTY,,,Main Warehouse,,0,0,0,50,50,',
      ].join('\n') + '\n'));
    });
  });
});
