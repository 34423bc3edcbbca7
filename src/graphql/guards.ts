import { HeaderMap, type ApolloServerPlugin, type GraphQLRequestListener } from '@apollo/server';
import {
  GraphQLError,
  Kind,
  getVariableValues,
  getNamedType,
  isInterfaceType,
  isLeafType,
  isObjectType,
  visit,
  type ASTNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { getComplexity, fieldExtensionsEstimator, type ComplexityEstimator } from 'graphql-query-complexity';
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
    // A subscription is refused as such by the limits, whoever asks (this API has none).
    if (!operation || operation.operation === 'subscription' || isIntrospectionOnly(operation.selectionSet.selections as never)) return;
    const principal = contextValue.principal;
    if (!principal) {
      throw new GraphQLError('A valid API key is required: send the header "Authorization: Bearer <key>".', {
        // RFC 9110: a 401 names the scheme that would be accepted.
        extensions: { code: 'UNAUTHENTICATED', http: { status: 401, headers: new HeaderMap([['www-authenticate', 'Bearer']]) } },
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

/** Selections (fragments expanded) the cost estimator visits before it gives up. */
const COMPLEXITY_NODES = 10_000;

/**
 * Text PostgreSQL cannot store as given: a NUL character, or half of a UTF-16 surrogate pair alone (JSON's `"\ud800"`,
 * valid JSON but no text), which would be stored as U+FFFD, so that a key saved so could never be found again by the
 * string the client holds. (GraphQL's lexer refuses such an escape in the query itself.)
 */
const UNSTORABLE = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Bounds on the values of an operation, far above what any argument of the API takes (its longest text is 2,000
 * characters, its longest list 10,000 bundles, its inputs nest a few levels), so that the API's own checks still
 * answer ordinary mistakes with their specific errors. Past them a value is refused before it is coerced, logged,
 * echoed in an error or written into a statement, each of which costs time in proportion to its size.
 */
export const VALUE_LIMITS = { textChars: 10_000, listItems: 20_000, depth: 32 } as const;

const UNSTORABLE_MESSAGE = 'Text cannot contain NUL characters (\\u0000), nor half of a UTF-16 surrogate pair alone (such as \\ud800).';

function textProblem(text: string): string | null {
  if (text.length > VALUE_LIMITS.textChars) return `Text of ${text.length} characters is over the limit of ${VALUE_LIMITS.textChars}.`;
  return UNSTORABLE.test(text) ? UNSTORABLE_MESSAGE : null;
}

/** What is wrong with variable values (parsed JSON, whatever the transport) before they are coerced, if anything. */
function variablesProblem(value: unknown, depth = 0): string | null {
  if (typeof value === 'string') return textProblem(value);
  if (value === null || typeof value !== 'object') return null;
  if (depth >= VALUE_LIMITS.depth) return `Variables nest deeper than ${VALUE_LIMITS.depth} levels.`;
  if (Array.isArray(value)) {
    if (value.length > VALUE_LIMITS.listItems) return `A list of ${value.length} items is over the limit of ${VALUE_LIMITS.listItems}.`;
    for (const item of value) {
      const problem = variablesProblem(item, depth + 1);
      if (problem) return problem;
    }
    return null;
  }
  // Uploads are objects of their own kind, not JSON (their file names are cleaned where they are stored).
  if (Object.getPrototypeOf(value) !== Object.prototype) return null;
  for (const key in value) {
    const problem = textProblem(key) ?? variablesProblem((value as Record<string, unknown>)[key], depth + 1);
    if (problem) return problem;
  }
  return null;
}

/** The same for the values written in the document (its depth and size are bounded by the limits on its shape). */
function literalsProblem(document: DocumentNode): string | null {
  let problem: string | null = null;
  visit(document, {
    StringValue(node) {
      problem ??= textProblem(node.value);
    },
    ListValue(node) {
      if (node.values.length > VALUE_LIMITS.listItems) problem ??= `A list of ${node.values.length} items is over the limit of ${VALUE_LIMITS.listItems}.`;
    },
  });
  return problem;
}

/**
 * The cost of a field without an estimate of its own, as in Shopify's Admin API: an object costs 1 plus its fields,
 * a scalar nothing (the size limit bounds how many are asked for). Lists multiply their items' cost by the number
 * asked for (relay.ts).
 */
const objectEstimator: ComplexityEstimator = ({ field, childComplexity }) => (isLeafType(getNamedType(field.type)) ? 0 : 1 + childComplexity);

/**
 * What a root introspection field counts for in a document's size: the schema's whole type list stands behind it,
 * and the cost estimate counts it once. A playground's introspection query asks for one.
 */
const INTROSPECTION_ROOT_SIZE = 100;

/** An operation's nesting depth (introspection left out) and size (fields, with fragments expanded). */
export interface OperationShape {
  depth: number;
  size: number;
}

type SelectionHolder = { selectionSet?: SelectionSetNode };

/**
 * Measures an operation in time linear in its document: each fragment is measured once, however many times and
 * however deeply fragments spread one another. A walk that follows every spread (as the cost estimator does) takes
 * time exponential in the number of fragments: a query of 1 KB, each of 22 fragments spreading the next twice,
 * kept a server busy for 20 s.
 */
export function shapeOf(document: DocumentNode, operation: OperationDefinitionNode): OperationShape {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const measured = new Map<string, OperationShape>();
  const measuring = new Set<string>();
  const measure = (node: SelectionHolder): OperationShape => {
    const shape = { depth: 0, size: 0 };
    for (const selection of node.selectionSet?.selections ?? []) {
      let inner: OperationShape;
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value.startsWith('__')) {
          shape.size += selection.name.value === '__typename' ? 1 : INTROSPECTION_ROOT_SIZE;
          continue;
        }
        const below = measure(selection);
        inner = { depth: below.depth + 1, size: below.size + 1 };
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        inner = measure(selection);
      } else {
        inner = fragmentShape(selection.name.value);
      }
      shape.depth = Math.max(shape.depth, inner.depth);
      shape.size += inner.size;
    }
    return shape;
  };
  // A fragment cycle is refused by validation before this runs; here it only must not recurse forever.
  const fragmentShape = (name: string): OperationShape => {
    const known = measured.get(name);
    if (known) return known;
    const fragment = fragments.get(name);
    if (!fragment || measuring.has(name)) return { depth: 0, size: 0 };
    measuring.add(name);
    const shape = measure(fragment);
    measuring.delete(name);
    measured.set(name, shape);
    return shape;
  };
  return measure(operation);
}

/** Fields of __Type that list types or values: asked of the types the schema lists, not of a type referred to. */
const TYPE_LISTS = new Set(['fields', 'inputFields', 'interfaces', 'possibleTypes', 'enumValues']);
/** Introspection fields whose answer is a type referred to (a field's type, an interface): many, across a schema. */
const TYPE_REFERENCES = new Set(['type', 'ofType', 'interfaces', 'possibleTypes']);
/** Introspection fields whose answer is one type of the schema's, as a listed one is: asking its lists copies nothing. */
const ONE_TYPE = new Set(['types', '__type', 'queryType', 'mutationType', 'subscriptionType']);

/**
 * Introspection answers grow with the schema, which the cost limit does not see, and a query can multiply them:
 * under aliases (`__schema { a: types {...} b: types {...} }` copies the schema once per alias: 19 MB for a 6 KB query
 * was measured) or by asking a type's fields of its fields' types (`fields { type { fields { type ... } } }`, which
 * multiplies at each level). So introspection fields take no aliases, and a type's lists are asked only of the types
 * that `__schema.types` or `__type` name, or of the root types. The introspection of GraphiQL, Apollo Sandbox and codegen tools
 * (graphql-js's getIntrospectionQuery) does neither. Linear in the document: each fragment is walked once per context.
 */
export function introspectionProblem(document: DocumentNode, operation: OperationDefinitionNode): string | null {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  type Context = 'listed' | 'referred' | 'other';
  const walked = new Set<string>();
  const walk = (node: SelectionHolder, context: Context, inside: boolean): string | null => {
    for (const selection of node.selectionSet?.selections ?? []) {
      let problem: string | null = null;
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        if (!inside && !(name.startsWith('__') && name !== '__typename')) {
          problem = walk(selection, 'other', false);
        } else if (selection.alias && name !== '__typename') {
          return `Introspection fields take no aliases (${selection.alias.value}: ${name}): ask for each once.`;
        } else if (context === 'referred' && TYPE_LISTS.has(name)) {
          return `A type's ${name} are asked of the types __schema.types or __type names (or the root types), not of a type referred to by a field, argument or other type.`;
        } else {
          problem = walk(selection, ONE_TYPE.has(name) ? 'listed' : TYPE_REFERENCES.has(name) ? 'referred' : 'other', true);
        }
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        problem = walk(selection, context, inside);
      } else {
        const key = `${selection.name.value}:${context}:${inside}`;
        const fragment = fragments.get(selection.name.value);
        if (fragment && !walked.has(key)) {
          walked.add(key);
          problem = walk(fragment, context, inside);
        }
      }
      if (problem) return problem;
    }
    return null;
  };
  return walk(operation, 'other', false);
}

function refused(message: string, code: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extensions, http: { status: 400 } } });
}

