import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FileUpload } from 'graphql-upload-minimal';
import type { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { forgetRecommendations } from '../bundles/recommendation-cache';
import { DATASETS, type Dataset } from '../catalog/datasets';
import { afterUploadCommitted } from './table-maintenance';
import { lockKeyOf } from '../db/advisory-locks';
import type { Orm } from '../db/orm';
import { withRawConnection } from '../db/raw-connection';
import { UNAVAILABLE_MESSAGES, databaseUnavailable } from '../graphql/format-error';
import type { PendingUpload } from '../graphql/scalars';
import { DomainError, userError, type UserError } from '../graphql/user-error';
import type { Logger } from '../logger';
import { Run } from '../runs/run.entity';
import { Shop } from '../shops/shop.entity';
import { CopySink } from './copy-sink';
import { COPY_COLUMNS, CsvHeaderError, createCsvToCopy, describeItemKey, type CsvRowError, type CsvToCopyStream } from './csv';
import { CsvRowErrorRecord } from './csv-row-error.entity';
import { CsvErrorPolicy, CsvKind, CsvUpload, UploadStatus } from './csv-upload.entity';
import { IdleGuard, UploadStalled, uploadSlots, type UploadLimits } from './upload-limits';
import { INTERRUPTED, ServerStopping, isStopping, trackUpload } from './upload-recovery';

export interface UploadSource {
  filename: string;
  stream: Readable;
}

export interface UploadOptions {
  errorPolicy: CsvErrorPolicy;
  dryRun: boolean;
}

/** How an upload ended; the upload record holds the same, for later readers. */
export interface UploadOutcome {
  upload: CsvUpload;
  /** Set when the upload failed as a whole: what the mutation reports as userErrors. */
  failure: UserError | null;
}

export const MAX_STORED_ROW_ERRORS = 1000;
const PROGRESS_INTERVAL_MS = 1000;

/**
 * Whether rejected rows leave nothing of the file to write: any of them under REJECT_FILE, or all of them (even
 * skipping the invalid rows leaves nothing).
 */
function refusesFile(csv: CsvToCopyStream, tally: Tally, options: UploadOptions): boolean {
  const rejected = csv.rowsRejected + tally.refusedCount;
  return rejected > 0 && (options.errorPolicy === CsvErrorPolicy.REJECT_FILE || csv.rowsValid <= tally.refusedCount);
}

type OutcomeFields = Pick<
  CsvUpload,
  | 'format' | 'layout' | 'columns' | 'status' | 'bytesRead' | 'rowsRead' | 'rowsInserted' | 'rowsUpdated' | 'rowsWritten' | 'rowsRejected'
  | 'rowsSkipped' | 'errorCode' | 'errorMessage' | 'finishedAt' | 'durationMs'
>;

interface Tally {
  inserted: number;
  updated: number;
  /** Rows refused once written (duplicates, lines whose order never says when it was created): listed and counted. */
  refused: CsvRowError[];
  refusedCount: number;
}

function keyMatch(dataset: Dataset, left: string, right: string): string {
  return dataset.keyColumns.map((c) => `${left}.${c} = ${right}.${c}`).join(' AND ');
}

/** Names of the key columns in messages; an item key describes itself (describeItemKey). */
const KEY_NAMES: Record<string, string> = { order_id: 'order', line_key: 'line', location_key: 'at location' };

function describeDuplicate(dataset: Dataset, values: string[], exportsJoined: number): string {
  const named = dataset.keyColumns.slice(1).map((column, i) => (column === 'item_key' ? describeItemKey(values[i] ?? '') : `${KEY_NAMES[column] ?? column} ${values[i]}`));
  // Two exports of overlapping dates pasted into one file hold the same lines twice; as two uploads they merge.
  const joined = exportsJoined > 0 ? ` The file joins ${exportsJoined + 1} exports (its header comes again): upload exports that overlap as files of their own, which merge.` : '';
  return `Duplicate key: ${named.join(' ')} appears more than once in the file; the first occurrence is kept.${joined}`;
}

/**
 * Runs a statement over rows just written with nested loops off: no statistics know those rows, and the planner,
 * taking them for a row or two, would re-read one side for every row of the other (minutes for 10,000 lines), where
 * a hash join reads each side once.
 */
async function withoutNestedLoops<T>(client: Client, statement: () => Promise<T>): Promise<T> {
  await client.query('SET LOCAL enable_nestloop = off');
  const result = await statement();
  await client.query('SET LOCAL enable_nestloop = on');
  return result;
}

/**
 * `group` and `columns` of the upload's rows in `table` (source 0) and, when the run held rows of the dataset before
 * (`stored`, the upload staged), of its stored rows (source 1) in the groups of the upload's rows that match `which`.
 * Parameters: $1 the run, $2 the upload.
 */
function groupRows(dataset: Dataset, table: string, stored: boolean, refused: boolean, group: string, columns: readonly string[], which = 'true'): string {
  let own = `SELECT 0 AS source, ${group}, ${columns.join(', ')} FROM ${table} WHERE run_id = $1 AND upload_id = $2 AND ${group} IS NOT NULL`;
  // Order fields that lines refused for another value stated (see stageRefusedOrderFields): the file's own.
  if (refused) own += ` UNION ALL SELECT 0, order_id, ${columns.join(', ')} FROM ${REFUSED_ORDER_FIELDS}`;
  if (!stored || table === dataset.table) return own;
  return `${own} UNION ALL SELECT 1, ${group}, ${columns.join(', ')} FROM ${dataset.table}
           WHERE run_id = $1 AND ${group} IN (SELECT ${group} FROM ${table} WHERE run_id = $1 AND upload_id = $2 AND ${which})`;
}

const REFUSED_ORDER_FIELDS = 'ingest_refused_order_fields';

/** How many orders or products a file may name for spreadGroupFields to look them up one by one. */
const NAMED_GROUPS = 10_000;

/** The fields a group's first row states for the group's other rows: an order's, and a Shopify product's. */
const GROUP_FIELDS: Partial<Record<CsvKind, { group: string; fields: string[] }>> = {
  [CsvKind.ORDERS]: { group: 'order_id', fields: ['financial_status', 'cancelled_at', 'currency'] },
  [CsvKind.VARIANTS]: { group: 'handle', fields: ['product_title', 'vendor', 'product_type', 'tags', 'status', 'gift_card'] },
  [CsvKind.CATALOG]: { group: 'handle', fields: ['product_title', 'vendor', 'product_type', 'tags', 'status', 'gift_card'] },
};

/**
 * Streams one CSV file into a run's dataset: parse and check row by row, COPY in chunks on one transaction,
 * upsert by natural key, commit or roll back as a whole. The upload record is written on its own connection,
 * so that it survives a rollback.
 */
export class IngestService {
  constructor(
    private readonly orm: Orm,
    private readonly logger: Logger,
    private readonly limits: UploadLimits,
  ) {}

  /**
   * Ingests a file of a GraphQL upload. With `wait`, resolves when the file is done; without, as soon as it is
   * recorded (status PROCESSING), while the file goes on streaming in the background.
   */
  async ingest(
    shopId: string,
    runId: string,
    kind: CsvKind,
    file: PendingUpload,
    options: UploadOptions & { wait: boolean },
    field: string[],
  ): Promise<UploadOutcome> {
    let received: FileUpload;
    try {
      received = await file.file;
    } catch (error) {
      throw unreadableFile(error, field);
    }
    const { filename, createReadStream } = received;
    const { upload, done } = await this.start(shopId, runId, kind, { filename, stream: openUploadStream(createReadStream, field) }, options);
    const located = done.then((outcome) => ({ ...outcome, failure: outcome.failure && { ...outcome.failure, field } }));
    if (options.wait) return located;
    located.catch((error) => this.logger.error({ err: error, upload: upload.id }, 'background upload failed'));
    return { upload, failure: null };
  }

  /** Records the upload (status PROCESSING) and returns it with the promise of its outcome. */
  async start(shopId: string, runId: string, kind: CsvKind, source: UploadSource, options: UploadOptions) {
    const em = this.orm.em.fork();
    const upload = em.create(CsvUpload, {
      shop: em.getReference(Shop, shopId),
      run: em.getReference(Run, runId),
      kind,
      // As the client named it, less control characters (a NUL cannot be stored, and none belongs in a name).
      filename: source.filename.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, 500) || 'upload.csv',
      dryRun: options.dryRun,
      errorPolicy: options.errorPolicy,
      startedAt: new Date(),
      heartbeatAt: new Date(),
    });
    await em.flush();
    const done = this.process(upload, source, options);
    return { upload, done };
  }

  private async process(upload: CsvUpload, source: UploadSource, options: UploadOptions): Promise<UploadOutcome> {
    const started = performance.now();
    const dataset = DATASETS[upload.kind];
    const csv = createCsvToCopy({ kind: upload.kind, runId: upload.run.id, uploadId: upload.id });
    const progress = setInterval(() => {
      void this.saveProgress(upload.id, csv.bytesRead, csv.rowsRead).catch((error) =>
        this.logger.warn({ err: error, upload: upload.id }, 'could not record upload progress'),
      );
    }, PROGRESS_INTERVAL_MS);
    let tooLarge = false;
    // The upload parser stops the file at the limit and unpipes it, so that the pipeline would wait for more forever.
    source.stream.once('limit', () => {
      tooLarge = true;
      csv.destroy(new UploadTooLarge());
    });

    let failure: UserError | null = null;
    let tally: Tally = { inserted: 0, updated: 0, refused: [], refusedCount: 0 };
    let committed = false;
    // Once the file has arrived, only the database's work is left, which a stopping server lets finish.
    let streaming = true;
    source.stream.once('end', () => (streaming = false));
    const untrack = trackUpload(this.orm, upload.id, {
      streaming: () => streaming,
      stop: () => source.stream.destroy(new ServerStopping()),
    });
    // Given back in `finally`, whatever happens.
    const releaseSlot = await uploadSlots(this.orm, this.limits).acquire(upload.shop.id);
    try {
      const result = await withRawConnection(this.orm, (client) =>
        this.copyInTransaction(client, dataset, upload, source.stream, csv, options, () => tooLarge),
      );
      tally = result.tally;
      committed = result.committed;
      // New catalog, variants or stock change what storefronts are recommended.
      if (committed) forgetRecommendations(upload.shop.id);
      failure = result.failure;
    } catch (error) {
      failure = this.failureOf(error, upload, tooLarge);
      source.stream.unpipe();
      source.stream.resume();
    } finally {
      releaseSlot();
      clearInterval(progress);
    }

    const rowErrors = [...csv.errors, ...tally.refused].sort((a, b) => a.line - b.line).map((e) => ({ ...e, row: csv.rows.rowOf(e.line) }));
    const rejected = csv.rowsRejected + tally.refusedCount;
    if (!failure && refusesFile(csv, tally, options)) {
      // Text that is not UTF-8 is a matter of the whole file, which its rows' errors do not say.
      const notUtf8 = rowErrors.find((error) => error.code === 'INVALID_UTF8');
      const encoding = notUtf8
        ? ` The file is not UTF-8 throughout (first at line ${notUtf8.line}): spreadsheets write plain "CSV" in the computer's own encoding; save it as "CSV UTF-8" and upload it again.`
        : '';
      const rows = rejected === 1 ? 'row is' : 'rows are';
      const first = rowErrors[0];
      const where = first && first.row != null && first.row !== first.line ? `line ${first.line}, row ${first.row}` : `line ${first?.line}`;
      failure = userError(
        'INVALID_ROWS',
        `${csv.rowsValid <= tally.refusedCount && rejected > 1 ? 'All ' : ''}${rejected} ${rows} invalid, so nothing was written; see the upload's rowErrors (first at ${where}).${encoding}`,
        ['file'],
      );
    }
    const outcome: OutcomeFields = {
      format: csv.format ?? csv.nearestLayout?.format ?? upload.format,
      layout: csv.headerInfo?.layout ?? null,
      // A header that matches no layout is listed too, with what it would be read as in the layout it comes nearest to
      // (columns unread there, or misspelt, show a null field).
      columns: csv.headerInfo
        ? csv.headerInfo.columns.map((name, i) => ({ name, field: csv.headerInfo!.fields[i] ?? null }))
        : (csv.headerCells?.map((name, i) => ({ name, field: csv.nearestLayout?.fields[i] ?? null })) ?? null),
      status: failure ? UploadStatus.FAILED : UploadStatus.SUCCEEDED,
      bytesRead: csv.bytesRead,
      rowsRead: csv.rowsRead,
      // A rejected file inserted and updated nothing; a dry run reports what it would have done.
      rowsInserted: committed || (options.dryRun && !failure) ? tally.inserted : 0,
      rowsUpdated: committed || (options.dryRun && !failure) ? tally.updated : 0,
      rowsWritten: committed ? tally.inserted + tally.updated : 0,
      rowsRejected: rejected,
      rowsSkipped: csv.rowsSkipped,
      errorCode: failure?.code,
      errorMessage: failure?.message,
      finishedAt: new Date(),
      durationMs: Math.round(performance.now() - started),
    };
    Object.assign(upload, outcome);
    await this.saveOutcome(upload.id, outcome, rowErrors).finally(untrack);
    // Vacuums and analyses the table after a large upload, in the background: not part of the upload.
    if (committed) void afterUploadCommitted(this.orm, this.logger, dataset.table, outcome.rowsWritten ?? 0);
    const seconds = (upload.durationMs ?? 0) / 1000;
    this.logger.info(
      {
        upload: upload.id,
        kind: upload.kind,
        layout: csv.layout ?? upload.format,
        status: upload.status,
        rows: upload.rowsRead,
        written: upload.rowsWritten,
        rejected,
        bytes: upload.bytesRead,
        ms: upload.durationMs,
        rowsPerSecond: seconds > 0 ? Math.round(upload.rowsRead / seconds) : null,
      },
      'upload finished',
    );
    return { upload, failure };
  }

  private async copyInTransaction(
    client: Client,
    dataset: Dataset,
    upload: CsvUpload,
    stream: Readable,
    csv: CsvToCopyStream,
    options: UploadOptions,
    tooLarge: () => boolean,
  ): Promise<{ tally: Tally; committed: boolean; failure: UserError | null }> {
    await client.query('BEGIN');
    // Uploads of one dataset into one run take turns, so that "is the run still empty?" stays true until commit.
    await client.query('SELECT pg_advisory_xact_lock($1::int, $2::int)', [Object.keys(DATASETS).indexOf(dataset.kind), lockKeyOf(upload.run.id)]);
    const { rows } = await client.query(`SELECT EXISTS (SELECT 1 FROM ${dataset.table} WHERE run_id = $1) AS present`, [upload.run.id]);
    // First data of its kind in the run: COPY straight into the table, whose primary key catches duplicates.
    // Otherwise (or to skip invalid rows, duplicates included) stage the file and merge it by natural key.
    const direct = !rows[0].present && options.errorPolicy === CsvErrorPolicy.REJECT_FILE;
    const target = direct ? dataset.table : 'ingest_stage';
    if (!direct) {
      await client.query(`CREATE TEMP TABLE ingest_stage (LIKE ${dataset.table}) ON COMMIT DROP`);
    }
    const columns = COPY_COLUMNS[dataset.kind].join(', ');
    const copy = client.query(copyFrom(`COPY ${target} (${columns}) FROM STDIN`));
    const rejecting = () => options.errorPolicy === CsvErrorPolicy.REJECT_FILE && csv.rowsRejected > 0;
    const sink = new CopySink(copy, () => !rejecting());
    try {
      await pipeline(stream, new IdleGuard(this.limits.idleTimeoutMs, this.limits.minBytesPerSecond), csv, sink);
    } catch (error) {
      sink.abandon();
      throw error;
    }
    if (tooLarge()) throw new UploadTooLarge();

    const tally: Tally = { inserted: 0, updated: 0, refused: [], refusedCount: 0 };
    const present: boolean = rows[0].present;
    if (sink.copyError) {
      if (sink.copyError.code !== '23505') throw sink.copyError;
      tally.refused.push(this.duplicateFromCopyError(dataset, sink.copyError, csv));
      tally.refusedCount = 1;
    } else {
      if (csv.provisionalKeys > 0 && !rejecting()) await this.numberProvisionalKeys(client, target, upload, csv.provisionalOrders, csv.exportStarts);
      // Stretches without their group's fields take them from the file's other rows of the group, and from the rows
      // the run already holds (an order exported across two files); only for rows that may be kept: a dry run, or a
      // file rejected already, is rolled back.
      const fillsSplitGroups = csv.unstatedStretches > 0 && (csv.statesGroupFields || present) && !options.dryRun && !rejecting();
      const refused = (csv.pendingCreatedAt > 0 || fillsSplitGroups) && csv.refusedOrderFields.size > 0;
      if (refused) await this.stageRefusedOrderFields(client, csv.refusedOrderFields);
      if (csv.pendingCreatedAt > 0) await this.fillCreatedAt(client, dataset, target, upload, present, refused, options, tally, csv.headerInfo?.mapped.created_at ?? 'created_at');
      if (fillsSplitGroups) await this.fillSplitGroups(client, dataset, target, upload, present, refused);
      if (direct) tally.inserted = csv.rowsEmitted - tally.refusedCount;
      else await this.mergeStage(client, dataset, upload.run.id, csv, options, tally);
      if (!direct && csv.statesGroupFields && !options.dryRun && !refusesFile(csv, tally, options)) await this.spreadGroupFields(client, dataset, upload);
    }

    const commit = !options.dryRun && !refusesFile(csv, tally, options);
    if (commit) await this.bumpDataVersions(client, upload);
    await client.query(commit ? 'COMMIT' : 'ROLLBACK');
    return { tally, committed: commit, failure: null };
  }

  /**
   * The run's and the shop's data versions, bumped in the transaction that writes the rows, last: whoever sees the
   * rows sees the versions that name them, whatever order uploads finish in. Coverage parts and kept storefront
   * answers are current while these versions are unchanged. The run's row is locked before the shop's, and nothing
   * locks them in the other order.
   */
  private async bumpDataVersions(client: Client, upload: CsvUpload): Promise<void> {
    await client.query(
      `WITH run AS (
         UPDATE runs SET data_version = data_version + 1, orders_version = orders_version + $2::int WHERE id = $1 RETURNING shop_id)
       UPDATE shops SET data_version = data_version + 1 WHERE id = (SELECT shop_id FROM run)`,
      [upload.run.id, upload.kind === CsvKind.ORDERS ? 1 : 0],
    );
  }

  /**
   * The order fields that lines refused for another value stated (OrdersEncoder.refusedOrderFields), as a table for
   * the fills to read with the file's rows: the order's lines a sorted file put before or after such a line take them
   * as they would have from it in the export's order.
   */
  private async stageRefusedOrderFields(client: Client, fields: ReadonlyMap<string, (string | null)[]>): Promise<void> {
    const column = (i: number) => [...fields.values()].map((values) => values[i] ?? null);
    await client.query(
      `CREATE TEMP TABLE ${REFUSED_ORDER_FIELDS} ON COMMIT DROP AS
       SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::timestamptz[], $5::text[])
                  AS f(order_id, created_at, financial_status, cancelled_at, currency)`,
      [[...fields.keys()], column(0), column(1), column(2), column(3)],
    );
  }

  /**
   * Gives the order lines written with a provisional key (see OrdersEncoder) the key an encoder with unlimited memory
   * would have given them: the count among the lines of their order in the upload selling the same (`#3#s:A`), in
   * file order, and for a line naming nothing its position among its order's lines. The lines keyed in the stream
   * come first among those of their order selling the same, and keep their keys; the provisional ones count on from
   * the largest of those keys, so no key is taken twice, even for a moment, and lines the stream counted but
   * rejected keep their place. With `orders`, only those orders are read, through the primary key.
   */
  private async numberProvisionalKeys(client: Client, table: string, upload: CsvUpload, orders: ReadonlySet<string> | null, exportStarts: readonly number[]): Promise<void> {
    const params: unknown[] = [upload.run.id, upload.id];
    if (orders !== null) params.push([...orders]);
    const ofOrders = (alias: string) => (orders === null ? '' : `AND ${alias}order_id = ANY($3::text[])`);
    // Exports pasted into one file are numbered each on its own, as the stream keyed them (RowEncoder.startExport).
    if (exportStarts.length) params.push([...exportStarts]);
    const part = exportStarts.length ? `width_bucket(line, $${params.length}::int[])` : '0';
    await withoutNestedLoops(client, () =>
      client.query(
        `WITH lines AS (
           SELECT order_id || '/' || ${part} AS order_id, order_id AS stored_order_id, line, line_item_id IS NULL AND left(line_key, 2) = '#?' AS provisional,
                  CASE WHEN line_item_id IS NOT NULL THEN NULL
                       WHEN left(line_key, 2) = '#?' THEN substring(line_key FROM '^#[?][0-9]+#(.*)$')
                       ELSE substring(line_key FROM '^#(?:[0-9]+#)?([vst]:.*)$') END AS what,
                  CASE WHEN line_item_id IS NOT NULL OR left(line_key, 2) = '#?' THEN NULL
                       WHEN line_key ~ '^#[0-9]+#' THEN substring(line_key FROM '^#([0-9]+)#')::bigint
                       WHEN line_key ~ '^#[vst]:' THEN 1 END AS stated_k,
                  CASE WHEN line_item_id IS NULL AND line_key ~ '^#[0-9]+$' THEN substring(line_key FROM 2)::bigint END AS stated_position
             FROM ${table} WHERE run_id = $1 AND upload_id = $2 ${ofOrders('')}),
         numbered AS (
           SELECT stored_order_id, line, provisional, what,
                  coalesce(max(stated_k) OVER (PARTITION BY order_id, what), 0)
                    + row_number() OVER (PARTITION BY order_id, what, provisional ORDER BY line) AS k,
                  greatest(row_number() OVER (PARTITION BY order_id ORDER BY line),
                           coalesce(max(stated_position) OVER (PARTITION BY order_id), 0)
                             + row_number() OVER (PARTITION BY order_id, provisional ORDER BY line)) AS position
             FROM lines)
         UPDATE ${table} t
            SET line_key = CASE WHEN n.what IS NULL THEN '#' || n.position WHEN n.k = 1 THEN '#' || n.what ELSE '#' || n.k || '#' || n.what END
           FROM numbered n
          WHERE n.provisional AND t.run_id = $1 AND t.upload_id = $2 ${ofOrders('t.')} AND t.order_id = n.stored_order_id AND t.line = n.line`,
        params,
      ),
    );
  }

  /**
   * Lines the stream could not date (`created_at` blank, and no earlier line of their order in reach said it) were
   * written as -infinity: they take their order's creation time from its other lines in the file, and in the run.
   * A line whose order says it nowhere is refused (MISSING_VALUE), and removed when skipping invalid rows.
   */
  private async fillCreatedAt(
    client: Client,
    dataset: Dataset,
    table: string,
    upload: CsvUpload,
    stored: boolean,
    refused: boolean,
    options: UploadOptions,
    tally: Tally,
    column: string,
  ): Promise<void> {
    const sources = groupRows(dataset, table, stored, refused, 'order_id', ['created_at'], "created_at = '-infinity'");
    await withoutNestedLoops(client, () =>
      client.query(
        `WITH dated AS (
           SELECT order_id, min(created_at) FILTER (WHERE created_at <> '-infinity') AS created_at
             FROM (${sources}) r GROUP BY order_id HAVING bool_or(created_at = '-infinity'))
         UPDATE ${table} t SET created_at = d.created_at
           FROM dated d
          WHERE t.run_id = $1 AND t.upload_id = $2 AND t.created_at = '-infinity' AND t.order_id = d.order_id AND d.created_at IS NOT NULL`,
        [upload.run.id, upload.id],
      ),
    );
    const { rows } = await client.query(
      `SELECT line, order_id, count(*) OVER () AS total FROM ${table}
        WHERE run_id = $1 AND upload_id = $2 AND created_at = '-infinity' ORDER BY line LIMIT ${MAX_STORED_ROW_ERRORS}`,
      [upload.run.id, upload.id],
    );
    if (rows.length === 0) return;
    tally.refusedCount += Number(rows[0].total);
    for (const row of rows) {
      const value = String(row.order_id);
      const message = `expected created_at on the first line of order ${value}: no line of the order gives it, in this file or the run`;
      tally.refused.push({ line: row.line, column, value: null, code: 'MISSING_VALUE', message });
    }
    if (options.errorPolicy !== CsvErrorPolicy.REJECT_FILE) {
      await client.query(`DELETE FROM ${table} WHERE run_id = $1 AND upload_id = $2 AND created_at = '-infinity'`, [upload.run.id, upload.id]);
    }
  }

  /**
   * Gives the rows of groups split across the file the group's fields that only its first row states (Shopify's
   * exports leave them blank on the others), from the other rows of the same group in this upload and, with
   * `stored`, in the run's table: an order's status, cancellation and currency; a Shopify product's title, vendor,
   * type, tags, status and gift card flag. Run only for a file with such stretches: one set-based statement.
   */
  private async fillSplitGroups(client: Client, dataset: Dataset, table: string, upload: CsvUpload, stored: boolean, refused: boolean): Promise<void> {
    const { group, fields } = GROUP_FIELDS[dataset.kind] ?? {};
    if (!group || !fields) return;
    // The file's own value first (a re-export may have changed it), else the run's; max() of a boolean does not
    // exist, bool_or takes the group's flag.
    const pick = (c: string) => {
      const of = (source: number) => (c === 'gift_card' ? `bool_or(${c}) FILTER (WHERE source = ${source})` : `max(${c}) FILTER (WHERE source = ${source})`);
      return `coalesce(${of(0)}, ${of(1)})`;
    };
    const sources = groupRows(dataset, table, stored, refused, group, fields);
    await withoutNestedLoops(client, () =>
      client.query(
        `WITH group_fields AS (
           SELECT ${group}, ${fields.map((c) => `${pick(c)} AS ${c}`).join(', ')}
             FROM (${sources}) r
            GROUP BY ${group}
           HAVING ${fields.map((c) => `count(${c}) BETWEEN 1 AND count(*) - 1`).join(' OR ')})
         UPDATE ${table} t
            SET ${fields.map((c) => `${c} = coalesce(t.${c}, f.${c})`).join(', ')}
           FROM group_fields f
          WHERE t.run_id = $1 AND t.upload_id = $2 AND t.${group} = f.${group}
            AND (${fields.map((c) => `t.${c} IS NULL`).join(' OR ')})`,
        [upload.run.id, upload.id],
      ),
    );
  }

  /**
   * What a file states of a group (an order's status, cancellation and currency; a product's title, vendor, type, tags,
   * status and gift card flag) holds for the group's rows the run has from other files too: the rest of an order
   * exported across two files, uploaded in either order, or the lines a re-export of an edited order no longer has.
   * Values the file leaves blank keep what is stored; the file's own rows keep what they state. After the merge, when
   * the file states group fields.
   */
  private async spreadGroupFields(client: Client, dataset: Dataset, upload: CsvUpload): Promise<void> {
    const { group, fields } = GROUP_FIELDS[dataset.kind] ?? {};
    if (!group || !fields) return;
    const stated = (c: string) => (c === 'gift_card' ? `bool_or(${c})` : `max(${c})`);
    // A file of a few orders or products names them, so that the run's rows are found through an index, not read
    // whole (a million lines) for every small upload.
    const { rows: [named] } = await client.query(
      `SELECT array_agg(g) AS groups FROM (SELECT DISTINCT ${group} AS g FROM ingest_stage WHERE ${group} IS NOT NULL LIMIT ${NAMED_GROUPS + 1}) x`,
    );
    const groups: string[] | null = named.groups;
    if (!groups) return;
    const only = groups.length <= NAMED_GROUPS ? `AND t.${group} = ANY($3::text[])` : '';
    await withoutNestedLoops(client, () =>
      client.query(
        `WITH stated AS (
           SELECT ${group}, ${fields.map((c) => `${stated(c)} AS ${c}`).join(', ')}
             FROM ingest_stage WHERE ${group} IS NOT NULL GROUP BY ${group})
         UPDATE ${dataset.table} t
            SET ${fields.map((c) => `${c} = coalesce(f.${c}, t.${c})`).join(', ')}
           FROM stated f
          WHERE t.run_id = $1 AND t.upload_id <> $2 AND t.${group} = f.${group} ${only}
            AND (${fields.map((c) => `t.${c} IS DISTINCT FROM coalesce(f.${c}, t.${c})`).join(' OR ')})`,
        only ? [upload.run.id, upload.id, groups] : [upload.run.id, upload.id],
      ),
    );
  }

  /**
   * One variant stays one row whichever file names it how. Shopify's products export carries no variant ids: its rows
   * are keyed by handle and options; a canonical file keys the same variants by id, and a price list by SKU alone.
   * - A stored row without variant id that is the only row of its SKU, while the file has one row of that SKU, keyed
   *   by a variant id the run does not hold yet, is given that key: the file's row then completes it.
   * - A row the file keys by SKU alone (a price list of `sku,price`) takes the key of the run's only row of that SKU,
   *   whatever its key. So does a row keyed by handle and options that is the file's only row of its SKU, when the run's
   *   row is keyed otherwise (by variant id, or SKU): a products export uploaded after the canonical file. Rows of two
   *   handles stay apart, here and above: two products may share a SKU.
   * - A row keyed by a SKU that several stored rows share is refused (`AMBIGUOUS_SKU`) rather than added as one more
   *   item: Shopify lets variants share a SKU.
   */
  private async adoptStoredKeys(client: Client, dataset: Dataset, runId: string, tally: Tally, column: string): Promise<void> {
    const table = dataset.table;
    // Both through indexes: rows the run holds without variant id (the Shopify export's), rows the file keys by id.
    const { rows: [needed] } = await client.query(
      `SELECT EXISTS (SELECT 1 FROM ${table} WHERE run_id = $1 AND variant_id IS NULL)
              AND EXISTS (SELECT 1 FROM ingest_stage WHERE item_key = 'v:' || variant_id) AS rekey`,
      [runId],
    );
    // The run's rows without variant id that a file row keyed by a variant id the run does not hold may be: of its SKU,
    // and of its handle when both have one. (A variant id on several lines of the file is a duplicate, reported as
    // such by the merge.)
    const unidentified = `SELECT s.line, s.sku, t.item_key AS stored_key
        FROM ingest_stage s JOIN ${table} t ON t.sku = s.sku AND (s.handle IS NULL OR t.handle IS NULL OR t.handle = s.handle)
       WHERE t.run_id = $1 AND t.variant_id IS NULL AND s.item_key = 'v:' || s.variant_id
         AND s.variant_id IN (SELECT variant_id FROM ingest_stage GROUP BY variant_id HAVING count(*) = 1)
         AND s.variant_id NOT IN (SELECT x.variant_id FROM ${table} x JOIN ingest_stage y USING (variant_id) WHERE x.run_id = $1)`;
    let ambiguousIds = '';
    if (needed.rekey) {
      // A file row with one such row, which no other file row has, names that row's variant: the row takes the file
      // row's key, which then completes it.
      await withoutNestedLoops(client, () =>
        client.query(
          `WITH pairs AS MATERIALIZED (${unidentified}),
           single AS (
             SELECT line, stored_key FROM pairs
              WHERE line IN (SELECT line FROM pairs GROUP BY line HAVING count(*) = 1)
                AND stored_key IN (SELECT stored_key FROM pairs GROUP BY stored_key HAVING count(*) = 1))
           UPDATE ${table} t SET item_key = s.item_key, variant_id = s.variant_id
             FROM single JOIN ingest_stage s USING (line)
            WHERE t.run_id = $1 AND t.item_key = single.stored_key`,
          [runId],
        ),
      );
      // Several: which one is meant, the file must say (by handle and options).
      ambiguousIds = ` UNION ALL SELECT line, sku, count(*) AS items, true AS by_id FROM (${unidentified}) u GROUP BY line, sku HAVING count(*) > 1`;
    }
    const loneSkus = `SELECT sku, min(item_key) AS item_key, min(handle) AS handle FROM ${table} WHERE run_id = $1 AND sku IS NOT NULL GROUP BY sku HAVING count(*) = 1`;
    await withoutNestedLoops(client, () =>
      client.query(
        `UPDATE ingest_stage s SET item_key = m.item_key
           FROM (${loneSkus}) m
          WHERE m.sku = s.sku AND m.item_key <> s.item_key
            AND (s.handle IS NULL OR m.handle IS NULL OR s.handle = m.handle)
            AND (s.item_key = 's:' || s.sku
                 OR (s.item_key LIKE 'h:%' AND m.item_key NOT LIKE 'h:%'
                     AND s.sku IN (SELECT sku FROM ingest_stage WHERE sku IS NOT NULL GROUP BY sku HAVING count(*) = 1)))`,
        [runId],
      ),
    );
    // Rows still keyed by a SKU that several stored rows share, none of them keyed by it; rows keyed by a new variant id
    // whose SKU several stored rows without variant id share.
    const ambiguous = `SELECT s.line, s.sku, sh.items, false AS by_id FROM ingest_stage s
        JOIN (SELECT sku, count(*) AS items FROM ${dataset.table} WHERE run_id = $1 AND sku IS NOT NULL GROUP BY sku HAVING count(*) > 1) sh
          ON sh.sku = s.sku
       WHERE s.item_key = 's:' || s.sku AND NOT EXISTS (SELECT 1 FROM ${dataset.table} t WHERE t.run_id = $1 AND t.item_key = s.item_key)${ambiguousIds}`;
    const { rows } = await withoutNestedLoops(client, () =>
      client.query(`SELECT a.*, count(*) OVER () AS total FROM (${ambiguous}) a ORDER BY a.line LIMIT ${MAX_STORED_ROW_ERRORS}`, [runId]),
    );
    if (rows.length !== 0) {
      tally.refusedCount += Number(rows[0].total);
      for (const row of rows) {
        const message = row.by_id
          ? `SKU ${row.sku} names ${row.items} items of the run without a variant id: give the handle and options of the one this variant is`
          : `SKU ${row.sku} names ${row.items} items of the run: give the variant id (or the handle and options) of the one meant`;
        tally.refused.push({ line: row.line, column, value: String(row.sku).slice(0, 100), code: 'AMBIGUOUS_SKU', message });
      }
      await withoutNestedLoops(client, () => client.query(`DELETE FROM ingest_stage WHERE line IN (SELECT line FROM (${ambiguous}) a)`, [runId]));
    }
  }

  /**
   * Reports duplicates within the file (all counted, the first 1,000 listed), drops all but their first row, then
   * upserts by natural key. ON CONFLICT DO UPDATE beats DELETE + INSERT here: the insert after a delete must step
   * over every dead key in the primary key index. `xmax = 0` tells an inserted row from an updated one.
   */
  private async mergeStage(client: Client, dataset: Dataset, runId: string, csv: CsvToCopyStream, options: UploadOptions, tally: Tally): Promise<void> {
    const keys = dataset.keyColumns.join(', ');
    await client.query(`SET LOCAL work_mem = '64MB'`);
    if (dataset.kind === CsvKind.VARIANTS || dataset.kind === CsvKind.CATALOG) await this.adoptStoredKeys(client, dataset, runId, tally, csv.headerInfo?.mapped.sku ?? 'sku');
    const duplicates = await client.query(
      `SELECT ${dataset.keyColumns.slice(1).join(', ')}, line, count(*) OVER () AS total FROM (
         SELECT ${keys}, line, row_number() OVER (PARTITION BY ${keys} ORDER BY line) AS occurrence FROM ingest_stage
       ) ranked WHERE occurrence > 1 ORDER BY line LIMIT ${MAX_STORED_ROW_ERRORS}`,
    );
    const duplicateCount = Number(duplicates.rows[0]?.total ?? 0);
    tally.refusedCount += duplicateCount;
    for (const row of duplicates.rows) {
      const values = dataset.keyColumns.slice(1).map((c) => String(row[c]));
      tally.refused.push({ line: row.line, column: null, value: values.join(' / ').slice(0, 100), code: 'DUPLICATE_KEY', message: describeDuplicate(dataset, values, csv.exportsJoined) });
    }
    if (tally.refusedCount > 0 && options.errorPolicy === CsvErrorPolicy.REJECT_FILE) return;
    if (duplicateCount > 0) {
      await client.query(
        `DELETE FROM ingest_stage s USING ingest_stage first
          WHERE ${keyMatch(dataset, 's', 'first')} AND first.line < s.line`,
      );
    }
    const columns = COPY_COLUMNS[dataset.kind];
    // Only what the file states replaces what is stored (see suppliedColumns).
    const updates = csv.suppliedColumns.filter((c) => !dataset.keyColumns.includes(c)).map((c) => `${c} = EXCLUDED.${c}`);
    const { rows } = await client.query(
      `WITH upserted AS (
         INSERT INTO ${dataset.table} (${columns.join(', ')}) SELECT ${columns.join(', ')} FROM ingest_stage
         ON CONFLICT (${keys}) DO UPDATE SET ${updates.join(', ')}
         RETURNING (xmax = 0) AS inserted
       )
       SELECT count(*) FILTER (WHERE inserted)::int AS inserted, count(*) FILTER (WHERE NOT inserted)::int AS updated FROM upserted`,
    );
    tally.inserted = rows[0].inserted;
    tally.updated = rows[0].updated;
  }

  /** PostgreSQL names the COPY row and the key; the CSV layer maps the row back to its line in the file. */
  private duplicateFromCopyError(dataset: Dataset, error: { where?: string; detail?: string }, csv: CsvToCopyStream): CsvRowError {
    const copyRow = Number(/line (\d+)/.exec(error.where ?? '')?.[1] ?? 0);
    const keyValues = /\)=\((.*)\) already exists/.exec(error.detail ?? '')?.[1]?.split(', ').slice(1) ?? [];
    return {
      line: copyRow > 0 ? csv.lineOfRow(copyRow) : 0,
      column: null,
      value: keyValues.join(' / ').slice(0, 100),
      code: 'DUPLICATE_KEY',
      message: `${describeDuplicate(dataset, keyValues, csv.exportsJoined).replace('; the first occurrence is kept.', '.')} Checking stopped at the first duplicate.`,
    };
  }

  private failureOf(error: unknown, upload: CsvUpload, tooLarge: boolean): UserError {
    if (tooLarge || error instanceof UploadTooLarge || (error as { status?: number })?.status === 413) {
      return userError('FILE_TOO_LARGE', `The file is larger than the upload limit; nothing was written.`, ['file']);
    }
    if (error instanceof CsvHeaderError) {
      return userError(error.code, error.message, ['file']);
    }
    if (error instanceof DomainError) return error.errors[0];
    const code = (error as { code?: string })?.code;
    const status = (error as { status?: number })?.status;
    if (error instanceof ServerStopping) return userError(INTERRUPTED.code, INTERRUPTED.message, ['file']);
    const unavailable = databaseUnavailable(error);
    if (unavailable) return userError('SERVER_BUSY', UNAVAILABLE_MESSAGES[unavailable], ['file']);
    if (isTruncatedMultipart(error)) return unreadableFile(error, ['file']).errors[0]!;
    if (error instanceof UploadStalled) {
      return userError('UPLOAD_ABORTED', `The upload stopped: ${error.message} from the client, so the file was given up; nothing was written.`, ['file']);
    }
    if (code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || status === 499 || (error as Error)?.message?.includes('aborted')) {
      // A stopping server cuts the connections it could not drain.
      if (isStopping(this.orm)) return userError(INTERRUPTED.code, INTERRUPTED.message, ['file']);
      return userError('UPLOAD_ABORTED', 'The upload was cut off before the file was complete; nothing was written.', ['file']);
    }
    this.logger.error({ err: error, upload: upload.id }, 'upload failed unexpectedly');
    return userError('INTERNAL_ERROR', 'The upload failed on the server; nothing was written. Try again.', ['file']);
  }

  private async saveProgress(uploadId: string, bytesRead: number, rowsRead: number): Promise<void> {
    await this.orm.em.fork().nativeUpdate(CsvUpload, { id: uploadId, status: UploadStatus.PROCESSING }, { bytesRead, rowsRead, heartbeatAt: new Date() });
  }

  private async saveOutcome(id: string, outcome: OutcomeFields, rowErrors: CsvRowError[]): Promise<void> {
    const em = this.orm.em.fork();
    await em.transactional(async (tem) => {
      await tem.nativeUpdate(CsvUpload, { id }, outcome);
      if (rowErrors.length) {
        await tem.insertMany(
          CsvRowErrorRecord,
          rowErrors.slice(0, MAX_STORED_ROW_ERRORS).map((e, seq) => ({
            upload: id,
            seq,
            line: e.line,
            row: e.row ?? undefined,
            column: e.column ?? undefined,
            value: e.value ?? undefined,
            code: e.code,
            message: e.message,
          })),
        );
      }
    });
  }
}

