import { isUtf8 } from 'node:buffer';
import type http from 'node:http';

/** A request refused while reading its body, answered with `status`. */
export class BodyError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Reads a UTF-8 body of at most `limit` bytes as text, without express.json's content negotiation and decoding
 * layers, which the caller has ruled out from the headers.
 */
export function readBodyText(req: http.IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > limit) {
      reject(new BodyError(413, 'PAYLOAD_TOO_LARGE', `Request body is larger than ${limit} bytes.`));
      return;
    }
    const chunks: Buffer[] = [];
    let received = 0;
    let settled = false;
    const fail = (error: BodyError) => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) fail(new BodyError(413, 'PAYLOAD_TOO_LARGE', `Request body is larger than ${limit} bytes.`));
      else chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('error', () => fail(new BodyError(400, 'BAD_REQUEST', 'The request body could not be read.')));
    req.once('aborted', () => fail(new BodyError(400, 'BAD_REQUEST', 'The request was aborted.')));
    req.once('end', () => {
      if (settled) return;
      settled = true;
      const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
      // Decoding would turn invalid bytes into U+FFFD silently, and store them so.
      if (!isUtf8(body)) reject(new BodyError(400, 'BAD_REQUEST', 'Request body is not valid UTF-8.'));
      else resolve(body.toString('utf8'));
    });
  });
}

/** Parses a JSON body as express.json does in strict mode: an empty body is `{}`; the top level must be an object or an array. */
export function parseJsonBody(text: string): unknown {
  // A byte order mark, which some Windows tools write, is no JSON; Express's parser drops it too.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const first = /\S/.exec(text);
  if (!first) return {};
  if (first[0] !== '{' && first[0] !== '[') throw new BodyError(400, 'BAD_REQUEST', 'Request body must be a JSON object or array.');
  try {
    return JSON.parse(text);
  } catch {
    throw new BodyError(400, 'BAD_REQUEST', 'Request body is not valid JSON.');
  }
}