/**
 * Limits on what one operation may ask, checked before anything runs, cheapest first: no subscriptions (the API
 * has none); the depth (selections nested deeper than `maxDepth`); the size (fields asked for, fragments expanded,
 * scalars included), which may not exceed the cost limit either; values past VALUE_LIMITS, and text no column can
 * store; the variables (refused as bad input, as execution would); then the estimated cost, lists weighted by their page size. The measures are kept per parsed document (Apollo reuses the same one for the same query),
 * operation, and the values of the few variables the cost depends on.
 */
export function limitsPlugin(
  schema: GraphQLSchema,
  limits: { maxDepth: number; maxCost: number; hideSuggestions: boolean },
): ApolloServerPlugin<Context> {
  const costedFields = fieldsCostedByArguments(schema);
  const documents = new WeakMap<
    DocumentNode,
    { variables: string[]; literalsProblem: string | null; shapes: Map<OperationDefinitionNode, OperationShape & { introspectionProblem: string | null }>; costs: Map<string, number> }
  >();
  const check = (document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown>): void => {
    if (operation.operation === 'subscription') throw refused('This API has no subscriptions; poll the query instead.', 'BAD_REQUEST');
    let entry = documents.get(document);
    if (!entry) {
      entry = { variables: costVariables(document, costedFields), literalsProblem: literalsProblem(document), shapes: new Map(), costs: new Map() };
      documents.set(document, entry);
    }
    let shape = entry.shapes.get(operation);
    if (!shape) entry.shapes.set(operation, (shape = { ...shapeOf(document, operation), introspectionProblem: introspectionProblem(document, operation) }));
    if (shape.introspectionProblem) throw refused(shape.introspectionProblem, 'QUERY_TOO_COMPLEX');
    if (shape.depth > limits.maxDepth) {
      throw refused(`Query depth ${shape.depth} exceeds the limit of ${limits.maxDepth}.`, 'QUERY_TOO_DEEP', { depth: shape.depth, maximumDepth: limits.maxDepth });
    }
    if (shape.size > limits.maxCost) {
      throw refused(`Query asks for ${shape.size} fields, over the cost limit of ${limits.maxCost}; ask for fewer items or fields.`, 'QUERY_TOO_COMPLEX', {
        cost: shape.size,
        maximumCost: limits.maxCost,
      });
    }
    const problem = entry.literalsProblem ?? variablesProblem(variables);
    if (problem) throw refused(problem, 'BAD_USER_INPUT');
    const operationName = operation.name?.value ?? '';
    const key = entry.variables.length === 0 ? operationName : `${operationName}\0${JSON.stringify(entry.variables.map((name) => (name in variables ? [variables[name]] : [])))}`;
    let cost = entry.costs.get(key);
    if (cost === undefined) {
      const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables, { maxErrors: 1, hideSuggestions: limits.hideSuggestions });
      if (coerced.errors) throw refused(coerced.errors[0].message, 'BAD_USER_INPUT');
      try {
        cost = getComplexity({
          schema,
          operationName: operation.name?.value,
          query: document,
          variables,
          estimators: [fieldExtensionsEstimator(), objectEstimator],
          maxQueryNodes: COMPLEXITY_NODES,
        });
      } catch (error) {
        // The estimator gives up past its budget of selections (fragments expanded): far over any cost limit.
        if (error instanceof GraphQLError && /maximum allowed number of nodes/.test(error.message)) {
          throw refused(`Query asks for more than ${COMPLEXITY_NODES} selections, fragments expanded; ask for fewer.`, 'QUERY_TOO_COMPLEX', { maximumCost: limits.maxCost });
        }
        throw error;
      }
      if (entry.costs.size >= COSTS_PER_DOCUMENT) entry.costs.clear();
      entry.costs.set(key, cost);
    }
    if (cost > limits.maxCost) {
      throw refused(`Query cost ${cost} exceeds the limit of ${limits.maxCost}; ask for fewer items or fields.`, 'QUERY_TOO_COMPLEX', {
        cost,
        maximumCost: limits.maxCost,
      });
    }
  };
  const listener: GraphQLRequestListener<Context> = {
    async didResolveOperation({ request, document, operation }) {
      if (operation) check(document as DocumentNode, operation, request.variables ?? {});
    },
  };
  return {
    async requestDidStart() {
      return listener;
    },
  };
}
