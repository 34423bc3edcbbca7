import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { GraphQLError, Kind, isInterfaceType, isObjectType, visit, type ASTNode, type ASTVisitor, type DocumentNode, type GraphQLSchema, type ValidationContext } from 'graphql';
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
const authListener: GraphQLRequestListener<Context> = {
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

export const authPlugin: ApolloServerPlugin<Context> = {
  async requestDidStart() {
    return authListener;
  },
};

/** Names of fields whose cost is computed from their arguments (a page size), on any type of the schema. */
function fieldsCostedByArguments(schema: GraphQLSchema): Set<string> {
  const names = new Set<string>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) && !isInterfaceType(type)) continue;
    for (const field of Object.values(type.getFields())) {
      if (typeof field.extensions?.complexity === 'function') names.add(field.name);
    }
  }
  return names;
}

/**
 * The variables that can change a document's cost: those in the arguments of fields costed by their arguments,
 * and those of @include and @skip. Every other variable (a sku, an id) leaves the cost as it is.
 */
function costVariables(document: DocumentNode, costedFields: Set<string>): string[] {
  const names = new Set<string>();
  const collect = (node: ASTNode) =>
    visit(node, {
      Variable(variable) {
        names.add(variable.name.value);
      },
    });
  visit(document, {
    VariableDefinition: () => false,
    Field(field) {
      if (costedFields.has(field.name.value)) field.arguments?.forEach(collect);
    },
    Directive(directive) {
      if (directive.name.value === 'include' || directive.name.value === 'skip') directive.arguments?.forEach(collect);
    },
  });
  return [...names];
}

const COSTS_PER_DOCUMENT = 256;

/**
 * Refuses operations whose estimated cost (lists weighted by their page size) exceeds the limit. The estimate
 * walks the whole document, so it is kept per parsed document (Apollo reuses the same one for the same query),
 * operation and the values of the few variables it depends on.
 */
export function complexityPlugin(schema: GraphQLSchema, maximum: number): ApolloServerPlugin<Context> {
  const costedFields = fieldsCostedByArguments(schema);
  const documents = new WeakMap<DocumentNode, { variables: string[]; costs: Map<string, number> }>();
  const costOf = (document: DocumentNode, operationName: string | undefined, variables: Record<string, unknown>): number => {
    let entry = documents.get(document);
    if (!entry) {
      entry = { variables: costVariables(document, costedFields), costs: new Map() };
      documents.set(document, entry);
    }
    const key = entry.variables.length === 0 ? (operationName ?? '') : `${operationName ?? ''}\0${JSON.stringify(entry.variables.map((name) => (name in variables ? [variables[name]] : [])))}`;
    let cost = entry.costs.get(key);
    if (cost === undefined) {
      cost = getComplexity({
        schema,
        operationName,
        query: document,
        variables,
        estimators: [fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
      });
      if (entry.costs.size >= COSTS_PER_DOCUMENT) entry.costs.clear();
      entry.costs.set(key, cost);
    }
    return cost;
  };
  const listener: GraphQLRequestListener<Context> = {
    async didResolveOperation({ request, document }) {
      const complexity = costOf(document as DocumentNode, request.operationName ?? undefined, request.variables ?? {});
      if (complexity > maximum) {
        throw new GraphQLError(`Query cost ${complexity} exceeds the limit of ${maximum}; ask for fewer items or fields.`, {
          extensions: { code: 'QUERY_TOO_COMPLEX', cost: complexity, maximumCost: maximum },
        });
      }
    },
  };
  return {
    async requestDidStart() {
      return listener;
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