class UploadTooLarge extends Error {}

/** A file the multipart request names but does not hold, or ends inside: the client's mistake. */
function unreadableFile(error: unknown, field: string[]): DomainError {
  return new DomainError(userError('INVALID_UPLOAD', `The file could not be read from the request: ${uploadProblem(error)}.`, field));
}

/** What was wrong with a multipart request, said in the terms of the GraphQL multipart request spec. */
function uploadProblem(error: unknown): string {
  const message = String((error as Error)?.message ?? '');
  if (/File missing/.test(message)) return 'the map names a file that the request does not hold';
  if (isTruncatedMultipart(error)) return 'the request ends inside the file (its body was cut short)';
  return 'the request does not hold it as the GraphQL multipart request spec says';
}

/** The multipart parser's word for a body that ends inside a part. */
function isTruncatedMultipart(error: unknown): boolean {
  return /Unexpected end of (form|file)|Malformed part header/i.test(String((error as Error)?.message ?? ''));
}

/**
 * A file that cannot be opened becomes a stream that fails: one already cut off (over the size limit) as such, any
 * other (the request ended) as the client's mistake.
 */
function openUploadStream(createReadStream: () => Readable, field: string[]): Readable {
  let failure: Error;
  try {
    return createReadStream();
  } catch (error) {
    failure = (error as { status?: number }).status === 413 ? (error as Error) : unreadableFile(error, field);
  }
  return new Readable({
    read() {
      this.destroy(failure);
    },
  });
}
