import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import type { Context } from './context';
import { fromGlobalId, type NodeTypeName } from './global-id';
import { Node } from './relay';

type NodeFetcher = (ctx: Context, id: string) => Promise<Node | null>;

const fetchers = new Map<NodeTypeName, NodeFetcher>();

/** Each capability registers how to load its node types, always within the caller's shop. */
export function registerNodeType(type: NodeTypeName, fetch: NodeFetcher): void {
  fetchers.set(type, fetch);
}

@Resolver()
export class NodeResolver {
  @Query(() => Node, { nullable: true, description: "Any object by its global id, if it belongs to the caller's shop." })
  async node(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<Node | null> {
    const decoded = fromGlobalId(id);
    const fetch = decoded && fetchers.get(decoded.type);
    return fetch ? fetch(ctx, decoded.id) : null;
  }
}
