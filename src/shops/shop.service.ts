import type { Em } from '../db/orm';
import { DomainError, userError } from '../graphql/user-error';
import { ApiKeyScope } from './api-key.entity';
import { ApiKeyService } from './api-key.service';
import { Shop } from './shop.entity';

const DOMAIN_PATTERN = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

export function normalizeDomain(domain: string): string {
  const normalized = domain.trim().toLowerCase().replace(/^https?:\/\//, '').replace(/\/+$/, '');
  if (!DOMAIN_PATTERN.test(normalized)) {
    throw new DomainError(userError('INVALID_DOMAIN', `"${domain}" is not a host name such as example.myshopify.com.`, ['domain']));
  }
  return normalized;
}

export class ShopService {
  constructor(private readonly em: Em) {}

  get(shopId: string): Promise<Shop | null> {
    return this.em.findOne(Shop, { id: shopId });
  }

  findByDomain(domain: string): Promise<Shop | null> {
    return this.em.findOne(Shop, { domain: normalizeDomain(domain) });
  }

  async requireByDomain(domain: string): Promise<Shop> {
    const shop = await this.findByDomain(domain);
    if (!shop) throw new DomainError(userError('NOT_FOUND', `No shop with domain ${domain}.`, ['domain']));
    return shop;
  }

  /** Creates a shop with its first ADMIN key; the token is shown this once. */
  async create(domain: string): Promise<{ shop: Shop; token: string }> {
    const normalized = normalizeDomain(domain);
    if (await this.em.findOne(Shop, { domain: normalized })) {
      throw new DomainError(userError('ALREADY_EXISTS', `A shop with domain ${normalized} already exists.`, ['domain']));
    }
    return this.em.transactional(async (em) => {
      const shop = em.create(Shop, { domain: normalized, createdAt: new Date() });
      const { token } = await new ApiKeyService(em).create(shop, ApiKeyScope.ADMIN, 'first admin key');
      return { shop, token };
    });
  }

  count(): Promise<number> {
    return this.em.count(Shop, {});
  }
}
