import crypto from 'node:crypto';
import http from 'node:http';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { isUtf8 } from 'node:buffer';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { ApolloServer, HeaderMap, type HTTPGraphQLResponse } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import cors from 'cors';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { GraphQLSchema } from 'graphql';
import { graphqlUploadExpress } from 'graphql-upload-minimal';
import Negotiator from 'negotiator';
import vary from 'vary';
import type { Config } from '../config';
import { isMigrated, type Orm } from '../db/orm';
import { RequestContext, type Context } from '../graphql/context';
import { createErrorFormatter, databaseUnavailable, unavailableError } from '../graphql/format-error';
import { authPlugin, limitsPlugin } from '../graphql/guards';
import { ResponseCache, responseCachePlugin, type CachedResponse } from '../graphql/response-cache';
import type { Logger } from '../logger';
import { ApiKeyService, cachedPrincipal } from '../shops/api-key.service';
import { BodyError, parseJsonBody, readBodyText } from './json-body';
import { guardMultipartParserErrors } from './multipart-guard';
import { requestLogPlugin } from './request-log';

/**
 * Apollo Sandbox, embedded in the page GET /graphql serves outside production (loaded from Apollo's CDN): without
 * telemetry or cookies, and with the Authorization header every request needs, for the developer to fill in.
 */
function playground() {
  return ApolloServerPluginLandingPageLocalDefault({
    includeCookies: false,
    footer: false,
    embed: { runTelemetry: false, initialState: { sharedHeaders: { Authorization: 'Bearer <API key>' } } },
  });
}

const MAX_HEADER_BYTES = 64 * 1024;

/** How long /readyz waits for the database before it answers 503. */
const READY_WITHIN_MS = 3_000;

export interface HttpServer {
  url: string;
  port: number;
  /** Stops accepting connections and lets requests in flight finish (up to the grace period). */
  stop(): Promise<void>;
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;
const REQUEST_ID = /^[\w.-]{1,64}$/;
/** JSON bodies the fast path reads itself: UTF-8 (the only charset JSON allows) and not compressed. */
const PLAIN_JSON = /^application\/json\s*(;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;
const MULTIPART = /^multipart\/form-data\b/i;

/** Responses at least this large are gzipped for clients that take it; below, compressing costs more than it saves. */
const COMPRESS_FROM_BYTES = 8 * 1024;
const gzip = promisify(zlib.gzip);

/** Whether to send a body gzipped: it is large, and the client takes gzip. */
function gzipsFor(req: http.IncomingMessage, body: Buffer): boolean {
  return body.length >= COMPRESS_FROM_BYTES && new Negotiator(req).encoding(['gzip', 'identity']) === 'gzip';
}

/** Ends a response with a body gzipped; a kept response is gzipped once, on its first such request. */
async function endGzipped(res: http.ServerResponse, body: Buffer, kept?: CachedResponse): Promise<Buffer> {
  const zipped = kept?.gzipped ?? (await gzip(body, { level: 4 }));
  if (kept) kept.gzipped = zipped;
  res.setHeader('content-encoding', 'gzip');
  res.setHeader('content-length', zipped.length);
  res.end(zipped);
  return zipped;
}

/**
 * GraphQL bodies vary with Accept (application/json or application/graphql-response+json) and Accept-Encoding;
 * added to what CORS put there (Origin, when it names origins).
 */
const VARY = 'Accept, Accept-Encoding';

function bearerToken(header: string | undefined): string | null {
  const match = header ? BEARER.exec(header) : null;
  return match ? match[1] : null;
}

/** The caller's request id when it is a sane one, else a new one; echoed in the response. */
function requestIdOf(req: http.IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
}

/** A GraphQL POST with a plain JSON body, which is what clients send nearly always. */
function isPlainJsonPost(req: http.IncomingMessage): boolean {
  if (req.method !== 'POST' || req.url !== '/graphql') return false;
  const type = req.headers['content-type'];
  const encoding = req.headers['content-encoding'];
  return type !== undefined && PLAIN_JSON.test(type) && (encoding === undefined || encoding.toLowerCase() === 'identity');
}

/** GraphQL-style codes of the HTTP errors raised before a request reaches GraphQL (body parsers, upload parser). */
const STATUS_CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

/** What Express's body parser refused, in the API's words rather than the parser's (a JSON.parse of mojibake, zlib's). */
function bodyProblem(error: unknown, req: http.IncomingMessage): string | null {
  const { type, code, charset } = error as { type?: string; code?: string; charset?: string };
  const declared = /charset=("?)([^";]+)\1/i.exec(req.headers['content-type'] ?? '')?.[2]?.toLowerCase();
  if (type === 'entity.parse.failed') {
    return declared && declared !== 'utf-8' && declared !== 'utf8'
      ? `Request body is not valid JSON read as ${declared}, the charset its Content-Type names: send JSON as UTF-8.`
      : 'Request body is not valid JSON.';
  }
  if (type === 'charset.unsupported') return `The charset ${charset ?? declared} is not read: send JSON as UTF-8.`;
  if (type === 'encoding.unsupported') return `Content-Encoding ${req.headers['content-encoding']} is not read: send the body as it is, gzipped or deflated.`;
  if (typeof code === 'string' && code.startsWith('Z_')) return `The body is not valid ${req.headers['content-encoding']} data, as its Content-Encoding says.`;
  return null;
}

function sendError(res: http.ServerResponse, status: number, code: string, message: string): void {
  const body = JSON.stringify({ errors: [{ message, extensions: { code } }] });
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), connection: 'close' });
  res.end(body);
}

