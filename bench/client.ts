import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

export interface GraphQLResult<T = any> {
  status: number;
  data?: T;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

function parseBody<T>(status: number, text: string): GraphQLResult<T> {
  try {
    const body = JSON.parse(text);
    return { status, data: body.data, errors: body.errors };
  } catch {
    return { status, errors: [{ message: text.slice(0, 2000) }] };
  }
}

/** A JSON GraphQL request. */
export async function gql<T = any>(url: string, key: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables }),
  });
  const result = parseBody<T>(response.status, await response.text());
  if (result.errors?.length || !result.data) {
    throw new Error(`GraphQL request failed (${result.status}): ${JSON.stringify(result.errors)}`);
  }
  return result.data;
}

export interface MultipartUpload {
  url: string;
  key: string;
  query: string;
  variables: Record<string, unknown>;
  /** Where the file goes in the variables, e.g. "file". */
  variable: string;
  file: string;
}

/**
 * A GraphQL multipart request (the multipart request spec) whose file part is streamed from disk: the body is
 * never held in memory. Its length is known up front, so it is sent with Content-Length.
 */
export function uploadMultipart<T = any>(upload: MultipartUpload): Promise<GraphQLResult<T>> {
  const boundary = `----bundlegraph-bench-${crypto.randomBytes(12).toString('hex')}`;
  const operations = JSON.stringify({ query: upload.query, variables: upload.variables });
  const map = JSON.stringify({ '0': [`variables.${upload.variable}`] });
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${operations}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="map"\r\n\r\n${map}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="0"; filename="${path.basename(upload.file)}"\r\n` +
      `Content-Type: text/csv\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const size = fs.statSync(upload.file).size;
  const target = new URL(upload.url);

  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (error: Error | null, result?: GraphQLResult<T>) => {
      if (settled) return;
      settled = true;
      if (error) reject(error);
      else resolve(result!);
    };
    const request = http.request(
      {
        method: 'POST',
        hostname: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        headers: {
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': head.length + size + tail.length,
          'apollo-require-preflight': 'true',
          authorization: `Bearer ${upload.key}`,
        },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () => finish(null, parseBody<T>(response.statusCode ?? 0, text)));
        response.on('error', (error) => finish(error));
      },
    );
    // A server that answers before reading the whole body (a refused upload) may reset the connection: the
    // answer, when it came, is what counts.
    request.on('error', (error) => finish(error));
    request.write(head);
    const file = fs.createReadStream(upload.file, { highWaterMark: 256 * 1024 });
    file.on('error', (error) => {
      request.destroy(error);
      finish(error);
    });
    file.on('end', () => request.end(tail));
    file.pipe(request, { end: false });
  });
}
