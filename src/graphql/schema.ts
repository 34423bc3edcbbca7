import fs from 'node:fs';
import path from 'node:path';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { bundleResolvers } from '../bundles';
import { coverageResolvers } from '../coverage';
import { generationResolvers } from '../generation';
import { ingestResolvers } from '../ingest';
import { runResolvers } from '../runs';
import { shopResolvers } from '../shops';
import { NodeResolver } from './node.resolver';

export const schemaFile = path.resolve(__dirname, '..', '..', '..', 'schema.graphql');

export function createSchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: [NodeResolver, ...shopResolvers, ...runResolvers, ...ingestResolvers, ...bundleResolvers, ...coverageResolvers, ...generationResolvers],
    validate: false,
    emitSchemaFile: false,
  });
}

/** The SDL checked in as schema.graphql: sorted so that it changes only when the API does. */
export function printSchemaFile(schema: GraphQLSchema): string {
  return '# Generated from the resolvers by `npm run schema:emit`; do not edit.\n\n' + printSchema(lexicographicSortSchema(schema)) + '\n';
}

export async function emitSchemaFile(): Promise<string> {
  fs.writeFileSync(schemaFile, printSchemaFile(await createSchema()));
  return schemaFile;
}
