import { ArgsType, ClassType, Field, ID, Int, InterfaceType, ObjectType } from 'type-graphql';
import { DomainError, userError } from './user-error';

@InterfaceType({ description: 'An object with a global id, resolvable through `node(id:)`.' })
export abstract class Node {
  @Field(() => ID, { description: 'Global id: gid://bundlegraph/<Type>/<id>.' })
  id!: string;
}

@ObjectType()
export class PageInfo {
  @Field()
  hasNextPage!: boolean;

  @Field()
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true })
  startCursor!: string | null;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

export const MAX_PAGE_SIZE = 250;
export const DEFAULT_PAGE_SIZE = 50;

@ArgsType()
export class ConnectionArgs {
  @Field(() => Int, { nullable: true, description: `Page size from the start, at most ${MAX_PAGE_SIZE}.` })
  first?: number;

  @Field(() => String, { nullable: true })
  after?: string;

  @Field(() => Int, { nullable: true, description: `Page size from the end, at most ${MAX_PAGE_SIZE}.` })
  last?: number;

  @Field(() => String, { nullable: true })
  before?: string;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

export interface ConnectionShape<T> {
  edges: Edge<T>[];
  nodes: T[];
  pageInfo: PageInfo;
}

/** Builds `<Name>Connection` and `<Name>Edge` types for a node type. */
export function Connection<T extends object>(nodeType: ClassType<T>, name: string) {
  @ObjectType(`${name}Edge`)
  class EdgeType {
    @Field()
    cursor!: string;

    @Field(() => nodeType)
    node!: T;
  }

  @ObjectType(`${name}Connection`)
  class ConnectionType {
    @Field(() => [EdgeType])
    edges!: EdgeType[];

    @Field(() => [nodeType])
    nodes!: T[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;
  }
  return ConnectionType as ClassType<ConnectionShape<T>>;
}

/** A cursor is the node's position in its ordering: the values of the sort key, ending with its id. */
export type CursorValues = (string | number | null)[];

export function encodeCursor(values: CursorValues): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

function decodeCursor(cursor: string, argument: string): CursorValues {
  try {
    const values: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(values) && values.length > 0 && values.every((v) => v === null || ['string', 'number'].includes(typeof v))) {
      return values as CursorValues;
    }
  } catch {
    // falls through to the error below
  }
  throw new DomainError(userError('INVALID_CURSOR', `"${argument}" is not a cursor returned by this connection.`, [argument]));
}

/** What a keyset query needs: how many rows, which way, and from where. */
export interface PageRequest {
  limit: number;
  /** True for `last`/`before`: the query walks the ordering backwards and the page is reversed afterwards. */
  backward: boolean;
  after?: CursorValues;
  before?: CursorValues;
}

export function pageRequest(args: ConnectionArgs): PageRequest {
  const { first, last, after, before } = args;
  if (first != null && last != null) {
    throw new DomainError(userError('INVALID_PAGINATION', 'Pass either "first" or "last", not both.', ['first']));
  }
  for (const [name, value] of [['first', first], ['last', last]] as const) {
    if (value != null && (value < 0 || value > MAX_PAGE_SIZE)) {
      throw new DomainError(userError('INVALID_PAGINATION', `"${name}" must be between 0 and ${MAX_PAGE_SIZE}.`, [name]));
    }
  }
  const backward = last != null;
  return {
    limit: (backward ? last : first) ?? DEFAULT_PAGE_SIZE,
    backward,
    after: after != null ? decodeCursor(after, 'after') : undefined,
    before: before != null ? decodeCursor(before, 'before') : undefined,
  };
}

/**
 * Turns the rows of a keyset query (fetched with `limit + 1` to learn whether more exist, in walking order)
 * into a connection.
 */
export function toConnection<T>(rows: T[], request: PageRequest, cursorOf: (row: T) => CursorValues): ConnectionShape<T> {
  const hasMore = rows.length > request.limit;
  const page = rows.slice(0, request.limit);
  if (request.backward) page.reverse();
  const edges = page.map((node) => ({ node, cursor: encodeCursor(cursorOf(node)) }));
  return {
    edges,
    nodes: page,
    pageInfo: {
      hasNextPage: request.backward ? request.before != null : hasMore,
      hasPreviousPage: request.backward ? hasMore : request.after != null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
  };
}

/** The cost of a list of objects with a `first` argument: an object's cost (1 and its fields') times the number asked for. */
export function listComplexity(defaultSize: number, maxSize: number) {
  return ({ args, childComplexity }: { args: Record<string, unknown>; childComplexity: number }): number => {
    const size = Number(args.first ?? defaultSize);
    return 1 + (1 + childComplexity) * Math.max(1, Math.min(Number.isFinite(size) ? size : defaultSize, maxSize));
  };
}

/** Cost of a connection field: its children's cost times the page size asked for. */
export function connectionComplexity({ args, childComplexity }: { args: Record<string, unknown>; childComplexity: number }): number {
  const size = Number(args.first ?? args.last ?? DEFAULT_PAGE_SIZE);
  return 1 + childComplexity * Math.max(1, Math.min(Number.isFinite(size) ? size : DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE));
}
