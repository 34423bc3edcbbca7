import { shopIdOf } from '../graphql/context';
import { registerNodeType } from '../graphql/node.resolver';
import { RunResolver } from './run.resolver';
import { RunService } from './run.service';
import { RunType } from './run.types';

registerNodeType('Run', async (ctx, id) => {
  const run = await new RunService(ctx.em).get(shopIdOf(ctx), id);
  return run ? RunType.from(run) : null;
});

export const runResolvers = [RunResolver] as const;
