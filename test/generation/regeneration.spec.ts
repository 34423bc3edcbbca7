import { expect } from 'chai';
import { Client } from 'pg';
import { saveBundles } from '../helpers/bundles';
import { gql, ok } from '../helpers/client';
import { CATALOG_HEADER, GENERATION_FIELDS, droppedOf, generate, generateOk, generationFixture, uploadOk } from '../helpers/generation';
import { runDbId, sql } from '../helpers/ingest';
import { createRun, createShop, type TestShop } from '../helpers/shop';
import { getHarness } from '../setup';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { startServer } from '../../src/main';

const SMALL = { minMultiItemOrders: 5 };

async function handRun(shop: TestShop, name = 'hand'): Promise<string> {
  const runId = await createRun(shop.adminKey, name);
  await uploadOk(shop.adminKey, runId, 'ORDERS', generationFixture('hand-orders.csv'));
  await uploadOk(shop.adminKey, runId, 'CATALOG', generationFixture('hand-catalog.csv'));
  return runId;
}

async function runBundles(key: string, runId: string) {
  return ok(
    await gql(`query($id: ID!) { run(id: $id) { bundles(first: 50) { nodes { id key kind source status pinned rank title score } } } }`, { id: runId }, { key }),
  ).run.bundles.nodes;
}

