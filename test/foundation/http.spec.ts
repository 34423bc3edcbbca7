import { expect } from 'chai';
import { buildSchema, parse, validate } from 'graphql';
import { depthLimit } from '../../src/graphql/guards';
import { gql } from '../helpers/client';
import { createShop } from '../helpers/shop';
import { getHarness } from '../setup';
import { createErrorFormatter } from '../../src/graphql/format-error';
import { createLogger } from '../../src/logger';

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

  it('echoes a request id, or makes one', async () => {
    const shop = await createShop();
    const given = await gql('{ shop { id } }', {}, { key: shop.adminKey, headers: { 'x-request-id': 'abc-123' } });
    expect(given.headers.get('x-request-id')).to.equal('abc-123');
    const made = await gql('{ shop { id } }', {}, { key: shop.adminKey });
    expect(made.headers.get('x-request-id')).to.match(/^[0-9a-f-]{36}$/);
  });

  it('refuses queries nested deeper than the limit, following fragments', () => {
    const schema = buildSchema('type Query { a: A } type A { a: A x: Int }');
    const errorsOf = (query: string) => validate(schema, parse(query), [depthLimit(3)]).map((e) => e.extensions?.code);
    expect(errorsOf('{ a { a { a { x } } } }')).to.deep.equal(['QUERY_TOO_DEEP']);
    expect(errorsOf('{ a { a { x } } }')).to.deep.equal([]);
    expect(errorsOf('{ a { ...F } } fragment F on A { a { a { x } } }')).to.deep.equal(['QUERY_TOO_DEEP']);
    expect(errorsOf('{ a { ... on A { a { x } } } }')).to.deep.equal([]);
  });

  it('refuses queries whose cost is over the limit', async () => {
    const shop = await createShop();
    const aliases = Array.from({ length: 30 }, (_, i) => `r${i}: runs(first: 250) { nodes { id name createdAt } }`).join(' ');
    const response = await gql(`{ ${aliases} }`, {}, { key: shop.adminKey });
    expect(response.errors?.[0].extensions?.code).to.equal('QUERY_TOO_COMPLEX');
    expect(response.errors?.[0].extensions?.cost).to.be.greaterThan(5000);
    expect(response.data).to.equal(undefined);
  });

  it('reports unexpected failures without internals outside development', () => {
    const format = createErrorFormatter(createLogger('silent'), false);
    const internal = new Error('relation "secret_table" does not exist at SELECT * FROM secret_table');
    const formatted = format({ message: internal.message, extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace: ['at x'] } }, internal);
    expect(formatted).to.deep.equal({ message: 'Internal server error', path: undefined, extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  });
});
