import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Bundle } from '../bundles/bundle.entity';
import { BundleType } from '../bundles/bundle.types';
import { shopIdOf, type Context } from '../graphql/context';
import { idOf, requireIdOf } from '../graphql/global-id';
import { MAX_PAGE_SIZE, listComplexity } from '../graphql/relay';
import { DomainError, userError, withUserErrors, type UserError } from '../graphql/user-error';
import { RunService } from '../runs/run.service';
import { RunType } from '../runs/run.types';
import { BundleGeneration, GenerationStatus } from './generation.entity';
import { GenerationService } from './generation.service';
import { BundleGenerationSettingsInput, BundleGenerationType, BundlesGeneratePayload } from './generation.types';

/** A failed generation still has a record to show in the payload, beside its userErrors. */
class GenerationFailed extends DomainError {
  constructor(
    readonly generation: BundleGeneration,
    errors: UserError[],
  ) {
    super(errors);
  }
}

export async function findGeneration(ctx: Context, id: string): Promise<BundleGeneration | null> {
  return ctx.em.findOne(BundleGeneration, { id, shop: shopIdOf(ctx) });
}

/**
 * The cost of starting a generation, against MAX_QUERY_COMPLEXITY (5,000 by default): five, with what their payloads
 * ask for, fit in a request; six do not.
 */
export const GENERATION_COST = 900;
@Resolver(() => BundleGenerationType)
export class GenerationResolver {
  @Mutation(() => BundlesGeneratePayload, {
    description:
      "Mine the run's orders and write ranked bundles (source GENERATED) in place of the previous generated ones; MANUAL and pinned bundles, and those a merchant approved or archived, are kept as they are.",
    // Seconds of database work on a large run: a request may start a few (five under the default cost limit), not
    // the thousand that aliases of a cheap field would let it.
    complexity: ({ childComplexity }) => GENERATION_COST + childComplexity,
  })
  bundlesGenerate(
    @Arg('runId', () => ID) runId: string,
    @Arg('settings', () => BundleGenerationSettingsInput, { nullable: true }) settings: BundleGenerationSettingsInput | null,
    @Ctx() ctx: Context,
  ): Promise<BundlesGeneratePayload> {
    // The run, once found, is in the payload even when generation is refused (NOT_READY) or fails: its readiness
    // says what is missing.
    let run: RunType | null = null;
    return withUserErrors(
      async () => {
        const found = await new RunService(ctx.em).require(shopIdOf(ctx), requireIdOf(runId, 'Run', ['runId']));
        run = RunType.from(found);
        const outcome = await new GenerationService(ctx.orm, ctx.logger).generate(shopIdOf(ctx), found.id, settings);
        if (outcome.failure) throw new GenerationFailed(outcome.generation, [outcome.failure]);
        return { generation: BundleGenerationType.from(outcome.generation), run };
      },
      (error) => ({ generation: error instanceof GenerationFailed ? BundleGenerationType.from(error.generation) : null, run }),
    );
  }

  @Query(() => BundleGenerationType, { nullable: true, description: 'A generation by id, to follow one started with wait: false.' })
  async bundleGeneration(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<BundleGenerationType | null> {
    const generationId = idOf(id, 'BundleGeneration');
    const generation = generationId ? await findGeneration(ctx, generationId) : null;
    return generation ? BundleGenerationType.from(generation) : null;
  }

  @FieldResolver(() => RunType)
  async run(@Root() generation: BundleGenerationType, @Ctx() ctx: Context): Promise<RunType> {
    const run = await new RunService(ctx.em).get(shopIdOf(ctx), generation.runId);
    if (!run) throw new Error('generation without its run');
    return RunType.from(run);
  }
}

@Resolver(() => BundlesGeneratePayload)
export class GeneratePayloadResolver {
  // Nullable: a bad `first` nulls this field alone, not the payload, so the generation that ran is still reported.
  @FieldResolver(() => [BundleType], {
    nullable: true,
    description: 'The bundles this generation wrote, by rank, once it has succeeded; null before (wait: false) or after a failure.',
    complexity: listComplexity(50, MAX_PAGE_SIZE),
  })
  async bundles(
    @Root() payload: BundlesGeneratePayload,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) firstArg: number | null,
    @Ctx() ctx: Context,
  ): Promise<BundleType[] | null> {
    const generation = payload.generation;
    // Not an empty list: that would read as "no bundle was written".
    if (!generation || generation.status !== GenerationStatus.SUCCEEDED) return null;
    const first = firstArg ?? 50;
    if (first < 0 || first > MAX_PAGE_SIZE) throw new DomainError(userError('OUT_OF_RANGE', `"first" must be between 0 and ${MAX_PAGE_SIZE}.`, ['first']));
    if (first === 0) return [];
    // What it wrote, it wrote since it started; the bundles it left as they are (pinned, decided, or published by
    // an earlier generation) are not part of it.
    const rows: Record<string, unknown>[] = await ctx.em.getConnection().execute(
      `SELECT * FROM bundles
        WHERE shop_id = ? AND run_id = ? AND source = 'GENERATED' AND NOT pinned AND decided_at IS NULL AND updated_at >= ?
        ORDER BY rank, id LIMIT ?`,
      [shopIdOf(ctx), generation.runId, generation.startedAt, first],
    );
    return rows.map((row) => BundleType.from(ctx.em.map(Bundle, row)));
  }
}

@Resolver(() => RunType)
export class RunGenerationResolver {
  @FieldResolver(() => BundleGenerationType, { nullable: true, description: 'The latest bundle generation of the run.' })
  async latestGeneration(@Root() run: RunType, @Ctx() ctx: Context): Promise<BundleGenerationType | null> {
    const generation = await ctx.em.findOne(BundleGeneration, { run: run.runId, shop: shopIdOf(ctx) }, { orderBy: { id: 'desc' } });
    return generation ? BundleGenerationType.from(generation) : null;
  }
}
