import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { DomainError } from './user-error';

/**
 * Whether an error is a failure of the server rather than of the request: not an expected failure (DomainError),
 * nor one with a code of its own (Apollo's errors about the request, syntax, validation, variables and operation
 * name, which wrap graphql-js's; auth; limits).
 */
export function isUnexpected(error: unknown): boolean {
  const own = error instanceof GraphQLError ? error.extensions?.code : undefined;
  if (typeof own === 'string' && own !== 'INTERNAL_SERVER_ERROR') return false;
  const original = error instanceof GraphQLError && error.originalError ? error.originalError : error;
  if (original instanceof DomainError || isRequestMistake(original)) return false;
  const code = original instanceof GraphQLError ? original.extensions?.code : undefined;
  return typeof code !== 'string' || code === 'INTERNAL_SERVER_ERROR';
}

/**
 * An error Apollo raises about the request with a 4xx status and no code (a persisted query's hash that does not match
 * its text, an unsupported persisted-query version): the client's mistake.
 */
function isRequestMistake(error: unknown): boolean {
  if (!(error instanceof GraphQLError) || error.extensions?.code !== undefined) return false;
  const status = (error.extensions?.http as { status?: number } | undefined)?.status;
  return typeof status === 'number' && status >= 400 && status < 500;
}

/**
 * PostgreSQL's codes for a server shutting down or starting, a connection that failed or was lost, and a database
 * that is not there (dropped, or renamed).
 */
const DATABASE_DOWN_CODES = new Set(['57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006', '3D000']);

/**
 * Whether an error says the database cannot take the request now, and why: `busy` when its pool has no free
 * connection in time or the server has no connection slot left, `down` when it cannot be reached (connections refused,
 * lost, or the server shutting down). Either way nothing about the request was wrong, and it may be tried again.
 * (A connection reset is left out: an upload's client resetting its own connection looks the same.)
 */
export function databaseUnavailable(error: unknown): 'busy' | 'down' | null {
  const { name, code, message } = (error ?? {}) as { name?: string; code?: string; message?: string };
  if (name === 'KnexTimeoutError' || code === '53300' /* too_many_connections */ || /Timeout acquiring a connection/.test(message ?? '')) return 'busy';
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH' || (code && DATABASE_DOWN_CODES.has(code))) return 'down';
  return /^Connection terminated/.test(message ?? '') ? 'down' : null;
}

export const UNAVAILABLE_MESSAGES = {
  busy: 'The server is busy: no database connection came free in time. Nothing was done; try again in a moment.',
  down: 'The server cannot reach its database right now; try again in a moment.',
} as const;

/** The error a request gets when the database cannot take it (see databaseUnavailable): a 503, which clients may retry. */
export function unavailableError(why: 'busy' | 'down'): GraphQLError {
  return new GraphQLError(UNAVAILABLE_MESSAGES[why], { extensions: { code: 'SERVICE_UNAVAILABLE', http: { status: 503 } } });
}

/**
 * Messages of Apollo and graphql-js that say nothing a client can act on, or how to configure the server it calls,
 * in the API's own words.
 */
function ownWords(message: string): string {
  if (message.startsWith('GraphQL introspection is not allowed')) {
    return 'Introspection is off on this server: the schema is published with the API, as schema.graphql.';
  }
  // graphql-js stops comparing a selection's fields with one another past a budget.
  if (message === 'Validation aborted.') {
    return 'The query was not checked: it repeats the same fields too many times in one selection. Ask for each field once.';
  }
  return bounded(message);
}

const MESSAGE_CHARS = 1_000;

/** graphql-js quotes the values and names it refuses in full: an error about a huge value would repeat it. */
function bounded(message: string): string {
  if (message.length <= MESSAGE_CHARS) return message;
  return `${message.slice(0, MESSAGE_CHARS)}… (${message.length - MESSAGE_CHARS} more characters left out)`;
}

/**
 * The one place where errors become responses. Expected failures (DomainError) keep their message and code;
 * GraphQL's own errors (validation, auth, limits) pass through; anything else is reported without internals, in every
 * mode: a server started without NODE_ENV is as likely to face the internet as one started with it. Unexpected errors
 * are logged with their request id (the response's `x-request-id`) and stack by the request log (http/request-log.ts).
 */
export function createErrorFormatter() {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (original instanceof DomainError) {
      return {
        message: original.message,
        path: formatted.path,
        locations: formatted.locations,
        extensions: { code: 'BAD_USER_INPUT', reason: original.code, userErrors: original.errors },
      };
    }
    // Apollo prefixes the message of an error thrown while making the context ("Context creation failed: ...").
    const unavailable = databaseUnavailable(original);
    if (unavailable) return { message: UNAVAILABLE_MESSAGES[unavailable], path: formatted.path, extensions: { code: 'SERVICE_UNAVAILABLE' } };
    if (formatted.extensions?.code === 'SERVICE_UNAVAILABLE') {
      const message = Object.values(UNAVAILABLE_MESSAGES).find((m) => formatted.message.endsWith(m)) ?? UNAVAILABLE_MESSAGES.busy;
      return { message, path: formatted.path, extensions: { code: 'SERVICE_UNAVAILABLE' } };
    }
    if (isRequestMistake(original)) return { message: formatted.message, extensions: { code: 'BAD_REQUEST' } };
    const code = formatted.extensions?.code;
    const isGraphQLOwn = original instanceof GraphQLError && code !== undefined && code !== 'INTERNAL_SERVER_ERROR';
    if (isGraphQLOwn || (typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR')) {
      const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, message: ownWords(formatted.message), extensions };
    }
    return { message: 'Internal server error', path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}
