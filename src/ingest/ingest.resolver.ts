import DataLoader from 'dataloader';
import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { loader, shopIdOf, type Context } from '../graphql/context';
import { idOf, requireIdOf } from '../graphql/global-id';
import { PendingUpload, UploadScalar } from '../graphql/scalars';
import { listComplexity } from '../graphql/relay';
import { DomainError, userError, withUserErrors, type UserError } from '../graphql/user-error';
import { RunService } from '../runs/run.service';
import { RunType } from '../runs/run.types';
import { CsvKind, type CsvUpload } from './csv-upload.entity';
import { IngestService, MAX_STORED_ROW_ERRORS } from './ingest.service';
import {
  CsvRowError,
  CsvUploadOptions,
  CsvUploadPayload,
  CsvUploadType,
  RunReadiness,
  RunUploadInput,
  RunUploadPayload,
  uploadOptions,
} from './ingest.types';
import { readinessOf } from './readiness';
import { shareUploads } from './shared-upload';
import { uploadLimitsOf } from './upload-limits';
import { UploadQueries } from './upload.service';

function ingestService(ctx: Context): IngestService {
  return new IngestService(ctx.orm, ctx.logger, uploadLimitsOf(ctx.config));
}

@Resolver(() => CsvUploadType)
export class UploadResolver {
  @Query(() => CsvUploadType, { nullable: true })
  async upload(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<CsvUploadType | null> {
    const uploadId = idOf(id, 'CsvUpload');
    const upload = uploadId ? await new UploadQueries(ctx.em).get(shopIdOf(ctx), uploadId) : null;
    return upload ? CsvUploadType.from(upload) : null;
  }

  @Mutation(() => CsvUploadPayload, { description: 'Ingest one CSV file into a run.' })
  csvUpload(
    @Arg('runId', () => ID) runId: string,
    @Arg('kind', () => CsvKind) kind: CsvKind,
    @Arg('file', () => UploadScalar) file: PendingUpload,
    @Arg('options', () => CsvUploadOptions, { nullable: true }) options: CsvUploadOptions | null,
    @Ctx() ctx: Context,
  ): Promise<CsvUploadPayload> {
    return withUserErrors(
      async () => {
        const run = await new RunService(ctx.em).require(shopIdOf(ctx), requireIdOf(runId, 'Run', ['runId']));
        const outcome = await ingestService(ctx).ingest(shopIdOf(ctx), run.id, kind, file, uploadOptions(options), ['file']);
        if (outcome.failure) throw new UploadFailed(outcome.upload, [outcome.failure]);
        return { upload: CsvUploadType.from(outcome.upload) };
      },
      (error) => ({ upload: error instanceof UploadFailed ? CsvUploadType.from(error.upload) : null }),
    );
  }

  @Mutation(() => RunUploadPayload, { description: 'Create a run and ingest up to four files into it, in parallel.' })
  async runUpload(@Arg('input') input: RunUploadInput, @Ctx() ctx: Context): Promise<RunUploadPayload> {
    const files = (
      [
        [CsvKind.ORDERS, input.orders, 'orders'],
        [CsvKind.VARIANTS, input.variants, 'variants'],
        [CsvKind.CATALOG, input.catalog, 'catalog'],
        [CsvKind.INVENTORY, input.inventory, 'inventory'],
      ] as const
    ).filter(([, file]) => file != null);
    if (files.length === 0) {
      return { run: null, uploads: [], userErrors: [userError('NO_FILES', 'Send at least one of orders, variants, catalog or inventory.', ['input'])] };
    }
    let run;
    try {
      run = await new RunService(ctx.em).create(shopIdOf(ctx), input.name);
    } catch (error) {
      if (error instanceof DomainError) return { run: null, uploads: [], userErrors: error.errors };
      throw error;
    }
    const service = ingestService(ctx);
    const options = uploadOptions(input.options);
    const pending = shareUploads(files.map(([, file]) => file!), uploadLimitsOf(ctx.config).idleTimeoutMs);
    // Each file succeeds or fails on its own: one the request does not hold is reported, the others go on.
    const outcomes = await Promise.allSettled(
      files.map(([kind, , field], i) => service.ingest(shopIdOf(ctx), run.id, kind, pending[i]!, options, ['input', field])),
    );
    const userErrors: UserError[] = [];
    const uploads: CsvUploadType[] = [];
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') {
        if (!(outcome.reason instanceof DomainError)) throw outcome.reason;
        userErrors.push(...outcome.reason.errors);
        continue;
      }
      uploads.push(CsvUploadType.from(outcome.value.upload));
      if (outcome.value.failure) userErrors.push(outcome.value.failure);
    }
    // Not one file could be read: the run made for them would stay empty, so it goes.
    if (uploads.length === 0) {
      await new RunService(ctx.em).removeEmpty(shopIdOf(ctx), run.id);
      return { run: null, uploads, userErrors };
    }
    return { run: RunType.from(run), uploads, userErrors };
  }

  @FieldResolver(() => RunType)
  async run(@Root() upload: CsvUploadType, @Ctx() ctx: Context): Promise<RunType> {
    const run = await new RunService(ctx.em).get(shopIdOf(ctx), upload.runId);
    if (!run) throw new Error('upload without its run');
    return RunType.from(run);
  }

  @FieldResolver(() => [CsvRowError], { description: 'Rejected rows in file order; at most 1,000 are kept.', complexity: listComplexity(100, MAX_STORED_ROW_ERRORS) })
  async rowErrors(
    @Root() upload: CsvUploadType,
    @Arg('first', () => Int, { nullable: true, defaultValue: 100 }) firstArg: number | null,
    @Ctx() ctx: Context,
  ): Promise<CsvRowError[]> {
    // Clamped, not refused: the field is non-null, so an error here would null the payload of the upload that
    // asked for it, after its data was written.
    const first = Math.max(0, Math.min(firstArg ?? 100, MAX_STORED_ROW_ERRORS));
    const errors = await new UploadQueries(ctx.em).rowErrors(upload.uploadId, first);
    return errors.map(CsvRowError.from);
  }
}

/** A failed upload still has a record to show in the payload, beside its userErrors. */
class UploadFailed extends DomainError {
  constructor(
    readonly upload: CsvUpload,
    errors: ReturnType<typeof userError>[],
  ) {
    super(errors);
  }
}

@Resolver(() => RunType)
export class RunUploadsResolver {
  @FieldResolver(() => [CsvUploadType], { description: 'Files uploaded into the run, oldest first.' })
  async uploads(@Root() run: RunType, @Ctx() ctx: Context): Promise<CsvUploadType[]> {
    const uploads = loader(ctx, 'run.uploads', () => new DataLoader((ids: readonly string[]) => new UploadQueries(ctx.em).ofRuns(ids).then((m) => ids.map((id) => m.get(id) ?? []))));
    return (await uploads.load(run.runId)).map(CsvUploadType.from);
  }

  @FieldResolver(() => RunReadiness)
  async readiness(@Root() run: RunType, @Ctx() ctx: Context): Promise<RunReadiness> {
    const datasets = loader(ctx, 'run.datasets', () => new DataLoader((ids: readonly string[]) => new UploadQueries(ctx.em).datasetsOf(ids).then((m) => ids.map((id) => m.get(id)!))));
    return readinessOf(await datasets.load(run.runId));
  }
}
