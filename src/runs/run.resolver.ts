import { Arg, Args, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { shopIdOf, type Context } from '../graphql/context';
import { idOf } from '../graphql/global-id';
import { ConnectionArgs, connectionComplexity, pageRequest, toConnection, type ConnectionShape } from '../graphql/relay';
import { withUserErrors } from '../graphql/user-error';
import { RunService } from './run.service';
import { RunConnection, RunCreateInput, RunCreatePayload, RunType } from './run.types';

@Resolver(() => RunType)
export class RunResolver {
  @Query(() => RunConnection, { description: 'Runs of the shop, newest first.', complexity: connectionComplexity })
  async runs(@Args() args: ConnectionArgs, @Ctx() ctx: Context): Promise<ConnectionShape<RunType>> {
    const request = pageRequest(args);
    const runs = await new RunService(ctx.em).page(shopIdOf(ctx), request);
    return toConnection(runs.map(RunType.from), request, (run) => [Number(run.runId)]);
  }

  @Query(() => RunType, { nullable: true })
  async run(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<RunType | null> {
    const runId = idOf(id, 'Run');
    const run = runId ? await new RunService(ctx.em).get(shopIdOf(ctx), runId) : null;
    return run ? RunType.from(run) : null;
  }

  @Mutation(() => RunCreatePayload)
  runCreate(@Arg('input') input: RunCreateInput, @Ctx() ctx: Context): Promise<RunCreatePayload> {
    return withUserErrors(
      async () => ({ run: RunType.from(await new RunService(ctx.em).create(shopIdOf(ctx), input.name)) }),
      () => ({ run: null }),
    );
  }
}
