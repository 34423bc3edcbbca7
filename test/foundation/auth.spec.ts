import { expect } from 'chai';
import { gql, gqlUpload, ok } from '../helpers/client';
import { createShop } from '../helpers/shop';
import { getHarness } from '../setup';

describe('authentication and scopes', () => {
  it('refuses a request without a key with 401 UNAUTHENTICATED', async () => {
    const response = await gql('{ shop { id } }');
    expect(response.status).to.equal(401);
    expect(response.headers.get('www-authenticate')).to.equal('Bearer');
    expect(response.errors?.[0].extensions?.code).to.equal('UNAUTHENTICATED');
    expect(response.data?.shop).to.equal(undefined);
  });

  it('refuses an unknown or malformed key', async () => {
    for (const key of ['bg_admin_' + 'x'.repeat(43), 'not-a-key']) {
      const response = await gql('{ shop { id } }', {}, { key });
      expect(response.status).to.equal(401);
      expect(response.errors?.[0].extensions?.code).to.equal('UNAUTHENTICATED');
    }
  });

  it('answers the shop of the key', async () => {
    const shop = await createShop();
    const data = ok(await gql('{ shop { id domain } }', {}, { key: shop.adminKey }));
    expect(data.shop).to.deep.equal({ id: `gid://bundlegraph/Shop/${shop.id}`, domain: shop.domain });
  });

  it('lets a READ key query but not mutate', async () => {
    const shop = await createShop();
    const readKey = await shop.readKey();
    expect(ok(await gql('{ shop { domain } }', {}, { key: readKey })).shop.domain).to.equal(shop.domain);
    const response = await gql('mutation { runCreate(input: { name: "x" }) { run { id } } }', {}, { key: readKey });
    expect(response.status).to.equal(403);
    expect(response.errors?.[0].extensions?.code).to.equal('FORBIDDEN');
    const runs = ok(await gql('{ runs { nodes { id } } }', {}, { key: shop.adminKey }));
    expect(runs.runs.nodes).to.have.length(0);
  });

  it('shows a new token once, stores only its hash, and lists keys without tokens', async () => {
    const shop = await createShop();
    const created = ok(
      await gql('mutation { apiKeyCreate(input: { scope: READ, name: "partner" }) { token apiKey { id name scope tokenPrefix } userErrors { code } } }', {}, { key: shop.adminKey }),
    ).apiKeyCreate;
    expect(created.token).to.match(/^bg_read_[A-Za-z0-9_-]{43}$/);
    expect(created.token.startsWith(created.apiKey.tokenPrefix)).to.equal(true);
    const stored = await getHarness().server.database.orm.em.fork().getConnection().execute(
      'SELECT token_hash FROM api_keys WHERE shop_id = ?',
      [shop.id],
    );
    expect(stored).to.have.length(2);
    expect(JSON.stringify(stored)).to.not.include(created.token);
    const listed = ok(await gql('{ shop { apiKeys { name scope tokenPrefix revokedAt } } }', {}, { key: shop.adminKey })).shop.apiKeys;
    expect(listed.map((k: { name: string }) => k.name)).to.deep.equal(['first admin key', 'partner']);
    expect(JSON.stringify(listed)).to.not.include(created.token);
    // The partner's READ key sees itself only, not the shop's other keys.
    const own = ok(await gql('{ shop { apiKeys { name scope } } }', {}, { key: created.token })).shop.apiKeys;
    expect(own).to.deep.equal([{ name: 'partner', scope: 'READ' }]);
    const adminKeyId = ok(await gql('{ shop { apiKeys { id scope } } }', {}, { key: shop.adminKey })).shop.apiKeys.find((k: { scope: string }) => k.scope === 'ADMIN').id;
    expect(ok(await gql('query($id: ID!) { node(id: $id) { id } }', { id: adminKeyId }, { key: created.token })).node).to.equal(null);
    expect(ok(await gql('query($id: ID!) { node(id: $id) { id } }', { id: created.apiKey.id }, { key: created.token })).node).to.deep.equal({ id: created.apiKey.id });
  });

  it("refuses a key name over 200 characters as the input's error", async () => {
    const shop = await createShop();
    const payload = ok(
      await gql('mutation($name: String) { apiKeyCreate(input: { scope: READ, name: $name }) { token userErrors { field code } } }', { name: 'n'.repeat(201) }, { key: shop.adminKey }),
    ).apiKeyCreate;
    expect(payload).to.deep.equal({ token: null, userErrors: [{ field: ['input', 'name'], code: 'TOO_LONG' }] });
  });

  it('refuses a revoked key', async () => {
    const shop = await createShop();
    const created = ok(
      await gql('mutation { apiKeyCreate(input: { scope: ADMIN }) { token apiKey { id } } }', {}, { key: shop.adminKey }),
    ).apiKeyCreate;
    expect(ok(await gql('{ shop { id } }', {}, { key: created.token })).shop.id).to.be.a('string');
    const revoked = ok(
      await gql('mutation($id: ID!) { apiKeyRevoke(id: $id) { apiKey { revokedAt } userErrors { code } } }', { id: created.apiKey.id }, { key: shop.adminKey }),
    ).apiKeyRevoke;
    expect(revoked.userErrors).to.deep.equal([]);
    expect(revoked.apiKey.revokedAt).to.be.a('string');
    const response = await gql('{ shop { id } }', {}, { key: created.token });
    expect(response.status).to.equal(401);
    expect(response.errors?.[0].extensions?.code).to.equal('UNAUTHENTICATED');
  });

  it("keeps a shop's last ADMIN key: revoking it is refused until another exists", async () => {
    const shop = await createShop();
    const keys = ok(await gql('{ shop { apiKeys { id scope revokedAt } } }', {}, { key: shop.adminKey })).shop.apiKeys;
    const [own] = keys.filter((k: any) => k.scope === 'ADMIN' && !k.revokedAt);
    const revoke = async (id: string, key: string) =>
      ok(await gql('mutation($id: ID!) { apiKeyRevoke(id: $id) { apiKey { revokedAt } userErrors { field code } } }', { id }, { key })).apiKeyRevoke;
    expect((await revoke(own.id, shop.adminKey)).userErrors).to.deep.equal([{ field: ['id'], code: 'LAST_ADMIN_KEY' }]);
    expect(ok(await gql('{ shop { id } }', {}, { key: shop.adminKey })).shop.id).to.be.a('string');
    const second = ok(await gql('mutation { apiKeyCreate(input: { scope: ADMIN }) { token apiKey { id } } }', {}, { key: shop.adminKey })).apiKeyCreate;
    expect((await revoke(own.id, second.token)).userErrors).to.deep.equal([]);
    expect((await revoke(second.apiKey.id, second.token)).userErrors).to.deep.equal([{ field: ['id'], code: 'LAST_ADMIN_KEY' }]);
  });

  it('reports an unknown key id as a userError, not a failure', async () => {
    const shop = await createShop();
    const payload = ok(
      await gql('mutation { apiKeyRevoke(id: "gid://bundlegraph/ApiKey/999999999") { apiKey { id } userErrors { field code message } } }', {}, { key: shop.adminKey }),
    ).apiKeyRevoke;
    expect(payload.apiKey).to.equal(null);
    expect(payload.userErrors).to.deep.equal([{ field: ['id'], code: 'NOT_FOUND', message: 'No API key with this id in this shop.' }]);
  });

  it('keeps CSRF prevention on: a multipart POST without the preflight header is refused, with a key or without', async () => {
    const shop = await createShop();
    const upload = (key?: string) =>
      gqlUpload('mutation($file: Upload!) { csvUpload(runId: "gid://bundlegraph/Run/0", kind: ORDERS, file: $file) { userErrors { code } } }', { file: null }, [{ variable: 'file', filename: 'a.csv', content: 'a,b\n' }], {
        ...(key ? { key } : {}),
        preflight: false,
      });
    const forged = await upload();
    expect(forged.status).to.equal(400);
    expect(forged.errors?.[0].message ?? '').to.match(/CSRF|preflight/i);
    // As the API's contract says: every POST that is not JSON needs the header, whatever else it carries.
    const keyed = await upload(shop.adminKey);
    expect(keyed.status).to.equal(400);
    expect(keyed.errors?.[0].message ?? '').to.match(/CSRF|preflight/i);
    const preflighted = await gqlUpload('mutation($file: Upload!) { csvUpload(runId: "gid://bundlegraph/Run/0", kind: ORDERS, file: $file) { userErrors { code } } }', { file: null }, [{ variable: 'file', filename: 'a.csv', content: 'a,b\n' }], { key: shop.adminKey });
    expect(preflighted.status).to.equal(200);
    expect(preflighted.data.csvUpload.userErrors[0].code).to.equal('NOT_FOUND');
  });
});
