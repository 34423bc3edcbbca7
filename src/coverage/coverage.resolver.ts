import DataLoader from 'dataloader';
import { Arg, Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import { loader, type Context } from '../graphql/context';
import { listComplexity } from '../graphql/relay';
import { DomainError, userError } from '../graphql/user-error';
import { CsvKind } from '../ingest/csv-upload.entity';
import { RunType } from '../runs/run.types';
import {
  CoverageService,
  UNMATCHED_SKUS_KEPT,
  isDataset,
  type CoverageDataset,
  type CoverageNeed,
  type CoverageValue,
  type MatchPart,
  type OrdersPart,
} from './coverage.service';
import { CoverageMatch, CoverageType, UnmatchedSku } from './coverage.types';

/**
 * How long a batch waits for more keys. Runs of one connection page arrive together anyway; runs resolved by
 * separate root fields (`a: run(id:) b: run(id:)`) arrive as their own lookups return, usually within a
 * millisecond or two of each other, and would otherwise cost a batch each.
 */
const BATCH_WINDOW_MS = 2;

/**
 * One loader per request: every coverage field of every run asked for within the window goes into one batch,
 * which the service answers with a fixed number of statements.
 */
function coverage(ctx: Context): DataLoader<string, CoverageValue> {
  return loader(ctx, 'run.coverage', () =>
    new DataLoader<string, CoverageValue>(
      (keys) =>
        new CoverageService(ctx.em).resolve(
          keys.map((key) => {
            const [runId, need] = key.split(':') as [string, CoverageNeed];
            return { runId, need };
          }),
        ),
      { batchScheduleFn: (dispatch) => setTimeout(dispatch, BATCH_WINDOW_MS) },
    ),
  );
}

function load<T extends CoverageValue>(ctx: Context, runId: string, need: CoverageNeed): Promise<T> {
  return coverage(ctx).load(`${runId}:${need}`) as Promise<T>;
}

function ratio(part: number, whole: number): number {
  return whole === 0 ? 0 : part / whole;
}

function toMatch(part: MatchPart): CoverageMatch {
  return {
    matchedLines: part.matchedLines,
    unmatchedLines: part.orderLines - part.matchedLines,
    lineRatio: ratio(part.matchedLines, part.orderLines),
    matchedSkus: part.matchedSkus,
    skuRatio: ratio(part.matchedSkus, part.distinctSkusOrdered),
  };
}

@Resolver(() => RunType)
export class RunCoverageResolver {
  /** Synchronous on purpose: the Coverage fields below then start in the same tick and share one batch. */
  @FieldResolver(() => CoverageType, {
    description: 'How the order lines line up with the variants, catalog and inventory; computed on demand, only the fields asked for.',
    complexity: ({ childComplexity }) => 10 + childComplexity,
  })
  coverage(@Root() run: RunType): CoverageType {
    return CoverageType.of(run.runId);
  }
}

@Resolver(() => CoverageType)
export class CoverageResolver {
  @FieldResolver(() => Int, { description: 'Distinct order ids.' })
  orders(@Root() c: CoverageType, @Ctx() ctx: Context): Promise<number> {
    return load<number>(ctx, c.runId, 'ORDER_COUNT');
  }

  @FieldResolver(() => Int, { description: 'Order lines.' })
  orderLines(@Root() c: CoverageType, @Ctx() ctx: Context): Promise<number> {
    return load<number>(ctx, c.runId, 'LINES');
  }

  @FieldResolver(() => Int, {
    description: 'Orders with at least two distinct items; an item is a variant id where the line has one, else a SKU.',
  })
  async multiItemOrders(@Root() c: CoverageType, @Ctx() ctx: Context): Promise<number> {
    return (await load<OrdersPart>(ctx, c.runId, 'ORDERS')).multiItemOrders;
  }

  @FieldResolver(() => Int, { description: 'Distinct non-empty SKUs ordered.' })
  distinctSkusOrdered(@Root() c: CoverageType, @Ctx() ctx: Context): Promise<number> {
    return load<number>(ctx, c.runId, 'SKU_COUNT');
  }

  @FieldResolver(() => CoverageMatch)
  async variants(@Root() c: CoverageType, @Ctx() ctx: Context): Promise<CoverageMatch> {
    return toMatch(await load<MatchPart>(ctx, c.runId, CsvKind.VARIANTS));
  }

  @FieldResolver(() => CoverageMatch)
  async catalog(@Root() c: CoverageType, @Ctx() ctx: Context): Promise<CoverageMatch> {
    return toMatch(await load<MatchPart>(ctx, c.runId, CsvKind.CATALOG));
  }

  @FieldResolver(() => CoverageMatch)
  async inventory(@Root() c: CoverageType, @Ctx() ctx: Context): Promise<CoverageMatch> {
    return toMatch(await load<MatchPart>(ctx, c.runId, CsvKind.INVENTORY));
  }

  @FieldResolver(() => [UnmatchedSku], {
    description: `Ordered SKUs missing from the dataset (neither the SKU nor a variant it was ordered as is there), most order lines first, then by SKU; at most ${UNMATCHED_SKUS_KEPT}.`,
    complexity: listComplexity(20, UNMATCHED_SKUS_KEPT),
  })
  async unmatchedSkus(
    @Root() c: CoverageType,
    @Arg('against', () => CsvKind, { nullable: true, defaultValue: CsvKind.CATALOG }) againstArg: CsvKind | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) firstArg: number | null,
    @Ctx() ctx: Context,
  ): Promise<UnmatchedSku[]> {
    const against = againstArg ?? CsvKind.CATALOG;
    const first = firstArg ?? 20;
    if (!isDataset(against as CoverageNeed)) {
      throw new DomainError(userError('INVALID_ARGUMENT', 'Unmatched SKUs are found against VARIANTS, CATALOG or INVENTORY.', ['against']));
    }
    if (!Number.isInteger(first) || first < 0 || first > UNMATCHED_SKUS_KEPT) {
      throw new DomainError(userError('INVALID_ARGUMENT', `"first" must be between 0 and ${UNMATCHED_SKUS_KEPT}.`, ['first']));
    }
    const part = await load<MatchPart>(ctx, c.runId, against as CoverageDataset);
    return part.unmatched.slice(0, first).map((u) => Object.assign(new UnmatchedSku(), u));
  }
}
