import { getHarness } from '../setup';

export interface GraphQLResponse<T = any> {
  status: number;
  data?: T;
  errors?: { message: string; path?: string[]; extensions?: Record<string, any> }[];
  headers: Headers;
}

export interface RequestOptions {
  key?: string | null;
  headers?: Record<string, string>;
  /** Another server's GraphQL endpoint than the suite's. */
  url?: string;
}

function authHeaders(options: RequestOptions): Record<string, string> {
  return { ...(options.key ? { authorization: `Bearer ${options.key}` } : {}), ...options.headers };
}

async function parse<T>(response: Response): Promise<GraphQLResponse<T>> {
  const text = await response.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    body = { errors: [{ message: text }] };
  }
  return { status: response.status, data: body.data, errors: body.errors, headers: response.headers };
}

/** A GraphQL request as a JSON POST to the running server. */
export async function gql<T = any>(query: string, variables: Record<string, unknown> = {}, options: RequestOptions = {}): Promise<GraphQLResponse<T>> {
  const response = await fetch(options.url ?? getHarness().graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...authHeaders(options) },
    body: JSON.stringify({ query, variables }),
  });
  return parse<T>(response);
}

export interface UploadFile {
  /** Where the file goes in the variables, e.g. "file" or "input.orders". */
  variable: string;
  filename: string;
  content: string | Buffer;
}

/** A GraphQL multipart request (the multipart request spec), with the CSRF preflight header unless told not to. */
export async function gqlUpload<T = any>(
  query: string,
  variables: Record<string, unknown>,
  files: UploadFile[],
  options: RequestOptions & { preflight?: boolean } = {},
): Promise<GraphQLResponse<T>> {
  const form = new FormData();
  form.append('operations', JSON.stringify({ query, variables }));
  const map: Record<string, string[]> = {};
  files.forEach((file, index) => (map[String(index)] = [`variables.${file.variable}`]));
  form.append('map', JSON.stringify(map));
  files.forEach((file, index) => form.append(String(index), new Blob([file.content]), file.filename));
  const response = await fetch(getHarness().graphqlUrl, {
    method: 'POST',
    headers: { ...(options.preflight === false ? {} : { 'apollo-require-preflight': 'true' }), ...authHeaders(options) },
    body: form,
  });
  return parse<T>(response);
}

/** Fails with the response's errors when the request did not succeed; returns its data. */
export function ok<T>(response: GraphQLResponse<T>): T {
  if (response.errors?.length || !response.data) {
    throw new Error(`GraphQL request failed (${response.status}): ${JSON.stringify(response.errors)}`);
  }
  return response.data;
}

/**
 * A multipart upload whose file arrives in pieces, with pauses between them, as over a slow link: `pause` is a time
 * in milliseconds, or a function whose promise holds the next piece back. Resolves with the response as soon as
 * the server answers, which may be before the whole file is sent; `sent` resolves when the last byte is out.
 */
export function gqlUploadInPieces(
  query: string,
  variables: Record<string, unknown>,
  variable: string | string[],
  pieces: (string | Buffer)[],
  pause: number | (() => Promise<unknown>),
  key: string,
  url = getHarness().graphqlUrl,
): { response: Promise<{ status: number; body: any }>; sent: Promise<void>; abort: () => void } {
  const http = require('node:http') as typeof import('node:http');
  const boundary = `----bundlegraph${Date.now()}`;
  const part = (headers: string, body: string) => `--${boundary}\r\n${headers}\r\n\r\n${body}\r\n`;
  const request = http.request(url, {
    method: 'POST',
    headers: {
      'content-type': `multipart/form-data; boundary=${boundary}`,
      'apollo-require-preflight': 'true',
      authorization: `Bearer ${key}`,
    },
  });
  const response = new Promise<{ status: number; body: any }>((resolve, reject) => {
    request.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    request.on('error', reject);
  });
  const sent = (async () => {
    request.write(part('Content-Disposition: form-data; name="operations"', JSON.stringify({ query, variables })));
    request.write(part('Content-Disposition: form-data; name="map"', JSON.stringify({ 0: [variable].flat().map((name) => `variables.${name}`) })));
    request.write(`--${boundary}\r\nContent-Disposition: form-data; name="0"; filename="slow.csv"\r\nContent-Type: text/csv\r\n\r\n`);
    for (const [index, piece] of pieces.entries()) {
      if (index > 0) await (typeof pause === 'number' ? new Promise((resolve) => setTimeout(resolve, pause)) : pause());
      request.write(piece);
    }
    request.end(`\r\n--${boundary}--\r\n`);
  })();
  // Cuts the connection, as a client that goes away does.
  const abort = () => request.destroy();
  return { response, sent, abort };
}
