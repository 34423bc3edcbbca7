import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, TypeInfo, visit, visitWithTypeInfo, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { LRUCache } from 'lru-cache';
import type { Context } from './context';

/**
 * Whole responses of read operations, served again without parsing, validating or executing anything.
 *
 * Only operations whose every root field is marked cacheable (`@Extensions({ responseCache: true })`) are kept,
 * and only when they succeed and select no field marked `@Extensions({ responseCache: false })`: a field read at
 * execution rather than from the kept answers (Bundle.run), whose changes those answers would not notice. Their resolvers name what the answer was built from (CacheDependency: a kept
 * storefront answer, with its freshness and its shop's write generation); the response is served again for as
 * long as each of those would itself be served, so caching the response never makes an answer staler. The key is
 * the shop, the Accept header and the exact body: the same text from the same shop had the same checks pass
 * (depth, cost, scope) and would execute the same way.
 */
export interface CacheDependency {
  /** Whether what the response was built from would still be served; may start its refresh. */
  isValid(): boolean;
}

/** What a request's response depends on, filled in while it executes. */
export class ResponseCachePolicy {
  /** Set when every root field of the operation is cacheable; cleared when the response has errors. */
  cacheable = false;
  readonly dependencies: CacheDependency[] = [];

  dependOn = (dependency: CacheDependency): void => {
    this.dependencies.push(dependency);
  };

  /** Whether the response can be kept: cacheable, and built from something whose validity can be checked. */
  get storable(): boolean {
    return this.cacheable && this.dependencies.length > 0;
  }
}

export interface CachedResponse {
  status: number;
  /** Names and values in turn, as `writeHead` takes them; content-length (of `body`) included, vary not. */
  headers: string[];
  /** Encoded once, written as it is. */
  body: Buffer;
  /** The body gzipped, once a client that takes gzip was sent it (see http/server.ts); not counted in the bound. */
  gzipped?: Buffer;
  dependencies: readonly CacheDependency[];
}

/** Bodies larger than this are not worth a key: storefront queries are a few hundred bytes. */
const MAX_KEYED_BODY = 16 * 1024;

export class ResponseCache {
  /** Least recently used responses go first once their bodies and keys reach the limit (bytes, roughly). */
  private readonly responses: LRUCache<string, CachedResponse> | null;

  constructor(maxSize: number) {
    this.responses = maxSize > 0 ? new LRUCache({ maxSize, sizeCalculation: (response, key) => response.body.length + key.length }) : null;
  }

  keyOf(shopId: string, accept: string | undefined, body: string): string | null {
    return this.responses && body.length <= MAX_KEYED_BODY ? `${shopId}\u0000${accept ?? ''}\u0000${body}` : null;
  }

  get(key: string): CachedResponse | undefined {
    const response = this.responses?.get(key);
    if (!response) return undefined;
    if (response.dependencies.every((dependency) => dependency.isValid())) return response;
    this.responses?.delete(key);
    return undefined;
  }

  set(key: string, response: CachedResponse): void {
    this.responses?.set(key, response);
  }
}

/**
 * Names of the root fields an operation selects, through fragments (skip and include are not evaluated). Each
 * fragment is read once: fragments that spread one another twice would otherwise take exponential time.
 */
function rootFieldNames(selectionSet: SelectionSetNode, document: DocumentNode, names = new Set<string>(), read = new Set<string>()): Set<string> {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) names.add(selection.name.value);
    else if (selection.kind === Kind.INLINE_FRAGMENT) rootFieldNames(selection.selectionSet, document, names, read);
    else if (!read.has(selection.name.value)) {
      read.add(selection.name.value);
      const fragment = document.definitions.find((d) => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === selection.name.value);
      if (fragment && fragment.kind === Kind.FRAGMENT_DEFINITION) rootFieldNames(fragment.selectionSet, document, names, read);
    }
  }
  return names;
}

function isCacheableOperation(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode): boolean {
  if (operation.operation !== 'query') return false;
  const fields = schema.getQueryType()?.getFields() ?? {};
  const names = rootFieldNames(operation.selectionSet, document);
  if (![...names].every((name) => name === '__typename' || fields[name]?.extensions?.responseCache === true)) return false;
  // Anywhere in the document, fragments included: a field left out of kept responses leaves the whole one out.
  const typeInfo = new TypeInfo(schema);
  let excluded = false;
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field() {
        if (typeInfo.getFieldDef()?.extensions?.responseCache === false) excluded = true;
      },
    }),
  );
  return !excluded;
}

/** Marks the requests whose response may be kept; the HTTP layer keeps and serves them (see http/server.ts). */
export function responseCachePlugin(): ApolloServerPlugin<Context> {
  // Apollo reuses one parsed document per query text, so the verdict is worked out once per operation.
  const verdicts = new WeakMap<OperationDefinitionNode, boolean>();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, contextValue }) {
          if (!operation) return;
          let verdict = verdicts.get(operation);
          if (verdict === undefined) verdicts.set(operation, (verdict = isCacheableOperation(schema, document, operation)));
          contextValue.responseCache.cacheable = verdict;
        },
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind !== 'single' || response.body.singleResult.errors?.length) contextValue.responseCache.cacheable = false;
        },
      };
    },
  };
}
