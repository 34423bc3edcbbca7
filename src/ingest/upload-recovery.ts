import type { Orm } from '../db/orm';
import type { Logger } from '../logger';
import { CsvUpload, UploadStatus } from './csv-upload.entity';

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
      errorMessage: 'The server stopped while this file was being processed; nothing of it was written. Upload it again.',
      finishedAt: new Date(),
    },
  );
  if (count) logger.warn({ count }, 'marked interrupted uploads as failed');
  return count;
}
