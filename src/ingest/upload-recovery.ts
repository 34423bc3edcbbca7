import type { Orm } from '../db/orm';
import type { Logger } from '../logger';
import { CsvUpload, UploadStatus } from './csv-upload.entity';

const INTERRUPTED_MESSAGE = 'The server stopped, or lost its database, while this file was being processed; nothing of it was written. Upload it again.';

/** An upload whose heartbeat is older than this was being processed by a server that is gone. */
export const STALE_AFTER_MS = 15_000;

/**
 * Marks uploads left PROCESSING by a server that died as FAILED (INTERRUPTED). Their data transaction died
 * with the server, so nothing of them was written. See recoverInterruptedWork in main.ts: at start and then
 * periodically, since another live server may share the database and only a stopped heartbeat tells a dead one.
 */
export async function failInterruptedUploads(orm: Orm, logger: Logger, staleAfterMs = STALE_AFTER_MS): Promise<number> {
  const cutoff = new Date(Date.now() - staleAfterMs);
  const count = await orm.em.fork().nativeUpdate(
    CsvUpload,
    { status: UploadStatus.PROCESSING, heartbeatAt: { $lt: cutoff } },
    {
      status: UploadStatus.FAILED,
      errorCode: 'INTERRUPTED',
      errorMessage: INTERRUPTED_MESSAGE,
      finishedAt: new Date(),
    },
  );
  if (count) logger.warn({ count }, 'marked interrupted uploads as failed');
  return count;
}

/** The failure of an upload this server gave up because it is stopping. */
export const INTERRUPTED = { code: 'INTERRUPTED', message: INTERRUPTED_MESSAGE };

/** Thrown into an upload's file stream by a stopping server. */
export class ServerStopping extends Error {
  constructor() {
    super('the server is stopping');
  }
}

export interface InFlight {
  /** Whether the upload's file is still arriving (after that, only the database's work is left). */
  streaming(): boolean;
  /** Ends the upload's file stream, so that it fails and records why. */
  stop(): void;
}

const inFlight = new WeakMap<Orm, Map<string, InFlight & { settled: Promise<void> }>>();
const stopping = new WeakSet<Orm>();

/**
 * Notes an upload this process is working on in `orm`'s database, for stopUploads; returns what to call once the
 * upload's outcome is recorded.
 */
export function trackUpload(orm: Orm, uploadId: string, upload: InFlight): () => void {
  let uploads = inFlight.get(orm);
  if (!uploads) inFlight.set(orm, (uploads = new Map()));
  let settle!: () => void;
  uploads.set(uploadId, { ...upload, settled: new Promise<void>((resolve) => (settle = resolve)) });
  return () => {
    uploads.delete(uploadId);
    settle();
  };
}

/** From now on, uploads into `orm`'s database that lose their client are INTERRUPTED: their server is stopping. */
export function markStopping(orm: Orm): void {
  stopping.add(orm);
}

export function isStopping(orm: Orm): boolean {
  return stopping.has(orm);
}

/** How long a stopping server waits for uploads whose file has arrived to finish their database work. */
const FINISH_WAIT_MS = 120_000;

/**
 * For a stopping server (markStopping first), once its requests are drained: ends the uploads whose file is still
 * arriving (a client still sending after the grace period, an upload answered at once), waits up to `waitMs` for them
 * to record their failure, and marks FAILED (INTERRUPTED) those that could not, before the database closes: a client
 * polling them learns at once, not once another server finds their heartbeat stopped. Uploads whose file has arrived
 * are left to finish (merge, commit, record), for up to FINISH_WAIT_MS: one may be committing.
 */
export async function stopUploads(orm: Orm, logger: Logger, waitMs = 5_000): Promise<void> {
  const uploads = inFlight.get(orm);
  if (!uploads?.size) return;
  const arriving = [...uploads.values()].filter((u) => u.streaming());
  for (const upload of arriving) upload.stop();
  await waitAtMost(arriving.map((u) => u.settled), waitMs);
  const left = [...uploads.entries()].filter(([, u]) => u.streaming()).map(([id]) => id);
  if (left.length) {
    const count = await orm.em.fork().nativeUpdate(
      CsvUpload,
      { id: { $in: left }, status: UploadStatus.PROCESSING },
      { status: UploadStatus.FAILED, errorCode: INTERRUPTED.code, errorMessage: INTERRUPTED.message, finishedAt: new Date() },
    );
    logger.warn({ count }, 'stopped with uploads in flight, marked as failed');
  }
  await waitAtMost([...uploads.values()].filter((u) => !u.streaming()).map((u) => u.settled), FINISH_WAIT_MS);
}

/** Waits for all of `ends`, or `waitMs`, whichever comes first. */
export async function waitAtMost(ends: readonly Promise<unknown>[], waitMs: number): Promise<void> {
  if (ends.length === 0) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all(ends), new Promise((resolve) => (timer = setTimeout(resolve, waitMs)))]);
  clearTimeout(timer);
}
