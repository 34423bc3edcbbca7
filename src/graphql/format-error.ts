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
 * Whether an error says the database cannot take the request now (its pool has no free connection in time, or the
 * server refuses connections): the request may be tried again, and nothing about it was wrong.
 */
export function isDatabaseBusy(error: unknown): boolean {
  const { name, code, message } = (error ?? {}) as { name?: string; code?: string; message?: string };
  return (
    name === 'KnexTimeoutError' ||
    code === 'ECONNREFUSED' ||
    code === '53300' /* too_many_connections */ ||
    code === '57P03' /* cannot_connect_now */ ||
    /Timeout acquiring a connection/.test(message ?? '')
  );
}

export const BUSY_MESSAGE = 'The server is busy: no database connection came free in time. Nothing was done; try again in a moment.';

/** The error a request gets when the database is busy (see isDatabaseBusy): a 503, which clients may retry. */
export function busyError(): GraphQLError {
  return new GraphQLError(BUSY_MESSAGE, { extensions: { code: 'SERVICE_UNAVAILABLE', http: { status: 503 } } });
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
    if (formatted.extensions?.code === 'SERVICE_UNAVAILABLE' || isDatabaseBusy(original)) {
      return { message: BUSY_MESSAGE, path: formatted.path, extensions: { code: 'SERVICE_UNAVAILABLE' } };
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
