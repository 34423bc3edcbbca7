import type { Config } from '../config';
import type { Em, Orm } from '../db/orm';
import type { Logger } from '../logger';
import type { Principal } from '../shops/api-key.service';
import { ResponseCachePolicy } from './response-cache';

/** What every resolver receives: a request-scoped entity manager and the caller. */
export interface Context {
  em: Em;
  /** The root ORM, for work that outlives the request (background uploads) or needs connections of its own. */
  orm: Orm;
  principal: Principal | null;
  requestId: string;
  logger: Logger;
  config: Config;
  /** Per-request DataLoaders, created on first use (see `loader`). */
  loaders: Map<string, unknown>;
  /** Whether and for how long this request's response may be served again (see graphql/response-cache.ts). */
  responseCache: ResponseCachePolicy;
}

/**
 * The context of one request. The entity manager, the request's logger and the loader map are made on first
 * use: many requests (introspection, cached reads, refusals) need none of them, and each costs allocations.
 */
export class RequestContext implements Context {
  private forked?: Em;
  private childLogger?: Logger;
  private loaderMap?: Map<string, unknown>;
  readonly responseCache = new ResponseCachePolicy();

  constructor(
    readonly orm: Orm,
    public principal: Principal | null,
    readonly requestId: string,
    private readonly rootLogger: Logger,
    readonly config: Config,
  ) {}

  get em(): Em {
    return (this.forked ??= this.orm.em.fork());
  }

  get logger(): Logger {
    return (this.childLogger ??= this.rootLogger.child({ requestId: this.requestId }));
  }

  get loaders(): Map<string, unknown> {
    return (this.loaderMap ??= new Map());
  }
}

/** The caller; the auth plugin has already refused requests without a key, so this always holds. */
export function principalOf(context: Context): Principal {
  if (!context.principal) throw new Error('resolver reached without an authenticated principal');
  return context.principal;
}

/** The caller's shop. */
export function shopIdOf(context: Context): string {
  return principalOf(context).shopId;
}

/** One DataLoader per request and purpose, so that batching never mixes requests or shops. */
export function loader<T>(context: Context, name: string, create: () => T): T {
  let instance = context.loaders.get(name) as T | undefined;
  if (!instance) {
    instance = create();
    context.loaders.set(name, instance);
  }
  return instance;
}
