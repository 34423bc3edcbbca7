import crypto from 'node:crypto';
import { expect } from 'chai';
import { gql, ok } from '../helpers/client';
import { runDbId, sql } from '../helpers/ingest';
import { runWithCatalog, saveBundles } from '../helpers/bundles';
import { upload } from '../coverage/helpers';
import { createRun, createShop, type TestShop } from '../helpers/shop';
import { captureSql } from '../helpers/sql-capture';
import { getHarness } from '../setup';
import { BundleService, SAVE_CHUNK } from '../../src/bundles/bundle.service';
import type { BundleDraft } from '../../src/bundles/bundle-draft';
import { BundleKind, BundleSource, BundleStatus } from '../../src/bundles/bundle.entity';
import { BundleItemRole } from '../../src/bundles/bundle-item.entity';
import { BundleSaveMode } from '../../src/bundles/bundle.types';
import { textArray } from '../../src/db/arrays';

const fbt = (a: string, b: string, extra: Record<string, unknown> = {}) => ({ kind: 'FREQUENTLY_BOUGHT_TOGETHER', items: [{ sku: a }, { sku: b }], ...extra });

describe('bundlesSave: validation, upserts by key, REPLACE', () => {
  let shop: TestShop;
  before(async () => {
    shop = await createShop('bundles');
  });

  it('reports every problem with its path and writes nothing', async () => {
    const runId = await createRun(shop.adminKey);
    const response = await saveBundles(shop.adminKey, runId, [
      fbt('A', 'B'),
      { kind: 'FREQUENTLY_BOUGHT_TOGETHER', items: [{ sku: 'A' }] },
      { kind: 'MIX_AND_MATCH', items: [{ sku: 'A' }, { sku: 'B', quantity: 0 }, {}] },
      { kind: 'VOLUME_DISCOUNT', items: [{ sku: 'A' }], discount: { type: 'PERCENTAGE', value: '120' } },
      { kind: 'VOLUME_DISCOUNT', items: [{ sku: 'B' }], discount: { type: 'QUANTITY_TIERS', tiers: [{ minQuantity: 3, percentage: '10' }, { minQuantity: 2, percentage: '5' }] } },
      { kind: 'BUY_X_GET_Y', items: [{ sku: 'A', role: 'BUY' }, { sku: 'B', role: 'BUY' }] },
      fbt('C', 'D', { key: 'same' }),
      fbt('E', 'F', { key: 'same' }),
      fbt('A', 'A'),
      { kind: 'FREQUENTLY_BOUGHT_TOGETHER', items: [{ sku: 'A' }, { variantId: 'gid://shopify/Product/1' }] },
      fbt('A', 'B', { discount: { type: 'PERCENTAGE' } }),
      fbt('A', 'B', { discount: { type: 'PERCENTAGE', value: '5', tiers: [{ minQuantity: 2, percentage: '5' }] } }),
      fbt('A', 'B', { discount: { type: 'FREE_ITEM', value: '5' } }),
      fbt('A', 'B', { discount: { type: 'PERCENTAGE', value: '100' } }),
      { kind: 'VOLUME_DISCOUNT', items: [{ sku: 'B' }], discount: { type: 'QUANTITY_TIERS', tiers: [{ minQuantity: 2, percentage: '20' }, { minQuantity: 4, percentage: '10' }] } },
      { kind: 'VOLUME_DISCOUNT', items: [{ sku: 'B' }], discount: { type: 'QUANTITY_TIERS', tiers: Array.from({ length: 11 }, (_, i) => ({ minQuantity: i + 2, percentage: String(i + 1) })) } },
      { kind: 'VOLUME_DISCOUNT', items: [{ sku: 'B' }], discount: { type: 'QUANTITY_TIERS', tiers: [{ minQuantity: 2, percentage: '5' }, { minQuantity: 10_001, percentage: '10' }] } },
    ]);
    const payload = ok(response).bundlesSave;
    expect(payload.bundles).to.deep.equal([]);
    expect(payload.userErrors.map((e: any) => [e.field.join('.'), e.code])).to.deep.equal([
      ['bundles.1.items', 'TOO_FEW_ITEMS'],
      ['bundles.2.items.1.quantity', 'OUT_OF_RANGE'],
      ['bundles.2.items.2', 'BLANK'],
      ['bundles.3.discount.value', 'OUT_OF_RANGE'],
      ['bundles.4.discount.tiers.1.minQuantity', 'NOT_ASCENDING'],
      ['bundles.5.items', 'MISSING_ROLE'],
      ['bundles.8.items.1', 'DUPLICATE'],
      ['bundles.9.items.1.variantId', 'INVALID'],
      ['bundles.10.discount.value', 'BLANK'],
      ['bundles.11.discount.tiers', 'INVALID'],
      ['bundles.12.discount.value', 'INVALID'],
      ['bundles.13.discount.value', 'OUT_OF_RANGE'],
      ['bundles.14.discount.tiers.1.percentage', 'NOT_ASCENDING'],
      ['bundles.15.discount.tiers', 'TOO_MANY_TIERS'],
      ['bundles.16.discount.tiers.1.minQuantity', 'OUT_OF_RANGE'],
      ['bundles.7.key', 'DUPLICATE_KEY'],
    ]);
    const duplicate = ok(await saveBundles(shop.adminKey, runId, [fbt('C', 'D', { key: 'same' }), fbt('E', 'F', { key: 'same' })])).bundlesSave;
    expect(duplicate.userErrors.map((e: any) => [e.field.join('.'), e.code])).to.deep.equal([['bundles.1.key', 'DUPLICATE_KEY']]);
    expect(await sql('SELECT count(*)::int AS n FROM bundles WHERE run_id = ?', [runDbId(runId)])).to.deep.equal([{ n: 0 }]);
  });

  it('refuses an amount off larger than the bundle at the catalog prices, where they are known', async () => {
    const runId = await runWithCatalog(shop.adminKey, 'fixed amounts');
    // TEE-BLK-M 19.99 + MUG-01 12.50 = 32.49.
    const refused = ok(await saveBundles(shop.adminKey, runId, [
      fbt('TEE-BLK-M', 'MUG-01', { discount: { type: 'FIXED_AMOUNT', value: '5' } }),
      fbt('TEE-BLK-M', 'CAP-RED', { discount: { type: 'FIXED_AMOUNT', value: '500' } }),
      // Charged in cents, these leave nothing either: 32.485 off is 32.49, and 99.99% of 32.49 leaves 0.0032.
      fbt('MUG-01', 'TEE-BLK-M', { kind: 'MIX_AND_MATCH', discount: { type: 'FIXED_AMOUNT', value: '32.485' } }),
      fbt('MUG-01', 'TEE-BLK-M', { kind: 'FIXED', discount: { type: 'PERCENTAGE', value: '99.99' } }),
    ])).bundlesSave;
    expect(refused.userErrors).to.deep.equal([
      { field: ['bundles', '1', 'discount', 'value'], code: 'OUT_OF_RANGE', message: "An amount of 500 off is the bundle's whole total of 34.99 at the catalog's prices, or more: the bundle would be free." },
      { field: ['bundles', '2', 'discount', 'value'], code: 'OUT_OF_RANGE', message: "An amount of 32.485 off is the bundle's whole total of 32.49 at the catalog's prices, or more: the bundle would be free." },
      {
        field: ['bundles', '3', 'discount', 'value'],
        code: 'OUT_OF_RANGE',
        message: "This discount leaves less than the smallest coin of the bundle's total of 32.49 at the catalog's prices: the bundle would be free.",
      },
    ]);
    expect(refused.bundles).to.deep.equal([]);
    // Without a price for every item, nothing can be compared: saved as given.
    const unknown = ok(await saveBundles(shop.adminKey, runId, [fbt('TEE-BLK-M', 'NOT-IN-CATALOG', { discount: { type: 'FIXED_AMOUNT', value: '500' } })])).bundlesSave;
    expect(unknown.userErrors).to.deep.equal([]);
    const [saved] = ok(await saveBundles(shop.adminKey, runId, [fbt('TEE-BLK-M', 'MUG-01', { discount: { type: 'FIXED_AMOUNT', value: '32.48' } })])).bundlesSave.bundles;
    expect(saved.pricing.bundlePrice).to.equal('0.01');
    const update = `mutation($id: ID!, $value: Decimal!) { bundleUpdate(id: $id, input: { discount: { type: FIXED_AMOUNT, value: $value } }) { userErrors { field code } } }`;
    expect(ok(await gql(update, { id: saved.id, value: '32.49' }, { key: shop.adminKey })).bundleUpdate.userErrors).to.deep.equal([{ field: ['input', 'discount', 'value'], code: 'OUT_OF_RANGE' }]);
    expect(ok(await gql(update, { id: saved.id, value: '30' }, { key: shop.adminKey })).bundleUpdate.userErrors).to.deep.equal([]);
  });

  it('long SKUs: one beyond 255 characters is refused; twenty of 255 make a key named by its digest, stable across saves', async () => {
    const runId = await createRun(shop.adminKey);
    const tooLong = ok(await saveBundles(shop.adminKey, runId, [fbt('A', 'x'.repeat(256))])).bundlesSave;
    expect(tooLong.userErrors.map((e: any) => [e.field.join('.'), e.code])).to.deep.equal([['bundles.0.items.1.sku', 'TOO_LONG']]);
    // Random characters do not compress: such a key could not be indexed whole.
    const skus = Array.from({ length: 20 }, () => crypto.randomBytes(192).toString('base64').slice(0, 255));
    const bundle = { kind: 'MIX_AND_MATCH', items: skus.map((sku) => ({ sku })) };
    const first = ok(await saveBundles(shop.adminKey, runId, [bundle])).bundlesSave;
    expect(first.userErrors).to.deep.equal([]);
    expect(first.bundles[0].key).to.match(/^MIX_AND_MATCH:sha256:[0-9a-f]{64}$/);
    // The name Migration20261130170000_long_bundle_keys gives a key stored whole before.
    const whole = `MIX_AND_MATCH:${skus.map((sku) => `s:${sku}`).sort().join('+')}`;
    const [migrated] = await sql(`SELECT 'MIX_AND_MATCH' || ':sha256:' || encode(sha256(convert_to(?::text, 'UTF8')), 'hex') AS key`, [whole]);
    expect(migrated.key).to.equal(first.bundles[0].key);
    const again = ok(await saveBundles(shop.adminKey, runId, [{ ...bundle, items: [...bundle.items].reverse() }])).bundlesSave;
    expect([again.inserted, again.updated, again.bundles[0].key]).to.deep.equal([0, 1, first.bundles[0].key]);
  });

  it("prices in the currency most of the run's order lines are in, whichever order sorts first, and follows new orders", async () => {
    const runId = await createRun(shop.adminKey);
    const lines = (orders: [string, string][]) => 'order_id,created_at,sku,quantity,price,currency\n' + orders.map(([id, currency]) => `${id},2025-12-01T10:00:00Z,MUG-01,1,20.00,${currency}`).join('\n') + '\n';
    await upload(shop.adminKey, runId, 'ORDERS', lines([['#1000', 'EUR'], ['#1001', 'USD'], ['#1002', 'USD'], ['#999', 'USD']]));
    await upload(shop.adminKey, runId, 'CATALOG', 'sku,product_title,price\nMUG-01,Mug,20.00\n');
    const saved = ok(await saveBundles(shop.adminKey, runId, [{ kind: 'FIXED', items: [{ sku: 'MUG-01' }] }])).bundlesSave.bundles[0];
    const currencyOf = async () => ok(await gql('query($id: ID!) { node(id: $id) { ... on Bundle { pricing { currency } } } }', { id: saved.id }, { key: shop.adminKey })).node.pricing?.currency;
    expect(await currencyOf()).to.equal('USD');
    await upload(shop.adminKey, runId, 'ORDERS', lines([['#2000', 'EUR'], ['#2001', 'EUR'], ['#2002', 'EUR']]));
    expect(await currencyOf()).to.equal('EUR');
  });

  it('refuses more than 10,000 bundles in one save, before looking at any', async () => {
    const runId = await createRun(shop.adminKey);
    const payload = ok(await saveBundles(shop.adminKey, runId, Array.from({ length: 10_001 }, () => ({ kind: 'FIXED', items: [{ sku: 'A' }] })))).bundlesSave;
    expect(payload.userErrors.map((e: any) => [e.field.join('.'), e.code])).to.deep.equal([['bundles', 'TOO_MANY_BUNDLES']]);
  });

  it('saving the same set twice leaves one copy and reports inserted/updated; an item named by SKU or variant id is the same item', async () => {
    const runId = await runWithCatalog(shop.adminKey);
    const first = ok(await saveBundles(shop.adminKey, runId, [fbt('TEE-BLK-M', 'MUG-01'), fbt('TEE-BLK-M', 'CAP-RED', { title: 'Tee and cap' })])).bundlesSave;
    expect(first).to.include({ inserted: 2, updated: 0, deleted: 0 });
    expect(first.bundles.map((b: any) => b.key)).to.deep.equal(['FREQUENTLY_BOUGHT_TOGETHER:v:501+v:502', 'FREQUENTLY_BOUGHT_TOGETHER:v:501+v:503']);
    const byVariant = {
      kind: 'FREQUENTLY_BOUGHT_TOGETHER',
      items: [{ variantId: 'gid://shopify/ProductVariant/502' }, { variantId: '501' }],
      title: 'Renamed',
    };
    const second = ok(await saveBundles(shop.adminKey, runId, [byVariant])).bundlesSave;
    expect(second).to.include({ inserted: 0, updated: 1 });
    expect(second.bundles[0]).to.include({ id: first.bundles[0].id, title: 'Renamed' });
    expect(second.bundles[0].items.map((i: any) => [i.sku, i.variantId])).to.deep.equal([['MUG-01', '502'], ['TEE-BLK-M', '501']]);
    expect(await sql('SELECT count(*)::int AS n FROM bundles WHERE run_id = ?', [runDbId(runId)])).to.deep.equal([{ n: 2 }]);
  });

  it('the lookup of bundles by item follows every change of items: insert, re-save with other items, delete', async () => {
    const runId = await runWithCatalog(shop.adminKey);
    const containing = async (sku: string) =>
      ok(await gql('query($runId: ID!, $sku: String!) { bundles(runId: $runId, first: 10, filter: { containsSku: $sku }) { nodes { key } } }', { runId, sku }, { key: shop.adminKey })).bundles.nodes.map((b: any) => b.key);
    const lookupRows = () => sql('SELECT sku, variant_id, quantity, role FROM bundle_items WHERE run_id = ? ORDER BY position', [runDbId(runId)]);
    const [saved] = ok(await saveBundles(shop.adminKey, runId, [{ key: 'k', kind: 'FIXED', items: [{ sku: 'TEE-BLK-M', quantity: 2 }, { sku: 'MUG-01' }] }])).bundlesSave.bundles;
    expect(await containing('MUG-01')).to.deep.equal(['k']);
    ok(await saveBundles(shop.adminKey, runId, [{ key: 'k', kind: 'FIXED', items: [{ sku: 'CAP-RED' }, { sku: 'TEE-BLK-M', quantity: 3 }] }]));
    expect(await containing('MUG-01')).to.deep.equal([]);
    expect(await containing('CAP-RED')).to.deep.equal(['k']);
    expect(await lookupRows()).to.deep.equal([
      { sku: 'CAP-RED', variant_id: '503', quantity: 1, role: 'ITEM' },
      { sku: 'TEE-BLK-M', variant_id: '501', quantity: 3, role: 'ITEM' },
    ]);
    ok(await gql('mutation($id: ID!) { bundleUpdate(id: $id, input: { title: "Only the title" }) { userErrors { code } } }', { id: saved.id }, { key: shop.adminKey }));
    expect(await lookupRows()).to.have.length(2);
    ok(await gql('mutation($ids: [ID!]!) { bundlesDelete(ids: $ids) { userErrors { code } } }', { ids: [saved.id] }, { key: shop.adminKey }));
    expect(await lookupRows()).to.deep.equal([]);
  });

  describe('saves of several chunks', () => {
    const draft = (n: number): BundleDraft => ({
      key: `k${n}`,
      kind: BundleKind.FIXED,
      source: BundleSource.MANUAL,
      status: BundleStatus.DRAFT,
      pinned: false,
      title: null,
      items: [{ sku: `S${n}`, variantId: null, quantity: 1, role: BundleItemRole.ITEM }],
      discount: null,
      copy: null,
      objective: null,
      rank: null,
    });
    const saveTo = (runId: string, list: BundleDraft[]) =>
      new BundleService(getHarness().server.database.orm.em.fork()).save(shop.id, runId, list, BundleSaveMode.UPSERT);

    it('new bundles get ids in the order given, which listings fall back on', async () => {
      const runId = runDbId(await createRun(shop.adminKey));
      // Keys that do not sort in the order given, and a third of them already saved.
      const drafts = Array.from({ length: SAVE_CHUNK * 3 + 11 }, (_, n) => ({ ...draft(n), key: `k${(n * 7919) % 100_003}` }));
      await saveTo(runId, drafts.filter((_, n) => n % 3 === 0));
      const saved = await saveTo(runId, drafts);
      expect(saved).to.include({ inserted: drafts.length - Math.ceil(drafts.length / 3), updated: Math.ceil(drafts.length / 3) });
      const order = (rows: { key: string }[]) => rows.map((row) => row.key);
      const inserted = drafts.filter((_, n) => n % 3 !== 0).map((d) => d.key);
      expect(order(await sql('SELECT key FROM bundles WHERE run_id = ? AND key = ANY(?::text[]) ORDER BY id', [runId, textArray(inserted)]))).to.deep.equal(inserted);
      expect(saved.bundles.map(({ bundle }) => bundle.key)).to.deep.equal(drafts.map((d) => d.key));
    });

    it('a save that fails in a later chunk writes nothing, reports the statement that failed, and leaves the server able to save', async () => {
      const runId = runDbId(await createRun(shop.adminKey));
      const drafts = Array.from({ length: SAVE_CHUNK * 3 }, (_, n) => draft(n));
      // Only the database's check catches this one, while later chunks are on their way.
      drafts[SAVE_CHUNK + 7]!.kind = 'NOT_A_KIND' as BundleKind;
      const error = await saveTo(runId, drafts).then(() => null, (e: Error) => e);
      expect(error?.message).to.match(/violates check constraint "bundles_kind_check"/);
      expect(await sql('SELECT count(*)::int AS n FROM bundles WHERE run_id = ?', [runId])).to.deep.equal([{ n: 0 }]);
      const again = await saveTo(runId, Array.from({ length: SAVE_CHUNK + 1 }, (_, n) => draft(n)));
      expect(again.inserted).to.equal(SAVE_CHUNK + 1);
      expect(await sql('SELECT count(*)::int AS n FROM bundle_items WHERE run_id = ?', [runId])).to.deep.equal([{ n: SAVE_CHUNK + 1 }]);
    });
  });

  it('removing a run removes its bundles and their lookup rows, whichever way it goes', async () => {
    const runId = await runWithCatalog(shop.adminKey);
    ok(await saveBundles(shop.adminKey, runId, [fbt('TEE-BLK-M', 'MUG-01'), fbt('CAP-RED', 'MUG-01')]));
    const count = async (table: string) => (await sql(`SELECT count(*)::int AS n FROM ${table} WHERE run_id = ?`, [runDbId(runId)]))[0].n;
    expect([await count('bundles'), await count('bundle_items')]).to.deep.equal([2, 4]);
    await sql('DELETE FROM runs WHERE id = ?', [runDbId(runId)]);
    expect([await count('bundles'), await count('bundle_items')]).to.deep.equal([0, 0]);
  });

  it('truncating bundles empties the lookup table with it (rolled back here)', async () => {
    const runId = await runWithCatalog(shop.adminKey);
    ok(await saveBundles(shop.adminKey, runId, [fbt('TEE-BLK-M', 'MUG-01')]));
    const em = getHarness().server.database.orm.em.fork();
    await em.begin();
    try {
      await em.execute('TRUNCATE bundles');
      expect(await em.execute('SELECT count(*)::int AS n FROM bundle_items')).to.deep.equal([{ n: 0 }]);
    } finally {
      await em.rollback();
    }
    expect(await sql('SELECT count(*)::int AS n FROM bundle_items WHERE run_id = ?', [runDbId(runId)])).to.deep.equal([{ n: 2 }]);
  });

  it('REPLACE makes the run hold exactly the given set, pinned MANUAL bundles excepted', async () => {
    const runId = await createRun(shop.adminKey);
    ok(await saveBundles(shop.adminKey, runId, [fbt('A', 'B'), fbt('A', 'C', { pinned: true, key: 'pinned' }), fbt('B', 'C')]));
    const replaced = ok(await saveBundles(shop.adminKey, runId, [fbt('A', 'B', { title: 'kept' }), fbt('C', 'D')], 'REPLACE')).bundlesSave;
    expect(replaced).to.include({ inserted: 1, updated: 1, deleted: 1 });
    const keys = ok(await gql('query($id: ID!) { run(id: $id) { bundles(first: 10, sortKey: CREATED_AT) { nodes { key pinned title } } } }', { id: runId }, { key: shop.adminKey })).run.bundles.nodes;
    expect(keys).to.deep.equal([
      { key: 'FREQUENTLY_BOUGHT_TOGETHER:s:A+s:B', pinned: false, title: 'kept' },
      { key: 'pinned', pinned: true, title: null },
      { key: 'FREQUENTLY_BOUGHT_TOGETHER:s:C+s:D', pinned: false, title: null },
    ]);
  });

  it('concurrent saves of the same new key into one run take turns: one inserts, the others update', async () => {
    const runId = await createRun(shop.adminKey);
    const saves = await Promise.all(Array.from({ length: 6 }, () => saveBundles(shop.adminKey, runId, [fbt('RACE-A', 'RACE-B')])));
    const payloads = saves.map((response) => ok(response).bundlesSave);
    expect(payloads.flatMap((p: any) => p.userErrors)).to.deep.equal([]);
    expect(payloads.map((p: any) => p.inserted).sort()).to.deep.equal([0, 0, 0, 0, 0, 1]);
    expect(await sql('SELECT count(*)::int AS n FROM bundles WHERE run_id = ?', [runDbId(runId)])).to.deep.equal([{ n: 1 }]);
  });

  it('saves 40 bundles with no SELECT per bundle, no refresh and no DELETE before insert', async () => {
    const runId = await createRun(shop.adminKey);
    const bundles = Array.from({ length: 40 }, (_, i) => fbt(`SKU-${i}`, `SKU-${i + 1}`, { discount: { type: 'PERCENTAGE', value: '10' } }));
    const mutation = `mutation($runId: ID!, $bundles: [BundleInput!]!) { bundlesSave(runId: $runId, bundles: $bundles) { inserted bundles { id key } userErrors { code } } }`;
    const { result, statements } = await captureSql(() => gql(mutation, { runId, bundles }, { key: shop.adminKey }));
    expect(ok(result).bundlesSave.inserted).to.equal(40);
    // A fixed few: the run, the items' identities, the keys already saved, the new ids (the save's lock aside).
    const reads = (all: string[]) => all.filter((s) => /^\s*select/i.test(s) && !/pg_advisory_xact_lock/.test(s));
    const selects = reads(statements);
    expect(selects.length, selects.join('\n')).to.be.at.most(4);
    expect(statements.filter((s) => /^\s*delete/i.test(s))).to.deep.equal([]);
    expect(statements.filter((s) => /^\s*insert/i.test(s)).length).to.be.at.most(2);
    const again = await captureSql(() => gql(mutation, { runId, bundles }, { key: shop.adminKey }));
    expect(reads(again.statements).length).to.be.at.most(5);
    expect(again.statements.filter((s) => /^\s*(update|insert)/i.test(s)).length).to.be.at.most(3);
  });

  it('READ keys can query bundles but not save them; other shops see nothing and can change nothing', async () => {
    const runId = await createRun(shop.adminKey);
    const saved = ok(await saveBundles(shop.adminKey, runId, [fbt('A', 'B', { status: 'ACTIVE' })])).bundlesSave.bundles[0];
    const readKey = await shop.readKey();
    expect(ok(await gql('{ bundles(first: 5) { nodes { id } } }', {}, { key: readKey })).bundles.nodes.length).to.be.greaterThan(0);
    expect((await saveBundles(readKey, runId, [fbt('X', 'Y')])).errors?.[0].extensions?.code).to.equal('FORBIDDEN');

    const other = await createShop('other');
    const foreign = ok(await gql(
      `query($id: ID!, $run: ID!) { node(id: $id) { id } all: bundles { nodes { id } } run(id: $run) { id } }`,
      { id: saved.id, run: runId },
      { key: other.adminKey },
    ));
    expect(foreign).to.deep.equal({ node: null, all: { nodes: [] }, run: null });
    // Asked for by id, another shop's run is as unknown as a run that does not exist, or an id that is no run's.
    for (const run of [runId, runId.replace(/\d+$/, '999999'), 'junk', saved.id]) {
      for (const field of ['bundles(runId: $run) { nodes { id } }', 'recommendedBundles(sku: "A", runId: $run) { id }']) {
        const { data, errors } = await gql(`query($run: ID!) { ${field} }`, { run }, { key: other.adminKey });
        expect(data, `${field} ${run}`).to.equal(null);
        expect(errors?.map((e: any) => [e.extensions.reason, e.extensions.userErrors[0].field]), `${field} ${run}`).to.deep.equal([['NOT_FOUND', ['runId']]]);
      }
    }
    expect(ok(await saveBundles(other.adminKey, runId, [fbt('A', 'B')])).bundlesSave.userErrors.map((e: any) => e.code)).to.deep.equal(['NOT_FOUND']);
    const update = ok(await gql(`mutation($id: ID!) { bundleUpdate(id: $id, input: { status: ARCHIVED }) { bundle { id } userErrors { code field } } }`, { id: saved.id }, { key: other.adminKey })).bundleUpdate;
    expect(update).to.deep.equal({ bundle: null, userErrors: [{ code: 'NOT_FOUND', field: ['id'] }] });
    const removal = ok(await gql(`mutation($ids: [ID!]!) { bundlesDelete(ids: $ids) { deletedIds userErrors { code field } } }`, { ids: [saved.id] }, { key: other.adminKey })).bundlesDelete;
    expect(removal).to.deep.equal({ deletedIds: [], userErrors: [{ code: 'NOT_FOUND', field: ['ids', '0'] }] });
    expect(ok(await gql('query($id: ID!) { node(id: $id) { ... on Bundle { status } } }', { id: saved.id }, { key: shop.adminKey })).node.status).to.equal('ACTIVE');
  });

  it('bundleUpdate approves, edits and validates; bundlesDelete removes', async () => {
    const runId = await createRun(shop.adminKey);
    const [a, b] = ok(await saveBundles(shop.adminKey, runId, [fbt('A', 'B'), fbt('B', 'C')])).bundlesSave.bundles;
    const update = `mutation($id: ID!, $input: BundleUpdateInput!) { bundleUpdate(id: $id, input: $input) {
      bundle { status title rank pinned copy { title badge } discount { type value } updatedAt } userErrors { field code } } }`;
    const approved = ok(await gql(update, { id: a.id, input: { status: 'ACTIVE', title: 'Better together', rank: 1, pinned: true, copy: { title: 'Save 10%', badge: 'Bundle' }, discount: { type: 'PERCENTAGE', value: '10' } } }, { key: shop.adminKey })).bundleUpdate;
    expect(approved.userErrors).to.deep.equal([]);
    expect(approved.bundle).to.deep.include({ status: 'ACTIVE', title: 'Better together', rank: 1, pinned: true, copy: { title: 'Save 10%', badge: 'Bundle' }, discount: { type: 'PERCENTAGE', value: '10' } });
    expect(new Date(approved.bundle.updatedAt).getTime()).to.be.greaterThan(new Date(a.updatedAt).getTime() - 1);
    // A copy edit changes the fields it gives and keeps the others; null clears one.
    const badge = ok(await gql(update, { id: a.id, input: { copy: { badge: 'Hot' } } }, { key: shop.adminKey })).bundleUpdate;
    expect(badge.bundle.copy).to.deep.equal({ title: 'Save 10%', badge: 'Hot' });
    const cleared = ok(await gql(update, { id: a.id, input: { copy: { title: null } } }, { key: shop.adminKey })).bundleUpdate;
    expect(cleared.bundle.copy).to.deep.equal({ title: null, badge: 'Hot' });
    const invalid = ok(await gql(update, { id: a.id, input: { rank: 0, discount: { type: 'FIXED_AMOUNT', value: '-5' } } }, { key: shop.adminKey })).bundleUpdate;
    expect(invalid.userErrors.map((e: any) => [e.field.join('.'), e.code])).to.deep.equal([['input.discount.value', 'OUT_OF_RANGE'], ['input.rank', 'OUT_OF_RANGE']]);
    const removed = ok(await gql(`mutation($ids: [ID!]!) { bundlesDelete(ids: $ids) { deletedIds userErrors { field code } } }`, { ids: [b.id, 'gid://bundlegraph/Bundle/999999999', b.id] }, { key: shop.adminKey })).bundlesDelete;
    expect(removed).to.deep.equal({ deletedIds: [b.id], userErrors: [{ field: ['ids', '1'], code: 'NOT_FOUND' }] });
    expect(ok(await gql('query($id: ID!) { node(id: $id) { id } }', { id: b.id }, { key: shop.adminKey })).node).to.equal(null);
  });
});