describe('bundle generation: re-generation, determinism, tenancy, readiness and jobs', function () {
  this.timeout(60_000);
  let shop: TestShop;

  before(async () => {
    shop = await createShop('gen-regen');
  });

  it('is deterministic: the same input gives the same keys, ranks, scores and copy, in any run or shop', async () => {
    const runId = await handRun(shop, 'determinism');
    const first = await generateOk(shop.adminKey, runId, { ...SMALL, minLlr: 0 });
    const second = await generateOk(shop.adminKey, runId, { ...SMALL, minLlr: 0 });
    const view = (bundles: any[]) => bundles.map((b) => [b.key, b.rank, b.score, b.support, b.confidence, b.lift, b.copy, b.discount, b.objective]);
    expect(view(second.bundles)).to.deep.equal(view(first.bundles));
    expect(second.bundles.map((b: any) => b.id)).to.deep.equal(first.bundles.map((b: any) => b.id));
    const other = await createShop('gen-regen-other');
    const elsewhere = await generateOk(other.adminKey, await handRun(other, 'elsewhere'), { ...SMALL, minLlr: 0 });
    expect(view(elsewhere.bundles)).to.deep.equal(view(first.bundles));
    expect(first.bundles.length).to.equal(4);
  });

  it('replaces generated bundles on re-generation, keeping pinned and MANUAL ones untouched', async () => {
    const runId = await handRun(shop, 'regenerate');
    const wide = await generateOk(shop.adminKey, runId, { ...SMALL, minLlr: 0 });
    const byKey = new Map<string, any>(wide.bundles.map((b: any) => [b.key, b]));
    const pinned = byKey.get('BUY_X_GET_Y:buy:v:4+get:v:3');
    ok(await gql(`mutation($id: ID!) { bundleUpdate(id: $id, input: { pinned: true, title: "Pinned by hand" }) { userErrors { code } } }`, { id: pinned.id }, { key: shop.adminKey }));
    // A MANUAL bundle that takes over a generated key, and one of its own.
    const manual = await saveBundles(shop.adminKey, runId, [
      { kind: 'FREQUENTLY_BOUGHT_TOGETHER', items: [{ variantId: '1' }, { variantId: '2' }], title: 'Curated' },
      { kind: 'FREQUENTLY_BOUGHT_TOGETHER', key: 'hand-made', items: [{ sku: 'A' }, { sku: 'E' }] },
    ]);
    expect(ok(manual).bundlesSave.userErrors).to.deep.equal([]);
    expect(ok(manual).bundlesSave.bundles[0].key).to.equal('FREQUENTLY_BOUGHT_TOGETHER:v:1+v:2');

    const { generation, bundles } = await generateOk(shop.adminKey, runId, { ...SMALL, minLlr: 0 });
    expect(droppedOf(generation)).to.include({ manual_bundle_exists: 1, pinned_bundle_exists: 1 });
    expect(bundles.map((b: any) => b.key)).to.deep.equal(['BUY_X_GET_Y:buy:v:2+get:v:1', 'FREQUENTLY_BOUGHT_TOGETHER:v:3+v:4']);
    expect(bundles.map((b: any) => b.rank)).to.deep.equal([1, 2]);

    // Stricter settings: the CD bundle is no longer found and goes; the others stay as they were.
    await generateOk(shop.adminKey, runId, SMALL);
    const after = await runBundles(shop.adminKey, runId);
    const summary = after.map((b: any) => [b.key, b.source, b.pinned, b.title]).sort((x: any, y: any) => x[0].localeCompare(y[0]));
    expect(summary).to.deep.equal([
      ['BUY_X_GET_Y:buy:v:2+get:v:1', 'GENERATED', false, 'Buy Bravo, get Alpha 5% off'],
      ['BUY_X_GET_Y:buy:v:4+get:v:3', 'GENERATED', true, 'Pinned by hand'],
      ['FREQUENTLY_BOUGHT_TOGETHER:v:1+v:2', 'MANUAL', false, 'Curated'],
      ['hand-made', 'MANUAL', false, null],
    ]);
  });

  it("leaves the bundles a merchant decided on as they are: an approved offer keeps its price and copy, and stays when no longer found", async () => {
    const runId = await handRun(shop, 'decisions');
    const first = await generateOk(shop.adminKey, runId, { ...SMALL, minLlr: 0 });
    expect(first.bundles.length).to.equal(4);
    const [approved, archived, edited] = first.bundles;
    for (const [bundle, status] of [[approved, 'ACTIVE'], [archived, 'ARCHIVED']] as const) {
      ok(await gql(`mutation($id: ID!, $status: BundleStatus!) { bundleUpdate(id: $id, input: { status: $status }) { userErrors { code } } }`, { id: bundle.id, status }, { key: shop.adminKey }));
    }
    // Approved with the merchant's own offer: 15% off and a title of theirs.
    ok(await gql(`mutation($id: ID!) { bundleUpdate(id: $id, input: { status: ACTIVE, title: "Starter kit", discount: { type: PERCENTAGE, value: "15" }, copy: { title: "Starter kit" } }) { userErrors { code } } }`, { id: edited.id }, { key: shop.adminKey }));
    const view = async () => new Map((await runBundles(shop.adminKey, runId)).map((b: any) => [b.key, b]));
    const before = await view();

    const again = await generateOk(shop.adminKey, runId, { ...SMALL, minLlr: 0 });
    expect(droppedOf(again.generation)).to.include({ active_bundle_exists: 2, archived_bundle_exists: 1 });
    expect(again.generation.bundlesWritten).to.equal(1);
    const after = await view();
    for (const bundle of [approved, archived, edited]) expect(after.get(bundle.key), bundle.key).to.deep.equal(before.get(bundle.key));
    const kept = await sql(`SELECT status, title, discount, copy->>'title' AS copy_title FROM bundles WHERE id = ?`, [edited.id.split('/').pop()]);
    expect(kept[0]).to.deep.equal({ status: 'ACTIVE', title: 'Starter kit', discount: { type: 'PERCENTAGE', value: '15' }, copy_title: 'Starter kit' });
    const ranks = [...after.values()].map((b: any) => b.rank);
    expect(new Set(ranks).size, JSON.stringify(ranks)).to.equal(ranks.length);

    // Stricter settings find none of them again: the drafts go, the decided bundles stay.
    await generateOk(shop.adminKey, runId, { ...SMALL, minLift: 1000 });
    const last = await view();
    expect([...last.keys()].sort()).to.deep.equal([approved.key, archived.key, edited.key].sort());
  });

  it('keeps one bundle per set of items when variant ids arrive after the bundles were keyed by SKU', async () => {
    // Shopify's exports carry no variant ids: the run's bundles are keyed by SKU.
    const withoutColumns = (csv: string, drop: string[]) => {
      const rows = csv.trim().split('\n').map((line) => line.split(','));
      const keep = rows[0]!.map((name, i) => (drop.includes(name) ? -1 : i)).filter((i) => i >= 0);
      return rows.map((row) => keep.map((i) => row[i]).join(',')).join('\n') + '\n';
    };
    const runId = await createRun(shop.adminKey, 'ids later');
    await uploadOk(shop.adminKey, runId, 'ORDERS', withoutColumns(generationFixture('hand-orders.csv').toString(), ['variant_id', 'product_id']));
    await uploadOk(shop.adminKey, runId, 'CATALOG', withoutColumns(generationFixture('hand-catalog.csv').toString(), ['variant_id']));
    const first = await generateOk(shop.adminKey, runId, { ...SMALL, minLlr: 0 });
    expect(first.bundles.length).to.equal(4);
    expect(first.bundles.every((b: any) => b.key.includes('s:') && !b.key.includes('v:'))).to.equal(true);
    const [approved] = first.bundles;
    ok(await gql(`mutation($id: ID!) { bundleUpdate(id: $id, input: { status: ACTIVE }) { userErrors { code } } }`, { id: approved.id }, { key: shop.adminKey }));
    const manual = ok(await saveBundles(shop.adminKey, runId, [{ kind: 'MIX_AND_MATCH', items: [{ sku: 'A' }, { sku: 'E' }] }])).bundlesSave;
    expect(manual.bundles.map((b: any) => b.key)).to.deep.equal(['MIX_AND_MATCH:s:A+s:E']);

    await uploadOk(shop.adminKey, runId, 'VARIANTS', 'variant_id,sku\n1,A\n2,B\n3,C\n4,D\n5,E\n');
    // Saved again by SKU: the same bundle, now under the key of its variants.
    const again = ok(await saveBundles(shop.adminKey, runId, [{ kind: 'MIX_AND_MATCH', items: [{ sku: 'A' }, { sku: 'E' }] }])).bundlesSave;
    expect([again.inserted, again.updated]).to.deep.equal([0, 1]);
    expect(again.bundles.map((b: any) => [b.id, b.key])).to.deep.equal([[manual.bundles[0].id, 'MIX_AND_MATCH:v:1+v:5']]);

    const regenerated = await generateOk(shop.adminKey, runId, { ...SMALL, minLlr: 0 });
    expect(droppedOf(regenerated.generation)).to.include({ active_bundle_exists: 1 });
    // The drafts found again are the same bundles under their new keys; the approved one is left as it was.
    expect(regenerated.bundles.map((b: any) => b.id).sort()).to.deep.equal(first.bundles.slice(1).map((b: any) => b.id).sort());
    expect(regenerated.bundles.every((b: any) => b.key.includes('v:') && !b.key.includes('s:'))).to.equal(true);
    const all = await sql(
      `SELECT kind, (SELECT string_agg(i->>'sku', '+' ORDER BY i->>'role', i->>'sku') FROM jsonb_array_elements(items) i) AS skus FROM bundles WHERE run_id = ?`,
      [runDbId(runId)],
    );
    const sets = all.map((b) => `${b.kind}:${b.skus}`);
    expect(sets).to.have.length(5);
    expect(new Set(sets).size, sets.join(' ')).to.equal(sets.length);
    const kept = await sql(`SELECT key, status FROM bundles WHERE id = ?`, [runDbId(approved.id)]);
    expect(kept).to.deep.equal([{ key: approved.key, status: 'ACTIVE' }]);
  });

  it('replaces what a generation published itself only when it publishes: a generation of drafts leaves the storefront as it is', async () => {
    const runId = await handRun(shop, 'published');
    const first = await generateOk(shop.adminKey, runId, { ...SMALL, minLlr: 0, status: 'ACTIVE' });
    expect(first.bundles.map((b: any) => b.status)).to.deep.equal(first.bundles.map(() => 'ACTIVE'));
    const [approved] = first.bundles;
    ok(await gql(`mutation($id: ID!) { bundleUpdate(id: $id, input: { status: ACTIVE }) { userErrors { code } } }`, { id: approved.id }, { key: shop.adminKey }));
    const live = () => sql(`SELECT key, status, rank, discount, copy FROM bundles WHERE run_id = ? ORDER BY key`, [runDbId(runId)]);
    const published = await live();
    // Generations of drafts, finding the published bundles again or not, change none of them.
    const again = await generateOk(shop.adminKey, runId, { ...SMALL, minLlr: 0 });
    expect(droppedOf(again.generation)).to.include({ active_bundle_exists: first.bundles.length });
    expect(again.generation.bundlesWritten).to.equal(0);
    expect(again.bundles).to.deep.equal([]);
    await generateOk(shop.adminKey, runId, { ...SMALL, minLift: 1000 });
    expect(await live()).to.deep.equal(published);
    // An edit of a published bundle makes it the merchant's, as an approval does.
    const edited = first.bundles[1];
    ok(await gql(`mutation($id: ID!) { bundleUpdate(id: $id, input: { title: "Ours now" }) { userErrors { code } } }`, { id: edited.id }, { key: shop.adminKey }));
    // A generation that publishes replaces what generations published (no decision of the merchant's); the approved
    // and the edited bundles stay.
    await generateOk(shop.adminKey, runId, { ...SMALL, minLift: 1000, status: 'ACTIVE' });
    expect((await runBundles(shop.adminKey, runId)).map((b: any) => b.key).sort()).to.deep.equal([approved.key, edited.key].sort());
  });

  it("counts the approved bundles' items against maxBundlesPerItem: they are on the storefront too", async () => {
    const runId = await handRun(shop, 'item cap');
    const first = await generateOk(shop.adminKey, runId, { ...SMALL, minLlr: 0 });
    const [approved] = first.bundles;
    ok(await gql(`mutation($id: ID!) { bundleUpdate(id: $id, input: { status: ACTIVE }) { userErrors { code } } }`, { id: approved.id }, { key: shop.adminKey }));
    const again = await generateOk(shop.adminKey, runId, { ...SMALL, minLlr: 0, maxBundlesPerItem: 1 });
    const taken = new Set(approved.items.map((i: any) => i.variantId ?? i.sku));
    const written = again.bundles.filter((b: any) => b.key !== approved.key);
    for (const bundle of written) for (const item of bundle.items) expect(taken.has(item.variantId ?? item.sku), bundle.key).to.equal(false);
    expect(droppedOf(again.generation).over_item_cap).to.be.greaterThan(0);
  });

  it('ranks regenerated bundles around the ranks that pinned and MANUAL bundles hold', async () => {
    const runId = await handRun(shop, 'ranks');
    const first = await generateOk(shop.adminKey, runId, { ...SMALL, minLlr: 0 });
    const top = first.bundles.find((b: any) => b.rank === 1);
    ok(await gql(`mutation($id: ID!) { bundleUpdate(id: $id, input: { pinned: true }) { userErrors { code } } }`, { id: top.id }, { key: shop.adminKey }));
    ok(await saveBundles(shop.adminKey, runId, [{ kind: 'FREQUENTLY_BOUGHT_TOGETHER', key: 'third', items: [{ sku: 'A' }, { sku: 'E' }], rank: 3 }]));
    const again = await generateOk(shop.adminKey, runId, { ...SMALL, minLlr: 0 });
    expect(again.bundles.map((b: any) => b.rank)).to.deep.equal([2, 4, 5].slice(0, again.bundles.length));
    const ranks = (await runBundles(shop.adminKey, runId)).map((b: any) => b.rank);
    expect(new Set(ranks).size, JSON.stringify(ranks)).to.equal(ranks.length);
    expect(ranks.slice(0, 3)).to.deep.equal([1, 2, 3]);
  });

  it('refuses another shop\'s run, and hides its generations', async () => {
    const runId = await handRun(shop, 'mine');
    const mine = await generateOk(shop.adminKey, runId, SMALL);
    const stranger = await createShop('gen-stranger');
    const refused = ok(await generate(stranger.adminKey, runId, SMALL)).bundlesGenerate;
    expect(refused.userErrors).to.deep.equal([{ field: ['runId'], code: 'NOT_FOUND', message: 'No run with this id in this shop.' }]);
    expect(refused.generation).to.equal(null);
    const seen = ok(await gql(`query($id: ID!) { bundleGeneration(id: $id) { id } node(id: $id) { id } }`, { id: mine.generation.id }, { key: stranger.adminKey }));
    expect(seen).to.deep.equal({ bundleGeneration: null, node: null });
    const own = ok(await gql(`query($id: ID!) { node(id: $id) { ... on BundleGeneration { id status bundlesWritten } } }`, { id: mine.generation.id }, { key: shop.adminKey }));
    expect(own.node).to.deep.equal({ id: mine.generation.id, status: 'SUCCEEDED', bundlesWritten: 2 });
  });

  it('is gated by readiness: without orders, or without variants or catalog, a userError names what is missing', async () => {
    const noOrders = await createRun(shop.adminKey, 'catalog only');
    await uploadOk(shop.adminKey, noOrders, 'CATALOG', generationFixture('hand-catalog.csv'));
    const a = ok(await generate(shop.adminKey, noOrders)).bundlesGenerate;
    expect(a.userErrors).to.deep.equal([{ field: ['runId'], code: 'NOT_READY', message: 'Upload an orders file before generating bundles.' }]);
    expect(a.run).to.deep.equal({ id: noOrders });
    const noCatalog = await createRun(shop.adminKey, 'orders only');
    await uploadOk(shop.adminKey, noCatalog, 'ORDERS', generationFixture('hand-orders.csv'));
    const b = ok(await generate(shop.adminKey, noCatalog)).bundlesGenerate;
    expect(b.userErrors).to.deep.equal([
      { field: ['runId'], code: 'NOT_READY', message: 'Upload a variants or catalog file to match the orders against before generating bundles.' },
    ]);
    const rows = await sql('SELECT count(*)::int AS n FROM bundle_generations WHERE run_id = ANY(?::bigint[])', [`{${runDbId(noOrders)},${runDbId(noCatalog)}}`]);
    expect(rows[0].n).to.equal(0);
  });

  it('reports settings out of range with their path', async () => {
    const runId = await handRun(shop, 'settings');
    const payload = ok(
      await generate(shop.adminKey, runId, {
        minConfidence: 2,
        maxBundles: -1,
        status: 'ARCHIVED',
        excludeVariantIds: ['701', 'gid://shopify/Product/7'],
        discountCaps: [{ objective: 'world_peace', min: 0, max: 5 }, { objective: 'clear_slow_movers', min: 0, max: 100 }],
      }),
    ).bundlesGenerate;
    expect(payload.userErrors.map((e: any) => [e.code, e.field])).to.deep.equal([
      ['OUT_OF_RANGE', ['settings', 'minConfidence']],
      ['OUT_OF_RANGE', ['settings', 'maxBundles']],
      ['INVALID', ['settings', 'status']],
      ['INVALID', ['settings', 'excludeVariantIds', '1']],
      ['INVALID', ['settings', 'discountCaps', '0', 'objective']],
      ['OUT_OF_RANGE', ['settings', 'discountCaps', '1']],
    ]);
  });

  it('a bad page size for the written bundles fails that field alone: the generation that ran is still reported', async () => {
    const runId = await handRun(shop, 'bad first');
    const response = await gql(
      `mutation($runId: ID!) { bundlesGenerate(runId: $runId, settings: { minMultiItemOrders: 5 }) { generation { id status } bundles(first: -1) { id } userErrors { code } } }`,
      { runId },
      { key: shop.adminKey },
    );
    expect(response.errors?.map((e) => [e.path?.join('.'), e.extensions?.code])).to.deep.equal([['bundlesGenerate.bundles', 'BAD_USER_INPUT']]);
    expect(response.data.bundlesGenerate).to.deep.include({ bundles: null, userErrors: [] });
    expect(response.data.bundlesGenerate.generation.status).to.equal('SUCCEEDED');
  });

  it('runs in the background with wait: false, followed through bundleGeneration and Run.latestGeneration', async () => {
    const runId = await handRun(shop, 'background');
    const started = await generateOk(shop.adminKey, runId, { ...SMALL, wait: false });
    expect(started.generation.status).to.equal('PROCESSING');
    expect(started.bundles).to.equal(null);
    let generation: any;
    for (let i = 0; i < 100; i++) {
      generation = ok(await gql(`query($id: ID!) { bundleGeneration(id: $id) { ${GENERATION_FIELDS} run { id } } }`, { id: started.generation.id }, { key: shop.adminKey })).bundleGeneration;
      if (generation.status !== 'PROCESSING') break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(generation).to.include({ status: 'SUCCEEDED', phase: 'done', bundlesWritten: 2, ordersConsidered: 10, strategy: 'ASSOCIATION_RULES' });
    expect(generation.run.id).to.equal(runId);
    expect(generation.durationMs).to.be.a('number');
    const latest = ok(await gql(`query($id: ID!) { run(id: $id) { latestGeneration { id } } }`, { id: runId }, { key: shop.adminKey })).run.latestGeneration;
    expect(latest.id).to.equal(started.generation.id);
  });

  it('refuses a second generation of a run while one holds it, naming the running job', async () => {
    const runId = await handRun(shop, 'concurrent');
    const runKey = Number(runDbId(runId));
    // Stand in for a generation in progress: its lock held on a connection of our own, and its record.
    const holder = new Client({ connectionString: getHarness().databaseUrl });
    await holder.connect();
    try {
      await holder.query('SELECT pg_advisory_lock($1::int, $2::int)', [0x6267, runKey]);
      const [running] = await sql(
        `INSERT INTO bundle_generations (shop_id, run_id, settings) VALUES (?, ?, '{}') RETURNING id`,
        [shop.id, runKey],
      );
      const refused = ok(await generate(shop.adminKey, runId, SMALL)).bundlesGenerate;
      expect(refused.userErrors).to.have.length(1);
      expect(refused.userErrors[0].code).to.equal('GENERATION_IN_PROGRESS');
      expect(refused.userErrors[0].message).to.contain(`gid://bundlegraph/BundleGeneration/${running.id}`);
      const background = ok(await generate(shop.adminKey, runId, { ...SMALL, wait: false })).bundlesGenerate;
      expect(background.userErrors[0].code).to.equal('GENERATION_IN_PROGRESS');
      await sql(`UPDATE bundle_generations SET status = 'SUCCEEDED' WHERE id = ?`, [running.id]);
    } finally {
      await holder.end();
    }
    // The lock went with its connection: generation works again.
    expect((await generateOk(shop.adminKey, runId, SMALL)).generation.status).to.equal('SUCCEEDED');
  });

  it('two generations started together: one runs, the other is refused or waits its turn, never interleaved', async () => {
    const runId = await handRun(shop, 'race');
    const outcomes = await Promise.all([generate(shop.adminKey, runId, SMALL), generate(shop.adminKey, runId, SMALL)]);
    const payloads = outcomes.map((o) => ok(o).bundlesGenerate);
    const succeeded = payloads.filter((p) => p.generation?.status === 'SUCCEEDED');
    const refused = payloads.filter((p) => p.userErrors.some((e: any) => e.code === 'GENERATION_IN_PROGRESS'));
    expect(succeeded.length + refused.length).to.equal(2);
    expect(succeeded.length).to.be.at.least(1);
    const bundles = await runBundles(shop.adminKey, runId);
    expect(bundles.map((b: any) => b.rank)).to.deep.equal([1, 2]);
  });

  it('marks a generation whose server stopped as FAILED (INTERRUPTED) before the next one of its run', async () => {
    const runId = await handRun(shop, 'interrupted');
    const [stale] = await sql(
      `INSERT INTO bundle_generations (shop_id, run_id, settings, heartbeat_at) VALUES (?, ?, '{}', now() - interval '1 minute') RETURNING id`,
      [shop.id, runDbId(runId)],
    );
    await generateOk(shop.adminKey, runId, SMALL);
    const gid = `gid://bundlegraph/BundleGeneration/${stale.id}`;
    const generation = ok(await gql(`query($id: ID!) { bundleGeneration(id: $id) { status failure { code } finishedAt } }`, { id: gid }, { key: shop.adminKey })).bundleGeneration;
    expect(generation.status).to.equal('FAILED');
    expect(generation.failure.code).to.equal('INTERRUPTED');
    expect(generation.finishedAt).to.be.a('string');
  });

  it('a generation still running when its server stops is cancelled and marked FAILED (INTERRUPTED) before the database closes', async () => {
    const runId = await handRun(shop, 'stopping');
    const { databaseUrl } = getHarness();
    const server = await startServer(loadConfig({ env: 'test', port: 0, host: '127.0.0.1', databaseUrl, migrateOnStart: false }), createLogger('silent'));
    // The mining statement is made to wait on a lock of the test's: `lines` locks the order lines once the generation
    // has read them for its readiness and waits at `records`, to record itself.
    const [records, lines] = [new Client({ connectionString: databaseUrl }), new Client({ connectionString: databaseUrl })];
    await Promise.all([records.connect(), lines.connect()]);
    const waitingOn = async (table: string) => {
      for (let waiting = 0; waiting === 0; ) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        const { rows } = await lines.query(`SELECT count(*)::int AS n FROM pg_locks WHERE relation = $1::regclass AND NOT granted`, [table]);
        waiting = rows[0].n;
      }
    };
    try {
      await records.query('BEGIN');
      await records.query('LOCK TABLE bundle_generations IN SHARE MODE');
      const response = fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${shop.adminKey}` },
        body: JSON.stringify({
          query: 'mutation($runId: ID!) { bundlesGenerate(runId: $runId, settings: { wait: false, minMultiItemOrders: 5 }) { generation { id status } } }',
          variables: { runId },
        }),
      });
      await waitingOn('bundle_generations');
      await lines.query('BEGIN');
      await lines.query('LOCK TABLE order_lines IN ACCESS EXCLUSIVE MODE');
      await records.query('COMMIT');
      const started = ((await (await response).json()) as any).data.bundlesGenerate.generation;
      expect(started.status).to.equal('PROCESSING');
      await waitingOn('order_lines');
      await server.stop();
      const generation = ok(await gql(`query($id: ID!) { bundleGeneration(id: $id) { status failure { code } finishedAt } }`, { id: started.id }, { key: shop.adminKey })).bundleGeneration;
      expect(generation).to.deep.include({ status: 'FAILED', failure: { code: 'INTERRUPTED' } });
      expect(generation.finishedAt).to.be.a('string');
    } finally {
      await Promise.all([records, lines].map((client) => client.query('ROLLBACK').finally(() => client.end())));
      await server.stop().catch(() => undefined);
    }
  });

  it('writes generated bundles with the requested status and a catalog-less item never enters a bundle', async () => {
    const runId = await createRun(shop.adminKey, 'status');
    await uploadOk(shop.adminKey, runId, 'ORDERS', generationFixture('hand-orders.csv'));
    await uploadOk(shop.adminKey, runId, 'CATALOG', [CATALOG_HEADER, ...generationFixture('hand-catalog.csv').toString().trim().split('\n').slice(1).filter((l) => !l.startsWith('2,'))].join('\n') + '\n');
    const { generation, bundles } = await generateOk(shop.adminKey, runId, { ...SMALL, minLlr: 0, status: 'ACTIVE' });
    expect(droppedOf(generation).unknown_item).to.equal(1);
    expect(bundles.map((b: any) => [b.key, b.status])).to.deep.equal([
      ['FREQUENTLY_BOUGHT_TOGETHER:v:3+v:4', 'ACTIVE'],
      ['BUY_X_GET_Y:buy:v:4+get:v:3', 'ACTIVE'],
    ]);
  });
});
