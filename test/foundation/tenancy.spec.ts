import { expect } from 'chai';
import { gql, ok } from '../helpers/client';
import { createRun, createShop } from '../helpers/shop';

describe('tenancy: one shop never sees another', () => {
  it('gives shop B nothing for shop A ids through node, run and runs', async () => {
    const a = await createShop('a');
    const b = await createShop('b');
    const runId = await createRun(a.adminKey, 'secret run');
    const keyId = ok(await gql('{ shop { apiKeys { id } } }', {}, { key: a.adminKey })).shop.apiKeys[0].id;

    const asA = ok(await gql('query($id: ID!) { node(id: $id) { id ... on Run { name } } run(id: $id) { name } }', { id: runId }, { key: a.adminKey }));
    expect(asA.node).to.deep.equal({ id: runId, name: 'secret run' });
    expect(asA.run.name).to.equal('secret run');

    const asB = ok(
      await gql(
        'query($id: ID!, $shop: ID!, $key: ID!) { node(id: $id) { id } run(id: $id) { name } shopNode: node(id: $shop) { id } keyNode: node(id: $key) { id } runs { nodes { id } } }',
        { id: runId, shop: `gid://bundlegraph/Shop/${a.id}`, key: keyId },
        { key: b.adminKey },
      ),
    );
    expect(asB).to.deep.equal({ node: null, run: null, shopNode: null, keyNode: null, runs: { nodes: [] } });
  });

  it('will not let shop B revoke shop A key', async () => {
    const a = await createShop('a');
    const b = await createShop('b');
    const keyId = ok(await gql('{ shop { apiKeys { id } } }', {}, { key: a.adminKey })).shop.apiKeys[0].id;
    const payload = ok(await gql('mutation($id: ID!) { apiKeyRevoke(id: $id) { userErrors { code } } }', { id: keyId }, { key: b.adminKey })).apiKeyRevoke;
    expect(payload.userErrors.map((e: { code: string }) => e.code)).to.deep.equal(['NOT_FOUND']);
    expect(ok(await gql('{ shop { id } }', {}, { key: a.adminKey })).shop.id).to.equal(`gid://bundlegraph/Shop/${a.id}`);
  });

  it('answers null for malformed and unknown ids', async () => {
    const shop = await createShop();
    for (const id of ['nope', 'gid://bundlegraph/Run/abc', 'gid://bundlegraph/Nothing/1', 'gid://bundlegraph/Run/99999999999999999999', 'gid://shopify/Run/1']) {
      const data = ok(await gql('query($id: ID!) { node(id: $id) { id } run(id: $id) { id } }', { id }, { key: shop.adminKey }));
      expect(data, id).to.deep.equal({ node: null, run: null });
    }
  });
});
