import { createRequire } from 'node:module';

/**
 * graphql-upload-minimal (1.6.4) listens for one error of its multipart parser (busboy), then destroys the parser,
 * which may emit a second one ("Unexpected end of form" after "Malformed part header"): with no listener left, that
 * error is thrown and stops the process. Any client could send such a body, before authentication. Every busboy
 * multipart parser gets a listener that ignores errors (the upload parser's own listener still receives the first
 * and answers the request with it); set on the prototype, it holds whatever loaded busboy first.
 */
export function guardMultipartParserErrors(): void {
  const requireFromUploads = createRequire(require.resolve('graphql-upload-minimal'));
  const Multipart = requireFromUploads('busboy/lib/types/multipart.js') as { prototype: MultipartParser };
  const proto = Multipart.prototype;
  if (Object.hasOwn(proto, PATCHED)) return;
  const write = proto._write;
  proto._write = function guardedWrite(this: MultipartParser, ...args: unknown[]) {
    if (!this[LISTENING]) {
      this[LISTENING] = true;
      this.on('error', ignore);
    }
    return write.apply(this, args);
  };
  Object.defineProperty(proto, PATCHED, { value: true });
}

const PATCHED = Symbol('bundlegraph.multipartPrototypePatched');
const LISTENING = Symbol('bundlegraph.multipartErrorsIgnored');

interface MultipartParser {
  [LISTENING]?: boolean;
  _write(...args: unknown[]): unknown;
  on(event: 'error', listener: () => void): unknown;
}

function ignore(): void {}
