import crypto from 'node:crypto';
import { gql, ok } from './client';
import { getHarness } from '../setup';
import { ShopService } from '../../src/shops/shop.service';

export interface TestShop {
  id: string;
  domain: string;
  adminKey: string;
  /** Creates a READ key through the API. */
  readKey(): Promise<string>;
}

/** A shop of the test's own, so that tests never see each other's data. */
export async function createShop(prefix = 'test'): Promise<TestShop> {
  const domain = `${prefix}-${crypto.randomBytes(5).toString('hex')}.myshopify.com`;
  const { shop, token } = await new ShopService(getHarness().server.database.orm.em.fork()).create(domain);
  return {
    id: shop.id,
    domain: shop.domain,
    adminKey: token,
    async readKey() {
      const data = ok(
        await gql(`mutation { apiKeyCreate(input: { scope: READ, name: "reader" }) { token userErrors { code } } }`, {}, { key: token }),
      );
      return data.apiKeyCreate.token;
    },
  };
}

export async function createRun(key: string, name = 'run'): Promise<string> {
  const data = ok(
    await gql(
      `mutation($name: String!) { runCreate(input: { name: $name }) { run { id } userErrors { code message } } }`,
      { name },
      { key },
    ),
  );
  return data.runCreate.run.id;
}
