import { registerNodeType } from '../graphql/node.resolver';
import { GeneratePayloadResolver, GenerationResolver, RunGenerationResolver, findGeneration } from './generation.resolver';
import { BundleGenerationType } from './generation.types';

registerNodeType('BundleGeneration', async (ctx, id) => {
  const generation = await findGeneration(ctx, id);
  return generation ? BundleGenerationType.from(generation) : null;
});

export { failInterruptedGenerations } from './generation.service';
export const generationResolvers = [GenerationResolver, GeneratePayloadResolver, RunGenerationResolver] as const;
