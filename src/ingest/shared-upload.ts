import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import type { FileUpload } from 'graphql-upload-minimal';
import { PendingUpload } from '../graphql/scalars';
import { UploadStalled } from './upload-limits';

/** A variable that names a file an earlier variable of the request named too: it gets a copy of the file. */
interface Copy {
  upload: PendingUpload;
  deliver(file: FileUpload): void;
  refuse(error: unknown): void;
}

function awaitedCopy(): Copy {
  const copy = {} as Copy;
  copy.upload = new PendingUpload(
    new Promise<FileUpload>((resolve, reject) => {
      copy.deliver = resolve;
      copy.refuse = reject;
    }),
  );
  return copy;
}

/**
 * The files of one request, one for each variable that names one. The GraphQL multipart request spec lets a client
 * send a file once for every variable it fills (apollo-upload-client does, given one File twice: a products export for
 * both variants and catalog), but a file's stream can be read only once. So the first variable reads it as it arrives
 * while a copy goes to a temporary file, and the others get that copy once the file has arrived whole: until then they
 * hold no upload slot and no connection (and are not recorded, even with `wait: false`), since an upload starts once
 * its file is there. The copy is unlinked as soon as each of them has opened it, or as soon as the file fails.
 */
export function shareUploads(uploads: readonly PendingUpload[], idleMs: number): PendingUpload[] {
  const copiesOf = new Map<Promise<FileUpload>, Copy[]>();
  return uploads.map(({ file }) => {
    const copies = copiesOf.get(file);
    if (copies) {
      const copy = awaitedCopy();
      copies.push(copy);
      return copy.upload;
    }
    const own: Copy[] = [];
    copiesOf.set(file, own);
    return new PendingUpload(
      file.then(
        (received) => (own.length === 0 ? received : teeToCopies(received, own, idleMs)),
        (error: unknown) => {
          // The request does not hold the file: each variable says so.
          for (const copy of own) copy.refuse(error);
          throw error;
        },
      ),
    );
  });
}

/**
 * A file that fails as the shared one did, so that each copy's upload records the failure the first did: at once
 * when the file could not be opened (`opening`), else as a stream that fails.
 */
function failing(file: FileUpload, error: unknown, opening: boolean): FileUpload {
  return {
    ...file,
    createReadStream: () => {
      if (opening) throw error;
      return new Readable({
        read() {
          this.destroy(error as Error);
        },
      }) as never;
    },
  };
}

/**
 * The first reader's file: its stream goes to that reader and to a temporary file, which `copies` then get. A client
 * that sends nothing for `idleMs` while the file is awaited fails the copies as it fails the first reader (see
 * IdleGuard); time the first reader takes to read what came does not count.
 */
function teeToCopies(file: FileUpload, copies: readonly Copy[], idleMs: number): FileUpload {
  let settled = false;
  let idle: NodeJS.Timeout | undefined;
  const failAll = (error: unknown, opening = false) => {
    clearTimeout(idle);
    if (settled) return;
    settled = true;
    for (const copy of copies) copy.deliver(failing(file, error, opening));
  };
  return {
    ...file,
    createReadStream: () => {
      let source: Readable;
      try {
        source = file.createReadStream();
      } catch (error) {
        failAll(error, true);
        throw error;
      }
      const reader = new PassThrough();
      source.pipe(reader);
      let dir: string;
      let copy: fs.WriteStream;
      try {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bundlegraph-upload-'));
        copy = fs.createWriteStream(path.join(dir, 'file'));
      } catch (error) {
        failAll(error);
        return reader as never;
      }
      const copyPath = path.join(dir, 'file');
      const discard = () => fs.rmSync(dir, { recursive: true, force: true });
      const fail = (error: unknown) => {
        copy.destroy();
        discard();
        failAll(error);
      };
      // Over the size limit, the upload parser stops the file and says so on its stream: the reader must hear it too.
      source.once('limit', () => {
        reader.emit('limit');
        fail(Object.assign(new Error('The file is larger than the upload limit.'), { status: 413 }));
      });
      source.once('error', (error) => {
        reader.destroy(error);
        fail(error);
      });
      source.once('close', () => {
        if (!source.readableEnded) fail(Object.assign(new Error('The upload was aborted.'), { status: 499 }));
      });
      // Waiting for the first reader or for the disk is not the client's time (an idle timeout of 0 is none).
      const waitingHere = () => reader.writableNeedDrain || copy.writableNeedDrain;
      const arm = () => {
        clearTimeout(idle);
        if (settled || idleMs <= 0) return;
        idle = setTimeout(() => (waitingHere() ? arm() : fail(new UploadStalled(idleMs))), idleMs);
        idle.unref();
      };
      source.on('data', arm);
      reader.on('drain', arm);
      copy.on('drain', arm);
      arm();
      // The disk failing the copy fails the copies only: the first reader has the file still.
      copy.once('error', fail);
      copy.once('finish', () => {
        if (settled) return;
        settled = true;
        clearTimeout(idle);
        void Promise.allSettled(copies.map(() => fs.promises.open(copyPath, 'r'))).then((opened) => {
          discard();
          const failed = opened.find((o): o is PromiseRejectedResult => o.status === 'rejected');
          if (failed) {
            for (const o of opened) if (o.status === 'fulfilled') void o.value.close();
            for (const copy of copies) copy.deliver(failing(file, failed.reason, true));
            return;
          }
          opened.forEach((o, i) => {
            const handle = (o as PromiseFulfilledResult<fs.promises.FileHandle>).value;
            copies[i]!.deliver({ ...file, createReadStream: () => handle.createReadStream() as never });
          });
        });
      });
      source.pipe(copy);
      // Read as a Readable, as any upload's stream is (the type names the stream graphql-upload-minimal makes).
      return reader as never;
    },
  };
}
