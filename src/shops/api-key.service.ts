import crypto from 'node:crypto';
import { LockMode } from '@mikro-orm/core';
import { LRUCache } from 'lru-cache';
import type { Em } from '../db/orm';
import { DomainError, userError } from '../graphql/user-error';
import { ApiKey, ApiKeyScope } from './api-key.entity';
import { Shop } from './shop.entity';

/** Who is calling: the shop every query is scoped to, and what the key may do. */
export interface Principal {
  shopId: string;
  keyId: string;
  scope: ApiKeyScope;
}

const TOKEN_PATTERN = /^bg_(admin|read)_[A-Za-z0-9_-]{43}$/;
const MAX_KEY_NAME = 200;

export function hashToken(token: string): string {
  return crypto.hash('sha256', token, 'hex');
}

function newToken(scope: ApiKeyScope): string {
  return `bg_${scope.toLowerCase()}_${crypto.randomBytes(32).toString('base64url')}`;
}

/**
 * Keys are looked up on every request; a short-lived cache keeps the storefront read path off the database.
 * Revocation through this process evicts at once; another process sees it within the cache's lifetime. Tokens that
 * name no key are kept apart, so that a flood of made-up tokens evicts only its own kind, not the shops' keys.
 */
const CACHE_TTL_MS = 10_000;
const known = new LRUCache<string, Principal>({ max: 10_000, ttl: CACHE_TTL_MS });
const unknown = new LRUCache<string, true>({ max: 1_000, ttl: CACHE_TTL_MS });

function cachedByHash(tokenHash: string): Principal | null | undefined {
  return known.get(tokenHash) ?? (unknown.has(tokenHash) ? null : undefined);
}

/**
 * The principal of a token from the cache alone: undefined when the database must be asked, so that a cached
 * request needs no entity manager at all.
 */
export function cachedPrincipal(token: string): Principal | null | undefined {
  if (!TOKEN_PATTERN.test(token)) return null;
  return cachedByHash(hashToken(token));
}

export class ApiKeyService {
  constructor(private readonly em: Em) {}

  /** Creates a key; the token is returned here once and only its hash is stored. */
  async create(shop: Shop, scope: ApiKeyScope, name?: string): Promise<{ apiKey: ApiKey; token: string }> {
    if (name && name.trim().length > MAX_KEY_NAME) {
      throw new DomainError(userError('TOO_LONG', `A key's name is at most ${MAX_KEY_NAME} characters.`, ['input', 'name']));
    }
    const token = newToken(scope);
    const apiKey = this.em.create(ApiKey, {
      shop,
      scope,
      name: name?.trim() || `${scope.toLowerCase()} key`,
      tokenPrefix: token.slice(0, 12),
      tokenHash: hashToken(token),
      createdAt: new Date(),
    });
    await this.em.flush();
    return { apiKey, token };
  }

  /**
   * Revokes a key of the shop. The shop's last active ADMIN key is kept: without it, the shop could only be
   * administered again from the command line. Its active ADMIN keys are locked while counted, so two revocations at
   * once cannot each leave the other's key as the last.
   */
  async revoke(shopId: string, keyId: string): Promise<ApiKey> {
    const apiKey = await this.em.transactional(async (em) => {
      const found = await em.findOne(ApiKey, { id: keyId, shop: shopId });
      if (!found) throw new DomainError(userError('NOT_FOUND', 'No API key with this id in this shop.', ['id']));
      if (found.revokedAt) return found;
      if (found.scope === ApiKeyScope.ADMIN) {
        const admins = await em.find(ApiKey, { shop: shopId, scope: ApiKeyScope.ADMIN, revokedAt: null }, { lockMode: LockMode.PESSIMISTIC_WRITE });
        if (admins.length <= 1) {
          throw new DomainError(userError('LAST_ADMIN_KEY', "This is the shop's last ADMIN key: create another (apiKeyCreate) before revoking it.", ['id']));
        }
      }
      found.revokedAt = new Date();
      return found;
    });
    known.delete(apiKey.tokenHash);
    return apiKey;
  }

  /**
   * The keys the caller may see: all of its shop's for an ADMIN key, revoked ones included; only itself for a READ
   * key, since a partner has no business knowing which other keys exist, ADMIN ones least of all.
   */
  async visible(principal: Principal, keyId?: string): Promise<ApiKey[]> {
    const ids = [keyId, principal.scope === ApiKeyScope.ADMIN ? undefined : principal.keyId].filter((id) => id !== undefined);
    if (new Set(ids).size > 1) return [];
    return this.em.find(ApiKey, { shop: principal.shopId, ...(ids.length ? { id: ids[0] } : {}) }, { orderBy: { id: 'asc' } });
  }

  /** The principal behind a bearer token, or null for an unknown, malformed or revoked one. */
  async authenticate(token: string): Promise<Principal | null> {
    if (!TOKEN_PATTERN.test(token)) return null;
    const tokenHash = hashToken(token);
    const cached = cachedByHash(tokenHash);
    if (cached !== undefined) return cached;
    const key = await this.em.findOne(ApiKey, { tokenHash }, { fields: ['id', 'scope', 'shop', 'revokedAt'] });
    const principal = key && !key.revokedAt ? { shopId: key.shop.id, keyId: key.id, scope: key.scope } : null;
    if (principal) known.set(tokenHash, principal);
    else unknown.set(tokenHash, true);
    return principal;
  }
}