function asBadMultipart(error: unknown): unknown {
  const { status, statusCode, message } = error as { status?: number; statusCode?: number; message?: string };
  // The parser's 500 is for a body with neither `operations` nor `map`, which it takes for one another middleware
  // read first; none does here, so the client sent none.
  if (status === 500) {
    return Object.assign(new Error('The multipart request holds neither an `operations` nor a `map` field (GraphQL multipart request spec).'), { status: 400, expose: true });
  }
  if (status !== undefined || statusCode !== undefined) return error;
  return Object.assign(new Error(`The multipart request is malformed or was cut off: ${message ?? 'unreadable'}.`), { status: 400, expose: true });
}

export async function startHttpServer(options: { config: Config; orm: Orm; schema: GraphQLSchema; logger: Logger }): Promise<HttpServer> {
  const { config, orm, schema, logger } = options;
  guardMultipartParserErrors();
  const app = express();
  app.disable('x-powered-by');
  // Keys travel in the Authorization header, never in cookies, so any origin may call the API from a browser (the
  // admin UI, hosted playgrounds); CORS_ORIGINS narrows it. Preflight requests are answered here.
  const allowOrigins = cors({
    origin: config.corsOrigins.includes('*') ? '*' : config.corsOrigins,
    methods: ['GET', 'POST', 'OPTIONS'],
    exposedHeaders: ['x-request-id'],
    maxAge: 86400,
  });

  /**
   * Plain JSON POSTs to /graphql skip Express: its router, body-parser and `res.send` (which hashes every body
   * for an ETag) cost more than the rest of a cached read. Everything else, uploads and GETs included, goes
   * through the Express app below, with the same Apollo handler at the end.
   */
  // Headers of up to 64 KB (Node's default is 16 KB): a query sent by GET, as clients do for their cached reads, is in
  // the request line, and generated clients' queries run to tens of kilobytes.
  const httpServer = http.createServer({ maxHeaderSize: MAX_HEADER_BYTES }, (req, res) => allowOrigins(req, res, () => route(req, res)));

  function route(req: http.IncomingMessage, res: http.ServerResponse): void {
    // Node keeps the first of several Authorization headers: which key was meant is the client's to say.
    if (req.rawHeaders.filter((name, i) => i % 2 === 0 && name.toLowerCase() === 'authorization').length > 1) {
      req.resume();
      sendError(res, 400, 'BAD_REQUEST', 'Send one Authorization header, with one key.');
      return;
    }
    if (!isPlainJsonPost(req)) {
      app(req, res);
      return;
    }
    const requestId = requestIdOf(req);
    res.setHeader('x-request-id', requestId);
    readBodyText(req, config.maxJsonBytes)
      .then((text) => (serveCached(req, res, text, requestId) ? undefined : handleGraphQL(req, res, parseJsonBody(text), requestId, text)))
      .catch((error: unknown) => {
        if (error instanceof BodyError) {
          req.resume();
          sendError(res, error.status, error.code, error.message);
          return;
        }
        logger.error({ err: error, requestId }, 'graphql request failed');
        if (!res.headersSent) sendError(res, 500, 'INTERNAL_SERVER_ERROR', 'Internal server error');
        else res.destroy();
      });
  }
  // What Node refuses before any handler runs (headers past its 16 KB limit, a request over the time limit, malformed
  // HTTP) is answered in the API's error shape too, not with a bare status line.
  httpServer.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === 'ECONNRESET' || !socket.writable || (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent) {
      socket.destroy();
      return;
    }
    const [status, code, message] =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'REQUEST_HEADER_FIELDS_TOO_LARGE', `The request line and headers are larger than ${MAX_HEADER_BYTES / 1024} KB in all: send a long query by POST.`]
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, 'REQUEST_TIMEOUT', 'The request took longer than the server waits for one.']
          : [400, 'BAD_REQUEST', 'The request is not valid HTTP.'];
    const body = JSON.stringify({ errors: [{ message, extensions: { code } }] });
    socket.end(
      `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });
  httpServer.requestTimeout = config.requestTimeoutMs;
  httpServer.headersTimeout = 60_000;
  // Longer than the idle timeout of common load balancers (60 s), so that they, not we, close idle connections.
  httpServer.keepAliveTimeout = 65_000;

  const apollo = new ApolloServer<Context>({
    schema,
    // On, with one addition (see handleGraphQL): a GET that carries a key as a Bearer token counts as preflighted.
    csrfPrevention: true,
    // The process stops the server itself, after draining, and then the database.
    stopOnTerminationSignals: false,
    introspection: config.env !== 'production',
    includeStacktraceInErrorResponses: false,
    // Production answers do not describe the schema: no "Did you mean" field suggestions without introspection.
    hideSchemaDetailsFromClientErrors: config.env === 'production',
    // Parsing stops at this many tokens, before any work that grows with the document.
    parseOptions: { maxTokens: config.maxQueryTokens },
    formatError: createErrorFormatter(),
    plugins: [
      // Requests in flight (a large upload) get the whole grace period, not the plugin's default 10 s.
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: config.shutdownGraceMs }),
      // Production serves no page at all (Apollo's default one loads a script from its CDN).
      config.env === 'production' ? ApolloServerPluginLandingPageDisabled() : playground(),
      // No field sets cache hints, and the plugin would otherwise run a hook for every resolved field.
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      requestLogPlugin(logger),
      authPlugin,
      limitsPlugin(schema, { maxDepth: config.maxQueryDepth, maxCost: config.maxQueryComplexity, hideSuggestions: config.env === 'production' }),
      responseCachePlugin(),
    ],
  });
  await apollo.start();

  const responseCache = new ResponseCache(config.responseCacheBytes);

  /** The key of a plain JSON request's response, when its caller's key is known without asking the database. */
  function responseKeyOf(req: http.IncomingMessage, body: string): string | null {
    const token = bearerToken(req.headers.authorization);
    const principal = token ? cachedPrincipal(token) : undefined;
    return principal ? responseCache.keyOf(principal.shopId, req.headers.accept, body) : null;
  }

  /** Answers from the response cache when it can; whether it did. */
  function serveCached(req: http.IncomingMessage, res: http.ServerResponse, body: string, requestId: string): boolean {
    const key = responseKeyOf(req, body);
    const cached = key === null ? undefined : responseCache.get(key);
    if (!cached) return false;
    if (logger.isLevelEnabled('info')) logger.info({ requestId, cached: true }, 'graphql request');
    vary(res, VARY);
    if (!gzipsFor(req, cached.body)) {
      res.writeHead(cached.status, cached.headers);
      res.end(cached.body);
      return true;
    }
    res.statusCode = cached.status;
    for (let i = 0; i < cached.headers.length; i += 2) if (cached.headers[i] !== 'content-length') res.setHeader(cached.headers[i]!, cached.headers[i + 1]!);
    endGzipped(res, cached.body, cached).catch((error: unknown) => {
      logger.error({ err: error, requestId }, 'could not send a kept response');
      res.destroy();
    });
    return true;
  }

  async function contextFor(req: http.IncomingMessage, requestId: string): Promise<Context> {
    const context = new RequestContext(orm, null, requestId, logger, config);
    const token = bearerToken(req.headers.authorization);
    if (token) {
      const cached = cachedPrincipal(token);
      try {
        context.principal = cached !== undefined ? cached : await new ApiKeyService(context.em).authenticate(token);
      } catch (error) {
        // Before the request's listeners exist: logged here, so that the line names the request.
        context.logger.error({ err: error }, 'could not authenticate the request');
        const unavailable = databaseUnavailable(error);
        throw unavailable ? unavailableError(unavailable) : error;
      }
    }
    return context;
  }

  /** Runs a request through Apollo; `text`, the body as received, keys its response when it may be kept. */
  async function handleGraphQL(req: http.IncomingMessage, res: http.ServerResponse, body: unknown, requestId: string, text?: string): Promise<void> {
    let response: HTTPGraphQLResponse;
    let context: Context | undefined;
    try {
      const headers = new HeaderMap();
      for (const [key, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
      }
      // A key travels as a Bearer token, which no browser adds by itself: a GET carrying one was made by a script, which
      // the browser preflights across sites, so it cannot be forged, and clients may send queries by GET with no other
      // header. (Credentials a browser does add by itself, Basic or cookies, do not count.) A POST that is not JSON (a
      // multipart upload) needs Apollo-Require-Preflight whatever it carries, as the API's contract says.
      if (req.method === 'GET' && bearerToken(req.headers.authorization)) headers.set('apollo-require-preflight', 'true');
      const url = req.url ?? '';
      const query = url.indexOf('?');
      response = await apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: (req.method ?? 'GET').toUpperCase(), headers, search: query >= 0 ? url.slice(query) : '', body },
        context: async () => (context = await contextFor(req, requestId)),
      });
    } catch (error) {
      logger.error({ err: error, requestId }, 'graphql request failed');
      if (!res.headersSent) sendError(res, 500, 'INTERNAL_SERVER_ERROR', 'Internal server error');
      return;
    }
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') {
      // Encoded once: written now, and kept as it is when the response may be served again.
      const body = Buffer.from(response.body.string);
      vary(res, VARY);
      let zipped: Buffer | undefined;
      if (gzipsFor(req, body)) zipped = await endGzipped(res, body);
      else {
        res.setHeader('content-length', body.length);
        res.end(body);
      }
      const principal = context?.principal;
      const key = text !== undefined && principal && context!.responseCache.storable && res.statusCode === 200 ? responseCache.keyOf(principal.shopId, req.headers.accept, text) : null;
      if (key !== null) {
        const headers = [...response.headers].filter(([name]) => name !== 'x-request-id' && name !== 'content-length' && name !== 'vary').flat();
        headers.push('content-length', String(body.length));
        responseCache.set(key, { status: 200, headers, body, gzipped: zipped, dependencies: context!.responseCache.dependencies });
      }
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  }

  app.use((req, res, next) => {
    const requestId = requestIdOf(req);
    res.locals.requestId = requestId;
    res.setHeader('x-request-id', requestId);
    next();
  });

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  // A probe answers within READY_WITHIN_MS whatever the database does: a database that accepts connections but
  // does not answer (frozen, its pool taken) is not ready either. One check runs at a time, shared by the probes that
  // come meanwhile, so that probes of such a database do not pile up on the pool.
  let checking: Promise<string> | null = null;
  app.get('/readyz', async (_req, res) => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), READY_WITHIN_MS)));
    const checked = (checking ??= (async () => {
      await orm.em.getConnection().execute('SELECT 1');
      return (await isMigrated(orm)) ? 'ready' : 'migrations pending';
    })()
      .catch(() => 'database unreachable')
      .finally(() => (checking = null)));
    const status = await Promise.race([checked, late]);
    clearTimeout(timer);
    if (status === 'ready') res.json({ status });
    else res.status(503).json({ status: status === 'late' ? 'database not answering' : status });
  });

  // The parser reports a file that reaches its limit (it cannot tell whether more follows): one byte over the largest
  // file accepted.
  const uploads = graphqlUploadExpress({ maxFileSize: config.maxUploadBytes + 1, maxFiles: config.maxUploadFiles, maxFieldSize: 2 * 1024 * 1024 });
  app.use(
    '/graphql',
    // /graphql itself, not the paths below it: a GET, or a POST of JSON or of a multipart upload.
    (req, res, next) => {
      if (req.path !== '/') return sendError(res, 404, 'NOT_FOUND', `Nothing is served at ${req.originalUrl.split('?')[0]}.`);
      if (req.method !== 'GET' && req.method !== 'POST') {
        req.resume();
        res.setHeader('allow', 'GET, POST, OPTIONS');
        return sendError(res, 405, 'METHOD_NOT_ALLOWED', `GraphQL is served by POST, and queries also by GET; not by ${req.method}.`);
      }
      // A persisted query's GET names its query by hash alone (extensions), which Apollo answers.
      if (req.method === 'GET' && req.query.query === undefined && req.query.extensions === undefined && config.env === 'production') {
        return sendError(res, 400, 'BAD_REQUEST', 'Send a GraphQL query: a POST of JSON {"query": ...}, or a GET with ?query=. This server has no playground in production.');
      }
      const type = req.headers['content-type'] ?? '';
      if (req.method === 'POST' && !/^application\/json\s*(;|$)/i.test(type) && !MULTIPART.test(type)) {
        req.resume();
        return sendError(res, 415, 'UNSUPPORTED_MEDIA_TYPE', 'Send GraphQL as application/json, or a multipart/form-data upload.');
      }
      next();
    },
    express.json({
      limit: config.maxJsonBytes,
      // Bytes that are not UTF-8 would be read as U+FFFD and stored so, as on the plain path (readBodyText).
      verify: (_req, _res, body, encoding) => {
        if ((encoding ?? 'utf-8').toLowerCase().replace('-', '') === 'utf8' && !isUtf8(body)) {
          throw Object.assign(new Error('Request body is not valid UTF-8.'), { status: 400, type: 'entity.verify.failed' });
        }
      },
    }),
    // Whatever the upload parser refuses is the request's fault (a body cut off, a broken part): a 400, not a 500.
    (req, res, next) =>
      MULTIPART.test(req.headers['content-type'] ?? '')
        ? (endWithSocket(req), uploads(req, res, (error?: unknown) => next(error === undefined ? undefined : asBadMultipart(error))))
        : next(),
    (req, res, next) => {
      handleGraphQL(req, res, req.body, res.locals.requestId as string).catch(next);
    },
  );

  // Everything else answers in GraphQL's error shape too, so that clients parse one format.
  app.use((_req, res) => sendError(res, 404, 'NOT_FOUND', 'Nothing is served here: GraphQL is at /graphql, health at /healthz and /readyz.'));
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const { status: given, statusCode, expose, message } = error as { status?: number; statusCode?: number; expose?: boolean; message?: string };
    const status = Number(given ?? statusCode ?? 500);
    if (status >= 500 || !Number.isInteger(status)) {
      logger.error({ err: error, requestId: res.locals.requestId }, 'request failed');
      if (!res.headersSent) sendError(res, 500, 'INTERNAL_SERVER_ERROR', 'Internal server error');
      return;
    }
    // A client error names what was wrong with the request; the body is left unread.
    req.resume();
    if (!res.headersSent) sendError(res, status, STATUS_CODES[status] ?? 'BAD_REQUEST', expose === false ? 'Bad request' : bodyProblem(error, req) ?? String(message ?? 'Bad request'));
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, () => resolve());
  });
  const port = (httpServer.address() as AddressInfo).port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;

  return {
    url: `http://${host}:${port}/graphql`,
    port,
    // The drain plugin closes idle connections, waits for requests in flight up to the grace period, then cuts them.
    stop: () => apollo.stop(),
  };
}

/**
 * Ends an upload's request when its connection closes before the body is complete. Once the response is sent (an
 * upload with `wait: false` answers at once), Node no longer tells the request that its socket closed, and the
 * upload parser, which waits for that, would wait forever: the upload would hold its database connection and its run's
 * lock until the process stopped, and stop it from stopping.
 */
function endWithSocket(req: Request): void {
  const socket = req.socket;
  const onClose = () => {
    if (!req.readableEnded && !req.destroyed) req.destroy(Object.assign(new Error('The request was aborted.'), { code: 'ECONNRESET' }));
  };
  socket.once('close', onClose);
  req.once('end', () => socket.off('close', onClose));
  req.once('close', () => socket.off('close', onClose));
}
