import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, Kind, type DocumentNode, type GraphQLSchema, type ValidationContext, type ASTVisitor } from 'graphql';
import { getComplexity, fieldExtensionsEstimator, simpleEstimator } from 'graphql-query-complexity';
import { ApiKeyScope } from '../shops/api-key.entity';
import type { Context } from './context';

function isIntrospectionOnly(selections: readonly { kind: string; name?: { value: string } }[]): boolean {
  return selections.every((s) => s.kind === Kind.FIELD && s.name!.value.startsWith('__'));
}

/**
 * Deny by default: every operation needs a key, and a mutation needs an ADMIN key. Checked once per request,
 * before any resolver runs; only pure introspection is open, so that a playground can load the schema.
 */
export const authPlugin: ApolloServerPlugin<Context> = {
  async requestDidStart() {
    return {
      async didResolveOperation({ contextValue, operation }) {
        if (!operation || isIntrospectionOnly(operation.selectionSet.selections as never)) return;
        const principal = contextValue.principal;
        if (!principal) {
          throw new GraphQLError('A valid API key is required: send the header "Authorization: Bearer <key>".', {
            extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
          });
        }
        if (operation.operation !== 'query' && principal.scope !== ApiKeyScope.ADMIN) {
          throw new GraphQLError(`This key has scope ${principal.scope}; ${operation.operation}s need an ADMIN key.`, {
            extensions: { code: 'FORBIDDEN', http: { status: 403 } },
          });
        }
      },
    };
  },
};

/** Refuses operations whose estimated cost (lists weighted by their page size) exceeds the limit. */
export function complexityPlugin(schema: GraphQLSchema, maximum: number): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document }) {
          const complexity = getComplexity({
            schema,
            operationName: request.operationName ?? undefined,
            query: document as DocumentNode,
            variables: request.variables ?? {},
            estimators: [fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
          });
          if (complexity > maximum) {
            throw new GraphQLError(`Query cost ${complexity} exceeds the limit of ${maximum}; ask for fewer items or fields.`, {
              extensions: { code: 'QUERY_TOO_COMPLEX', cost: complexity, maximumCost: maximum },
            });
          }
        },
      };
    },
  };
}

/** A validation rule that refuses selections nested deeper than `maximum` (fragments followed). */
export function depthLimit(maximum: number) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map(
      context.getDocument().definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
    );
    const depthOf = (node: { selectionSet?: { selections: readonly any[] } }, depth: number, seen: Set<string>): number => {
      if (!node.selectionSet) return depth;
      let deepest = depth;
      for (const selection of node.selectionSet.selections) {
        if (selection.kind === Kind.FIELD) {
          if (selection.name.value.startsWith('__')) continue;
          deepest = Math.max(deepest, depthOf(selection, depth + 1, seen));
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          deepest = Math.max(deepest, depthOf(selection, depth, seen));
        } else if (selection.kind === Kind.FRAGMENT_SPREAD && !seen.has(selection.name.value)) {
          const fragment = fragments.get(selection.name.value);
          if (fragment) deepest = Math.max(deepest, depthOf(fragment, depth, new Set(seen).add(selection.name.value)));
        }
        if (deepest > maximum) return deepest;
      }
      return deepest;
    };
    return {
      OperationDefinition(operation) {
        const depth = depthOf(operation, 0, new Set());
        if (depth > maximum) {
          context.reportError(
            new GraphQLError(`Query depth ${depth} exceeds the limit of ${maximum}.`, {
              nodes: [operation],
              extensions: { code: 'QUERY_TOO_DEEP' },
            }),
          );
        }
      },
    };
  };
}
