import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import { expect } from 'chai';
import pino from 'pino';
import { Client } from 'pg';
import { withEmptyDatabase } from '../helpers/database';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { startServer } from '../../src/main';
import { ShopService } from '../../src/shops/shop.service';
import { GraphQLError, Kind, getIntrospectionQuery, parse } from 'graphql';
import { requestLogPlugin } from '../../src/http/request-log';
import { DomainError, userError } from '../../src/graphql/user-error';
import type { Logger } from '../../src/logger';
import { shapeOf } from '../../src/graphql/guards';
import { gql, ok } from '../helpers/client';
import { createShop } from '../helpers/shop';
import { runDbId, sql } from '../helpers/ingest';
import { getHarness } from '../setup';
import { createErrorFormatter } from '../../src/graphql/format-error';

describe('HTTP surface', () => {
  it('answers /healthz and /readyz', async () => {
    const { baseUrl } = getHarness();
    const health = await fetch(`${baseUrl}/healthz`);
    expect(health.status).to.equal(200);
    expect(await health.json()).to.deep.equal({ status: 'ok' });
    const ready = await fetch(`${baseUrl}/readyz`);
    expect(ready.status).to.equal(200);
    expect(await ready.json()).to.deep.equal({ status: 'ready' });
  });

  it('serves with migrations pending when told not to migrate, and /readyz says so', async () => {
    await withEmptyDatabase(async (databaseUrl) => {
      const server = await startServer(loadConfig({ env: 'test', port: 0, host: '127.0.0.1', databaseUrl, migrateOnStart: false }), createLogger('silent'));
      try {
        const ready = await fetch(server.url.replace('/graphql', '/readyz'));
        expect(ready.status).to.equal(503);
        expect(await ready.json()).to.deep.equal({ status: 'migrations pending' });
      } finally {
        await server.stop();
      }
    });
  });

  it('answers /readyz within seconds when the database does not answer', async () => {
    const { baseUrl, databaseUrl } = getHarness();
    const blocker = new Client({ connectionString: databaseUrl });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE mikro_orm_migrations IN ACCESS EXCLUSIVE MODE');
      const ready = await fetch(`${baseUrl}/readyz`);
      expect(ready.status).to.equal(503);
      expect(await ready.json()).to.deep.equal({ status: 'database not answering' });
    } finally {
      await blocker.query('ROLLBACK');
      await blocker.end();
    }
    expect((await fetch(`${baseUrl}/readyz`)).status).to.equal(200);
  });

  it('echoes a request id, or makes one', async () => {
    const shop = await createShop();
    const given = await gql('{ shop { id } }', {}, { key: shop.adminKey, headers: { 'x-request-id': 'abc-123' } });
    expect(given.headers.get('x-request-id')).to.equal('abc-123');
    const made = await gql('{ shop { id } }', {}, { key: shop.adminKey });
    expect(made.headers.get('x-request-id')).to.match(/^[0-9a-f-]{36}$/);
  });

  it('measures depth and size once per fragment, however fragments spread one another', () => {
    const shape = (query: string) => {
      const document = parse(query);
      return shapeOf(document, document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION)!);
    };
    expect(shape('{ a { a { a { x } } } }')).to.deep.equal({ depth: 4, size: 4 });
    expect(shape('{ a { ...F } } fragment F on A { a { a { x } } }')).to.deep.equal({ depth: 4, size: 4 });
    expect(shape('{ a { ... on A { a { x } } } }')).to.deep.equal({ depth: 3, size: 3 });
    expect(shape('{ __typename a { __typename } }')).to.deep.equal({ depth: 1, size: 3 });
    // Each of 40 fragments spreads the next twice: 2^40 fields once expanded, measured without expanding them.
    const chain = Array.from({ length: 40 }, (_, i) => `fragment F${i} on Q { ...F${i + 1} ...F${i + 1} }`).join(' ');
    expect(shape(`{ ...F0 } ${chain} fragment F40 on Q { x }`)).to.deep.equal({ depth: 1, size: 2 ** 40 });
  });

  it('refuses queries nested deeper than the limit, with a 400 and QUERY_TOO_DEEP', async () => {
    const shop = await createShop();
    let nested = 'id';
    for (let i = 0; i < 6; i++) nested = `run { uploads { ${nested} } }`;
    const response = await gql(`{ upload(id: "gid://bundlegraph/CsvUpload/1") { ${nested} } }`, {}, { key: shop.adminKey });
    expect(response.status).to.equal(400);
    expect(response.errors?.[0].extensions?.code).to.equal('QUERY_TOO_DEEP');
    expect(response.errors?.[0].extensions?.depth).to.equal(14);
    const shallow = await gql(`{ upload(id: "gid://bundlegraph/CsvUpload/1") { run { uploads { run { id } } } } }`, {}, { key: shop.adminKey });
    expect(shallow.status).to.equal(200);
    expect(shallow.data).to.deep.equal({ upload: null });
  });

  it('refuses queries whose cost is over the limit, with a 400', async () => {
    const shop = await createShop();
    const aliases = Array.from({ length: 30 }, (_, i) => `r${i}: runs(first: 250) { nodes { id name createdAt } }`).join(' ');
    const response = await gql(`{ ${aliases} }`, {}, { key: shop.adminKey });
    expect(response.status).to.equal(400);
    expect(response.errors?.[0].extensions?.code).to.equal('QUERY_TOO_COMPLEX');
    expect(response.errors?.[0].extensions?.cost).to.be.greaterThan(5000);
    expect(response.data).to.equal(undefined);
  });

  it('refuses values far past what any argument takes before anything runs, and quotes no more than 1,000 characters', async () => {
    const shop = await createShop();
    const readKey = await shop.readKey();
    const refusal = async (query: string, variables: Record<string, unknown> = {}) => {
      const response = await gql(query, variables, { key: readKey });
      expect(response.status, query.slice(0, 80)).to.equal(400);
      expect(response.errors?.[0].extensions?.code).to.equal('BAD_USER_INPUT');
      return response.errors![0].message;
    };
    const recommended = 'query($sku: String) { recommendedBundles(sku: $sku) { id } }';
    expect(await refusal(recommended, { sku: 'S'.repeat(2_000_000) })).to.equal('Text of 2000000 characters is over the limit of 10000.');
    expect(await refusal(`{ recommendedBundles(sku: "${'S'.repeat(10_001)}") { id } }`)).to.equal('Text of 10001 characters is over the limit of 10000.');
    const list = 'query($runId: ID!, $kinds: [BundleKind!]) { bundles(runId: $runId, filter: { kind: $kinds }) { nodes { id } } }';
    const kinds = Array.from({ length: 20_001 }, () => 'MIX_AND_MATCH');
    expect(await refusal(list, { runId: 'gid://bundlegraph/Run/1', kinds })).to.equal('A list of 20001 items is over the limit of 20000.');
    // Nested further than JSON.stringify can go: written by hand.
    const deep = `{"query":${JSON.stringify(recommended)},"variables":{"sku":${'['.repeat(50_000)}"x"${']'.repeat(50_000)}}}`;
    const nested = await fetch(getHarness().graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${readKey}` }, body: deep });
    expect(nested.status).to.equal(400);
    expect(((await nested.json()) as any).errors[0]).to.deep.include({ message: 'Variables nest deeper than 32 levels.', extensions: { code: 'BAD_USER_INPUT' } });

    const unknown = await gql(`{ ${'f'.repeat(50_000)} }`, {}, { key: readKey });
    expect(unknown.status).to.equal(400);
    expect(unknown.errors?.[0].message).to.match(/^Cannot query field "f{900,}… \(\d+ more characters left out\)$/);
    expect(unknown.errors?.[0].message.length).to.be.lessThan(1_100);

    // Under the bounds, the arguments' own rules answer.
    const allowed = await gql(recommended, { sku: 'S'.repeat(10_000) }, { key: readKey });
    expect(ok(allowed).recommendedBundles).to.deep.equal([]);
  });

  it("bounds introspection to one copy of the schema, and refuses what the cost estimator cannot count, as 400s", async () => {
    const standard = await gql(getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true }));
    expect(standard.status).to.equal(200);
    expect(standard.data.__schema.types.length).to.be.greaterThan(50);
    // The root types' fields, as a hand-written query lists the operations: one type each.
    const roots = await gql('{ __schema { queryType { fields { name } } mutationType { fields { name } } } }');
    expect(roots.data.__schema.queryType.fields.map((f: any) => f.name)).to.include('recommendedBundles');
    const refusals: [string, RegExp][] = [
      [`{ __schema { ${Array.from({ length: 20 }, (_, i) => `t${i}: types { name fields { name } }`).join(' ')} } }`, /^Introspection fields take no aliases \(t0: types\)/],
      ['{ a: __type(name: "Bundle") { name } b: __type(name: "Run") { name } }', /^Introspection fields take no aliases \(a: __type\)/],
      ['{ __schema { types { fields { type { ...Deep } } } } } fragment Deep on __Type { fields { type { name } } }', /^A type's fields are asked of the types __schema.types or __type names/],
      ['{ __type(name: "Run") { interfaces { possibleTypes { name } } } }', /^A type's possibleTypes are asked of the types/],
    ];
    for (const [query, message] of refusals) {
      const response = await gql(query);
      expect(response.status, query).to.equal(400);
      expect(response.errors?.[0].extensions?.code, query).to.equal('QUERY_TOO_COMPLEX');
      expect(response.errors?.[0].message, query).to.match(message);
    }
    const shop = await createShop();
    const spreads = `{ shop { ${'...F '.repeat(3000)} } } fragment F on Shop { ... on Shop { ... on Shop { id } } }`;
    const tooMany = await gql(spreads, {}, { key: shop.adminKey });
    expect([tooMany.status, tooMany.errors?.[0].extensions?.code]).to.deep.equal([400, 'QUERY_TOO_COMPLEX']);
    expect(tooMany.errors?.[0].message).to.equal('Query asks for more than 10000 selections, fragments expanded; ask for fewer.');
    const subscription = await gql('subscription { shop { id } }', {}, { key: await shop.readKey() });
    expect([subscription.status, subscription.errors?.[0].message]).to.deep.equal([400, 'This API has no subscriptions; poll the query instead.']);
  });

  it('says why a query repeating a field a thousand times is not checked', async () => {
    const shop = await createShop();
    const response = await gql(`{ ${'shop { domain } '.repeat(1000)} }`, {}, { key: shop.adminKey });
    expect(response.errors?.[0].message).to.equal('The query was not checked: it repeats the same fields too many times in one selection. Ask for each field once.');
  });

  it('counts a generation as the work it starts: a request may start five, not a hundred', async () => {
    const shop = await createShop();
    const runId = ok(await gql('mutation { runCreate(input: { name: "aliases" }) { run { id } } }', {}, { key: shop.adminKey })).runCreate.run.id;
    const generations = (n: number) =>
      gql(`mutation($r: ID!) { ${Array.from({ length: n }, (_, i) => `g${i}: bundlesGenerate(runId: $r) { userErrors { code } }`).join(' ')} }`, { r: runId }, { key: shop.adminKey });
    const many = await generations(100);
    expect(many.status).to.equal(400);
    expect(many.errors?.[0].extensions?.code).to.equal('QUERY_TOO_COMPLEX');
    const generationsStarted = await sql('SELECT count(*)::int AS n FROM bundle_generations WHERE run_id = ?', [runDbId(runId)]);
    expect(generationsStarted).to.deep.equal([{ n: 0 }]);
    const five = ok(await generations(5));
    expect(Object.values(five).map((payload: any) => payload.userErrors[0]?.code)).to.deep.equal(Array(5).fill('NOT_READY'));
  });

  it('counts the items of every list asked for: row errors and recommendations too', async () => {
    const shop = await createShop();
    const rowErrors = Array.from({ length: 10 }, (_, i) => `u${i}: upload(id: "gid://bundlegraph/CsvUpload/1") { rowErrors(first: 1000) { line code } }`).join(' ');
    const recommendations = Array.from({ length: 100 }, (_, i) => `r${i}: recommendedBundles(sku: "A", first: 50) { id key title }`).join(' ');
    for (const query of [`{ ${rowErrors} }`, `{ ${recommendations} }`]) {
      const response = await gql(query, {}, { key: shop.adminKey });
      expect(response.errors?.[0].extensions?.code, query.slice(0, 40)).to.equal('QUERY_TOO_COMPLEX');
    }
    // Every kept row error of one upload, with all their fields, is within the limit.
    const one = await gql(`{ upload(id: "gid://bundlegraph/CsvUpload/1") { rowErrors(first: 1000) { line column value code message } } }`, {}, { key: shop.adminKey });
    expect(one.errors).to.equal(undefined);
  });

  it('answers a fragment bomb at once: 1 KB whose fragments spread one another twice, forty deep', async () => {
    const shop = await createShop();
    const chain = Array.from({ length: 40 }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`).join(' ');
    const query = `{ ...F0 } ${chain} fragment F40 on Query { shop { id } }`;
    for (const key of [shop.adminKey, null]) {
      const response = await gql(query, {}, { key });
      expect(response.status).to.be.oneOf([400, 401]);
      expect(response.errors?.[0].extensions?.code).to.be.oneOf(['QUERY_TOO_COMPLEX', 'UNAUTHENTICATED']);
    }
    const health = await fetch(`${getHarness().baseUrl}/healthz`);
    expect(health.status).to.equal(200);
  });

  it('refuses variables of the wrong type as bad input, with a 400, on the first request of a query', async () => {
    const shop = await createShop();
    const cases: Record<string, unknown>[] = [{ n: 'abc' }, { n: 1.5 }];
    for (const [index, variables] of cases.entries()) {
      // A query text of its own, so that no earlier request has measured it.
      const response = await gql(`query($n: Int) { runs(first: $n) { nodes { id name } } shop${index}: shop { id } }`, variables, { key: shop.adminKey });
      expect(response.status, JSON.stringify(variables)).to.equal(400);
      expect(response.errors?.[0].extensions?.code).to.equal('BAD_USER_INPUT');
      expect(response.errors?.[0].message).to.match(/Variable "\$n" got invalid value/);
    }
    const missing = await gql(`query($id: ID!) { run(id: $id) { id } }`, {}, { key: shop.adminKey });
    expect(missing.status).to.equal(400);
    expect(missing.errors?.[0].extensions?.code).to.equal('BAD_USER_INPUT');
  });

  it('refuses subscriptions with a 400: the API has none', async () => {
    const shop = await createShop();
    for (const key of [shop.adminKey, null]) {
      const response = await gql('subscription { __typename }', {}, { key });
      expect(response.status).to.equal(400);
      expect(response.errors?.[0].extensions?.code).to.equal('BAD_REQUEST');
    }
  });

  it('takes an explicit null for an argument with a default as that default', async () => {
    const shop = await createShop();
    const response = await gql(
      `{ recommendedBundles(sku: "A", first: null, inStockOnly: null) { id }
         bundles(sortKey: null, reverse: null, first: 1) { nodes { id } } }`,
      {},
      { key: shop.adminKey },
    );
    expect(response.errors).to.equal(undefined);
    expect(response.data).to.deep.equal({ recommendedBundles: [], bundles: { nodes: [] } });
  });

  it('answers CORS preflights and lets browsers read responses from any origin', async () => {
    const { graphqlUrl } = getHarness();
    const preflight = await fetch(graphqlUrl, {
      method: 'OPTIONS',
      headers: { origin: 'https://admin.example.test', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
    });
    expect(preflight.status).to.equal(204);
    expect(preflight.headers.get('access-control-allow-origin')).to.equal('*');
    expect(preflight.headers.get('access-control-allow-headers')).to.equal('authorization, content-type');
    expect(preflight.headers.get('access-control-allow-methods')).to.contain('POST');
    const shop = await createShop();
    const post = await gql('{ shop { id } }', {}, { key: shop.adminKey, headers: { origin: 'https://admin.example.test' } });
    expect(post.status).to.equal(200);
    expect(post.headers.get('access-control-allow-origin')).to.equal('*');
    expect(post.headers.get('access-control-expose-headers')).to.equal('x-request-id');
  });

  it('answers every failure outside GraphQL as JSON errors too: unknown paths, bad bodies, bad multipart requests', async () => {
    const { graphqlUrl, baseUrl } = getHarness();
    const shop = await createShop();
    const auth = { authorization: `Bearer ${shop.adminKey}`, 'apollo-require-preflight': 'true' };
    const operations = JSON.stringify({ query: 'mutation($r: ID!, $f: Upload!) { csvUpload(runId: $r, kind: ORDERS, file: $f) { userErrors { code message field } } }', variables: { r: 'gid://bundlegraph/Run/1', f: null } });
    const form = (parts: [string, string | Blob][]) => {
      const body = new FormData();
      for (const [name, value] of parts) body.append(name, value);
      return body;
    };
    const cases: [string, Promise<Response>, number][] = [
      ['unknown path', fetch(`${baseUrl}/nowhere`), 404],
      ['a path below /graphql', fetch(`${graphqlUrl}/anything`, { headers: auth }), 404],
      ['a body of another type', fetch(graphqlUrl, { method: 'POST', headers: { ...auth, 'content-type': 'application/xml' }, body: '<query/>' }), 415],
      ['JSON that is not UTF-8', fetch(graphqlUrl, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: Buffer.concat([Buffer.from('{"query":"{ shop { id } }","variables":{"n":"a'), Buffer.from([0xff]), Buffer.from('b"}}')]) }), 400],
      ['charset other than UTF-8', fetch(graphqlUrl, { method: 'POST', headers: { ...auth, 'content-type': 'application/json; charset=latin1' }, body: '{"query":"{ shop { id } }"}' }), 415],
      ['map before operations', fetch(graphqlUrl, { method: 'POST', headers: auth, body: form([['map', '{"0":["variables.f"]}'], ['operations', operations]]) }), 400],
      ['operations not JSON', fetch(graphqlUrl, { method: 'POST', headers: auth, body: form([['operations', '{nope'], ['map', '{}']]) }), 400],
      ['a multipart body cut off', fetch(graphqlUrl, { method: 'POST', headers: { ...auth, 'content-type': 'multipart/form-data; boundary=XX' }, body: `--XX\r\nContent-Disposition: form-data; name="operations"\r\n\r\n{"query":"{shop{id}}"}\r\n` }), 400],
      // Its parser raises a second error once refused, which used to stop the whole process.
      ['a malformed part header', fetch(graphqlUrl, { method: 'POST', headers: { ...auth, 'content-type': 'multipart/form-data; boundary=XX' }, body: '--XX\r\nContent-Disposition: form-\u0000data; name="operations"\r\n\r\n{}\r\n--XX--\r\n' }), 400],
      ['a multipart body without operations', fetch(graphqlUrl, { method: 'POST', headers: { ...auth, 'content-type': 'multipart/form-data; boundary=BB' }, body: '--BB\r\nContent-Disposition: form-data; name="foo"\r\n\r\nx\r\n--BB--\r\n' }), 400],
      ['a multipart body of no part', fetch(graphqlUrl, { method: 'POST', headers: { ...auth, 'content-type': 'multipart/form-data; boundary=BB' }, body: '--BB--\r\n' }), 400],
      ['a method GraphQL is not served by', fetch(graphqlUrl, { method: 'DELETE', headers: auth }), 405],
      ['more files than allowed', fetch(graphqlUrl, { method: 'POST', headers: auth, body: form([['operations', operations], ['map', JSON.stringify(Object.fromEntries(Array.from({ length: 6 }, (_, i) => [String(i), ['variables.f']])))], ...Array.from({ length: 6 }, (_, i): [string, Blob] => [String(i), new Blob(['a'])])]) }), 413],
    ];
    for (const [what, request, status] of cases) {
      const response = await request;
      expect(response.status, what).to.equal(status);
      expect(response.headers.get('content-type'), what).to.match(/^application\/json/);
      const body: any = await response.json();
      expect(body.errors?.[0]?.extensions?.code, what).to.be.a('string');
      expect(JSON.stringify(body), what).to.not.match(/\.js:\d|\n\s+at /);
    }
    // A map that names a file the request does not hold: the mutation reports it for the field.
    const runId = (await gql('mutation { runCreate(input: { name: "missing file" }) { run { id } } }', {}, { key: shop.adminKey })).data.runCreate.run.id;
    const missing = await fetch(graphqlUrl, { method: 'POST', headers: auth, body: form([['operations', operations.replace('gid://bundlegraph/Run/1', runId)], ['map', '{"0":["variables.f"]}']]) });
    const payload: any = await missing.json();
    if (!payload.data) throw new Error(JSON.stringify(payload));
    expect(payload.data.csvUpload.userErrors).to.have.length(1);
    expect(payload.data.csvUpload.userErrors[0]).to.include({ code: 'INVALID_UPLOAD' });
    expect(payload.data.csvUpload.userErrors[0].field).to.deep.equal(['file']);
    // One file named for two variables, as the spec allows and apollo-upload-client sends one File given twice: both
    // read it whole (a file of many chunks, so that the copy and the first reader take turns), and a third variable's
    // file still arrives after it.
    const products = 'variant_id,sku,product_title,price\n' + Array.from({ length: 20_000 }, (_, i) => `${i + 1},SKU-${i + 1},Product ${i + 1},9.99`).join('\n') + '\n';
    const twice = await fetch(graphqlUrl, {
      method: 'POST',
      headers: auth,
      body: form([
        ['operations', JSON.stringify({ query: 'mutation($input: RunUploadInput!) { runUpload(input: $input) { uploads { kind status rowsWritten } userErrors { field code message } } }', variables: { input: { name: 'one file twice', variants: null, catalog: null, orders: null } } })],
        ['map', JSON.stringify({ 0: ['variables.input.variants', 'variables.input.catalog'], 1: ['variables.input.orders'] })],
        ['0', new Blob([products])],
        ['1', new Blob(['order_id,created_at,sku,quantity\n1,2025-01-01,SKU-1,1\n'])],
      ]),
    });
    const both = ((await twice.json()) as any).data.runUpload;
    expect(both.userErrors).to.deep.equal([]);
    expect(both.uploads).to.deep.equal([
      { kind: 'ORDERS', status: 'SUCCEEDED', rowsWritten: 1 },
      { kind: 'VARIANTS', status: 'SUCCEEDED', rowsWritten: 20_000 },
      { kind: 'CATALOG', status: 'SUCCEEDED', rowsWritten: 20_000 },
    ]);
    // The first reader refuses the file at its header: the copy is made all the same.
    const refused = await fetch(graphqlUrl, {
      method: 'POST',
      headers: auth,
      body: form([
        ['operations', JSON.stringify({ query: 'mutation($input: RunUploadInput!) { runUpload(input: $input) { uploads { kind status rowsWritten } userErrors { field code } } }', variables: { input: { name: 'refused first', orders: null, variants: null } } })],
        ['map', JSON.stringify({ 0: ['variables.input.orders', 'variables.input.variants'] })],
        ['0', new Blob([products])],
      ]),
    });
    const afterRefusal = ((await refused.json()) as any).data.runUpload;
    expect(afterRefusal.userErrors).to.deep.equal([{ field: ['input', 'orders'], code: 'WRONG_KIND' }]);
    expect(afterRefusal.uploads).to.deep.equal([
      { kind: 'ORDERS', status: 'FAILED', rowsWritten: 0 },
      { kind: 'VARIANTS', status: 'SUCCEEDED', rowsWritten: 20_000 },
    ]);
    expect(fs.readdirSync(os.tmpdir()).filter((name) => name.startsWith('bundlegraph-upload-'))).to.deep.equal([]);
    // A body that ends inside the file, its length right: the client's mistake, said in its own terms.
    const head = `--CUT\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${operations.replace('gid://bundlegraph/Run/1', runId)}\r\n--CUT\r\nContent-Disposition: form-data; name="map"\r\n\r\n{"0":["variables.f"]}\r\n`;
    const cut = await fetch(graphqlUrl, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'multipart/form-data; boundary=CUT' },
      body: `${head}--CUT\r\nContent-Disposition: form-data; name="0"; filename="o.csv"\r\nContent-Type: text/csv\r\n\r\norder_id,created_at,sku,quantity\n1,2025-01-01,A,1\n2,2025-0`,
    });
    const truncated: any = await cut.json();
    if (!truncated.data) throw new Error(JSON.stringify(truncated));
    expect(truncated.data.csvUpload.userErrors).to.have.length(1);
    expect(truncated.data.csvUpload.userErrors[0]).to.include({ code: 'INVALID_UPLOAD' });
    expect(truncated.data.csvUpload.userErrors[0].message).to.match(/cut short/);
    // A file given for a variable that is no Upload: the variable's error names a file, not the parser's internals.
    const misplaced: any = await (
      await fetch(graphqlUrl, { method: 'POST', headers: auth, body: form([['operations', operations], ['map', '{"0":["variables.r"]}'], ['0', new Blob(['x'])]]) })
    ).json();
    expect(misplaced.errors[0].extensions.code).to.equal('BAD_USER_INPUT');
    expect(misplaced.errors[0].message).to.include('ID cannot represent value: a file').and.not.match(/resolve|function|promise/);
    for (const error of [...payload.data.csvUpload.userErrors, ...both.userErrors, ...truncated.data.csvUpload.userErrors]) {
      expect(error.message ?? '').to.not.match(/graphql-upload|busboy|createReadStream/);
    }
    // A run upload whose catalog part is missing still ingests its orders, and says which file it lacked.
    const partial = await fetch(graphqlUrl, {
      method: 'POST',
      headers: auth,
      body: form([
        ['operations', JSON.stringify({ query: 'mutation($input: RunUploadInput!) { runUpload(input: $input) { uploads { kind status } userErrors { field code } } }', variables: { input: { name: 'catalog missing', orders: null, catalog: null } } })],
        ['map', JSON.stringify({ 0: ['variables.input.orders'], 1: ['variables.input.catalog'] })],
        ['0', new Blob(['order_id,created_at,sku,quantity\n1,2025-01-01,A,1\n'])],
      ]),
    });
    const result = ((await partial.json()) as any).data.runUpload;
    expect(result.uploads).to.deep.equal([{ kind: 'ORDERS', status: 'SUCCEEDED' }]);
    expect(result.userErrors).to.deep.equal([{ field: ['input', 'catalog'], code: 'INVALID_UPLOAD' }]);
    // With not one file readable, no empty run is left behind.
    const runsBefore = ok(await gql('{ runs(first: 250) { nodes { id } } }', {}, { key: shop.adminKey })).runs.nodes.length;
    const none = await fetch(graphqlUrl, {
      method: 'POST',
      headers: auth,
      body: form([
        ['operations', JSON.stringify({ query: 'mutation($input: RunUploadInput!) { runUpload(input: $input) { run { id } uploads { kind } userErrors { field code } } }', variables: { input: { name: 'nothing readable', orders: null } } })],
        ['map', JSON.stringify({ 0: ['variables.input.orders'] })],
      ]),
    });
    expect(((await none.json()) as any).data.runUpload).to.deep.equal({ run: null, uploads: [], userErrors: [{ field: ['input', 'orders'], code: 'INVALID_UPLOAD' }] });
    expect(ok(await gql('{ runs(first: 250) { nodes { id } } }', {}, { key: shop.adminKey })).runs.nodes).to.have.length(runsBefore);
  });

  it('refuses a string holding half of a surrogate pair alone, which would be stored as another string, by any transport', async () => {
    const { graphqlUrl } = getHarness();
    const shop = await createShop();
    const auth = { authorization: `Bearer ${shop.adminKey}` };
    const query = 'mutation($n: String!) { runCreate(input: { name: $n }) { run { name } } }';
    const operations = (name: string) => `{"query":"${query}","variables":{"n":"${name}"}}`;
    const json = (name: string) => fetch(graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body: operations(name) });
    const multipart = (name: string) => {
      const form = new FormData();
      form.append('operations', operations(name));
      form.append('map', '{}');
      return fetch(graphqlUrl, { method: 'POST', headers: { 'apollo-require-preflight': 'true', ...auth }, body: form });
    };
    const get = (name: string) => fetch(`${graphqlUrl}?query=${encodeURIComponent('query($n: ID!) { run(id: $n) { name } }')}&variables=${encodeURIComponent(`{"n":"${name}"}`)}`, { headers: auth });
    for (const send of [json, multipart, get]) {
      for (const lone of ['sur\\ud800', '\\udc00x', 'a\\uDBFFb']) {
        const response = await send(lone);
        const body: any = await response.json();
        expect(response.status, `${send.name} ${lone}`).to.equal(400);
        expect(body.errors[0].message).to.match(/surrogate pair/);
      }
    }
    const gift = await json('gift \\ud83c\\udf81');
    expect(((await gift.json()) as any).data.runCreate.run.name).to.equal('gift \u{1F381}');
  });

  it("answers a persisted-query client's mistakes as its own, with Apollo's codes", async () => {
    const { graphqlUrl } = getHarness();
    const shop = await createShop();
    const post = (body: unknown) =>
      fetch(graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${shop.adminKey}` }, body: JSON.stringify(body) });
    const cases: [unknown, string][] = [
      [{ query: '{ shop { id } }', extensions: { persistedQuery: { version: 1, sha256Hash: 'deadbeef' } } }, 'BAD_REQUEST'],
      [{ query: '{ shop { id } }', extensions: { persistedQuery: { version: 2, sha256Hash: 'deadbeef' } } }, 'BAD_REQUEST'],
      [{ extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } } }, 'PERSISTED_QUERY_NOT_FOUND'],
    ];
    for (const [body, code] of cases) {
      const response = await post(body);
      const result: any = await response.json();
      expect(result.errors?.[0]?.extensions?.code, JSON.stringify(body)).to.equal(code);
      expect(result.errors[0].message).to.not.equal('Internal server error');
    }
  });

  it('says in its own words what is wrong with a body or headers it cannot read', async () => {
    const shop = await createShop();
    const { graphqlUrl } = getHarness();
    const post = (headers: Record<string, string>, body: string | Buffer) =>
      fetch(graphqlUrl, { method: 'POST', headers: { authorization: `Bearer ${shop.adminKey}`, ...headers }, body });
    const answers = [
      await post({ 'content-type': 'application/json; charset=utf-16' }, '{"query":"{ shop { id } }"}'),
      await post({ 'content-type': 'application/json', 'content-encoding': 'deflate' }, 'junkjunk'),
      await fetch(graphqlUrl, { headers: { 'x-padding': 'a'.repeat(70_000) } }),
      // Bytes that are not UTF-8, by the path every body but a plain JSON POST takes (a query string here).
      await fetch(`${graphqlUrl}?via=express`, {
        method: 'POST',
        headers: { authorization: `Bearer ${shop.adminKey}`, 'content-type': 'application/json' },
        body: Buffer.concat([Buffer.from('{"query":"mutation { runCreate(input: { name: \\"caf'), Buffer.from([0xe9]), Buffer.from('\\" }) { run { id } } }"}')]),
      }),
      await post({ 'content-type': 'application/json-patch+json' }, '{"query":"{ shop { id } }"}'),
    ];
    expect(await Promise.all(answers.map(async (r) => [r.status, await r.json()]))).to.deep.equal([
      [400, { errors: [{ message: 'Request body is not valid JSON read as utf-16, the charset its Content-Type names: send JSON as UTF-8.', extensions: { code: 'BAD_REQUEST' } }] }],
      [400, { errors: [{ message: 'The body is not valid deflate data, as its Content-Encoding says.', extensions: { code: 'BAD_REQUEST' } }] }],
      [431, { errors: [{ message: 'The request line and headers are larger than 64 KB in all: send a long query by POST.', extensions: { code: 'REQUEST_HEADER_FIELDS_TOO_LARGE' } }] }],
      [400, { errors: [{ message: 'Request body is not valid UTF-8.', extensions: { code: 'BAD_REQUEST' } }] }],
      [415, { errors: [{ message: 'Send GraphQL as application/json, or a multipart/form-data upload.', extensions: { code: 'UNSUPPORTED_MEDIA_TYPE' } }] }],
    ]);
    // A long query by GET (a generated client's) is read.
    const longGet = await fetch(`${graphqlUrl}?query=${encodeURIComponent(`{ shop { domain } }\n# ${'x'.repeat(30_000)}`)}`, { headers: { authorization: `Bearer ${shop.adminKey}` } });
    expect([longGet.status, ((await longGet.json()) as any).data.shop.domain]).to.deep.equal([200, shop.domain]);
    // Malformed HTTP, straight on a socket.
    const net = await import('node:net');
    const { port } = new URL(graphqlUrl);
    const reply = await new Promise<string>((resolve, reject) => {
      let text = '';
      const socket = net.connect(Number(port), '127.0.0.1', () => socket.write('GARBAGE\r\n\r\n'));
      socket.on('data', (chunk) => (text += chunk));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(reply).to.match(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(JSON.parse(reply.split('\r\n\r\n')[1]!)).to.deep.equal({ errors: [{ message: 'The request is not valid HTTP.', extensions: { code: 'BAD_REQUEST' } }] });
  });

  it('refuses a request with two Authorization headers rather than pick one', async () => {
    const shop = await createShop();
    const http = await import('node:http');
    const send = (authorization: string | string[]) =>
      new Promise<{ status: number; body: any }>((resolve, reject) => {
        const request = http.request(getHarness().graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization } as import('node:http').OutgoingHttpHeaders }, (res) => {
          let text = '';
          res.on('data', (chunk) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
        });
        request.on('error', reject);
        request.end(JSON.stringify({ query: '{ shop { domain } }' }));
      });
    const two = await send([`Bearer ${shop.adminKey}`, `Bearer ${await shop.readKey()}`]);
    expect(two).to.deep.equal({ status: 400, body: { errors: [{ message: 'Send one Authorization header, with one key.', extensions: { code: 'BAD_REQUEST' } }] } });
    expect((await send(`Bearer ${shop.adminKey}`)).body.data.shop.domain).to.equal(shop.domain);
  });

  it('works with clients as they come: GET with a key only, a BOM, NUL characters refused, large answers gzipped', async () => {
    const { graphqlUrl } = getHarness();
    const shop = await createShop();
    const key = { authorization: `Bearer ${shop.adminKey}` };
    // A GET carrying a key needs no other header: browsers preflight Authorization, so it cannot be forged.
    const get = await fetch(`${graphqlUrl}?query=${encodeURIComponent('{ shop { domain } }')}`, { headers: key });
    expect(get.status).to.equal(200);
    expect(((await get.json()) as any).data.shop.domain).to.equal(shop.domain);
    expect(get.headers.get('vary')).to.equal('Accept, Accept-Encoding');
    // Without a key, or with credentials a browser adds by itself, a GET could be forged: refused as before.
    for (const headers of [{}, { authorization: 'Basic dXNlcjpwYXNz' }] as Record<string, string>[]) {
      const forged = await fetch(`${graphqlUrl}?query=${encodeURIComponent('{ shop { domain } }')}`, { headers });
      expect(forged.status).to.equal(400);
      expect(((await forged.json()) as any).errors[0].message).to.match(/Cross-Site Request Forgery/);
    }

    const post = (body: string | Buffer, headers: Record<string, string> = {}) =>
      fetch(graphqlUrl, { method: 'POST', headers: { ...key, 'content-type': 'application/json', ...headers }, body });
    const bom = await post(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"query":"{ shop { domain } }"}')]));
    expect(bom.status).to.equal(200);

    for (const request of [
      post(JSON.stringify({ query: 'mutation($n: String!) { runCreate(input: { name: $n }) { run { id } } }', variables: { n: 'a\u0000b' } })),
      post(JSON.stringify({ query: '{ recommendedBundles(sku: "a\\u0000b") { id } }' })),
    ]) {
      const response = await request;
      expect(response.status).to.equal(400);
      const body: any = await response.json();
      expect(body.errors[0].extensions.code).to.equal('BAD_USER_INPUT');
      expect(body.errors[0].message).to.match(/NUL/);
    }

    // fetch asks for gzip and undoes it; the header shows what travelled.
    const large = await post(JSON.stringify({ query: '{ __schema { types { name description fields { name description } } } }' }));
    expect(large.status).to.equal(200);
    expect(large.headers.get('content-encoding')).to.equal('gzip');
    expect(((await large.json()) as any).data.__schema.types.length).to.be.greaterThan(50);
    const small = await post(JSON.stringify({ query: '{ shop { domain } }' }));
    expect(small.headers.get('content-encoding')).to.equal(null);
    const refused = await post(JSON.stringify({ query: '{ __schema { types { name description fields { name description } } } }' }), { 'accept-encoding': 'identity' });
    expect(refused.headers.get('content-encoding')).to.equal(null);
  });

  it("logs unexpected errors with the request's id, and expected ones not at all", async () => {
    const lines: { level: string; fields: Record<string, unknown> }[] = [];
    const logger = { error: (fields: Record<string, unknown>) => lines.push({ level: 'error', fields }) };
    const silent = { isLevelEnabled: () => false } as unknown as Logger;
    const listener = (await requestLogPlugin(silent).requestDidStart!({ request: {} } as never))!;
    const errors = [
      new GraphQLError('boom', { originalError: new Error('relation "x" does not exist'), path: ['shop'] }),
      new GraphQLError('bad cursor', { originalError: new DomainError(userError('INVALID_CURSOR', 'bad cursor')) }),
      new GraphQLError('too deep', { extensions: { code: 'QUERY_TOO_DEEP' } }),
    ];
    await listener.didEncounterErrors!({ contextValue: { logger }, errors } as never);
    expect(lines.map((line) => [line.level, (line.fields.err as Error).message, line.fields.path])).to.deep.equal([['error', 'relation "x" does not exist', ['shop']]]);
  });

  it('in production, refuses introspection in its own words, not the advice to reconfigure it', async () => {
    const config = loadConfig({ env: 'production', port: 0, host: '127.0.0.1', databaseUrl: getHarness().databaseUrl, migrateOnStart: false });
    const server = await startServer(config, createLogger('silent'));
    try {
      const shop = await createShop();
      const response = await fetch(server.url, {
        method: 'POST',
        headers: { authorization: `Bearer ${shop.adminKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __schema { types { name } } }' }),
      });
      const body: any = await response.json();
      expect(body.errors[0].message).to.equal('Introspection is off on this server: the schema is published with the API, as schema.graphql.');
      expect(JSON.stringify(body)).to.not.match(/ApolloServer|introspection: true/);
    } finally {
      await server.stop();
    }
  });

  it('in production, serves a persisted query by GET from its hash alone', async () => {
    const config = loadConfig({ env: 'production', port: 0, host: '127.0.0.1', databaseUrl: getHarness().databaseUrl, migrateOnStart: false });
    const server = await startServer(config, createLogger('silent'));
    try {
      const shop = await createShop();
      const query = '{ shop { domain } }';
      const extensions = JSON.stringify({ persistedQuery: { version: 1, sha256Hash: crypto.createHash('sha256').update(query).digest('hex') } });
      const get = (params: Record<string, string>) => fetch(`${server.url}?${new URLSearchParams(params)}`, { headers: { authorization: `Bearer ${shop.adminKey}` } });
      expect(((await (await get({ extensions })).json()) as any).errors[0].extensions.code).to.equal('PERSISTED_QUERY_NOT_FOUND');
      expect(((await (await get({ query, extensions })).json()) as any).data.shop.domain).to.equal(shop.domain);
      const byHash = await get({ extensions });
      expect([byHash.status, ((await byHash.json()) as any).data]).to.deep.equal([200, { shop: { domain: shop.domain } }]);
    } finally {
      await server.stop();
    }
  });

  it('logs no mistake of a client as an unexpected error: syntax, unknown fields, bad variables, unknown operations', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
    const config = loadConfig({ env: 'test', port: 0, host: '127.0.0.1', databaseUrl: getHarness().databaseUrl, migrateOnStart: false });
    const server = await startServer(config, logger);
    try {
      const shop = await createShop();
      const bodies = [
        { query: '{ nope }' },
        { query: '{ shop { ' },
        { query: 'query($n: Int!) { runs(first: $n) { nodes { id } } }', variables: { n: 'many' } },
        { query: 'query A { shop { id } } query B { shop { domain } }', operationName: 'C' },
      ];
      for (const body of bodies) {
        const response = await fetch(server.url, { method: 'POST', headers: { authorization: `Bearer ${shop.adminKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
        expect(response.status, body.query).to.equal(400);
      }
    } finally {
      await server.stop();
    }
    expect(lines.filter((line) => line.includes('unexpected error'))).to.deep.equal([]);
  });

  it('reports unexpected failures without internals, in every mode', () => {
    const format = createErrorFormatter();
    const internal = new Error('relation "secret_table" does not exist at SELECT * FROM secret_table');
    const formatted = format({ message: internal.message, extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace: ['at x'] } }, internal);
    expect(formatted).to.deep.equal({ message: 'Internal server error', path: undefined, extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  });

  it('answers 503 in its own words when the database goes away, and keeps serving', async () => {
    await withEmptyDatabase(async (databaseUrl) => {
      const server = await startServer(loadConfig({ env: 'test', port: 0, host: '127.0.0.1', databaseUrl }), createLogger('silent'));
      try {
        const { token } = await new ShopService(server.database.orm.em.fork()).create('gone.myshopify.com');
        const admin = new Client({ connectionString: getHarness().databaseUrl });
        await admin.connect();
        await admin.query(`DROP DATABASE ${new URL(databaseUrl).pathname.slice(1)} WITH (FORCE)`);
        await admin.end();
        for (let attempt = 0; attempt < 2; attempt++) {
          const response = await gql('{ shop { domain } }', {}, { key: token, url: server.url });
          expect(response.status).to.equal(503);
          expect(response.errors).to.deep.equal([{ message: 'The server cannot reach its database right now; try again in a moment.', extensions: { code: 'SERVICE_UNAVAILABLE' } }]);
        }
        const ready = await fetch(server.url.replace('/graphql', '/readyz'));
        expect([ready.status, await ready.json()]).to.deep.equal([503, { status: 'database unreachable' }]);
      } finally {
        await server.stop();
      }
    });
  });

  it('tells a client to try again when no database connection comes free, without the driver\'s words', () => {
    const busy = Object.assign(new Error('Knex: Timeout acquiring a connection. The pool is probably full. Are you missing a .transacting(trx) call?'), { name: 'KnexTimeoutError' });
    const formatted = createErrorFormatter()({ message: `Context creation failed: ${busy.message}`, extensions: { code: 'INTERNAL_SERVER_ERROR' } }, busy);
    expect(formatted.extensions).to.deep.equal({ code: 'SERVICE_UNAVAILABLE' });
    expect(formatted.message).to.match(/^The server is busy/).and.not.match(/Knex|pool/);
  });
});
