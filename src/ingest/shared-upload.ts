import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import type { FileUpload } from 'graphql-upload-minimal';
import { PendingUpload } from '../graphql/scalars';

/** A variable that names a file an earlier variable of the request named too: it gets a copy of the file. */
interface Copy {
  upload: PendingUpload;
  deliver(file: FileUpload): void;
  fail(error: unknown): void;
}

function awaitedCopy(): Copy {
  const copy = {} as Copy;
  copy.upload = new PendingUpload(
    new Promise<FileUpload>((resolve, reject) => {
      copy.deliver = resolve;
      copy.fail = reject;
    }),
  );
  return copy;
}

/**
 * The files of one request, one for each variable that names one. The GraphQL multipart request spec lets a client
 * send a file once for every variable it fills (apollo-upload-client does, given one File twice: a products export for
 * both variants and catalog), but a file's stream can be read only once. So the first variable reads it as it arrives
 * while a copy goes to a temporary file, and the others get that copy once the file has arrived whole: until then they
 * hold no upload slot and no connection, since an upload starts once its file is there. The copy is unlinked as soon
 * as each of them has opened it, so nothing is left behind however their uploads end.
 */
export function shareUploads(uploads: readonly PendingUpload[]): PendingUpload[] {
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
        (received) => (own.length === 0 ? received : teeToCopies(received, own)),
        (error: unknown) => {
          for (const copy of own) copy.fail(error);
          throw error;
        },
      ),
    );
  });
}

/** The first reader's file: its stream goes to that reader and to a temporary file, which `copies` then get. */
function teeToCopies(file: FileUpload, copies: readonly Copy[]): FileUpload {
  const failAll = (error: unknown) => copies.forEach((copy) => copy.fail(error));
  return {
    ...file,
    createReadStream: () => {
      let source;
      try {
        source = file.createReadStream();
      } catch (error) {
        failAll(error);
        throw error;
      }
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bundlegraph-upload-'));
      const copyPath = path.join(dir, 'file');
      const discard = () => fs.rmSync(dir, { recursive: true, force: true });
      const reader = new PassThrough();
      const copy = fs.createWriteStream(copyPath);
      source.on('error', (error) => {
        reader.destroy(error);
        copy.destroy();
        discard();
        failAll(error);
      });
      copy.on('finish', () => {
        Promise.all(copies.map(() => fs.promises.open(copyPath, 'r'))).then(
          (handles) => {
            discard();
            handles.forEach((handle, i) => copies[i]!.deliver({ ...file, createReadStream: () => handle.createReadStream() }));
          },
          (error: unknown) => {
            discard();
            failAll(error);
          },
        );
      });
      // A reader that gives up (its file refused at the header) is unpiped when it closes; the copy goes on.
      source.pipe(reader);
      source.pipe(copy);
      // Read as a Readable, as any upload's stream is (the type names the stream graphql-upload-minimal makes).
      return reader as unknown as ReturnType<FileUpload['createReadStream']>;
    },
  };
}
