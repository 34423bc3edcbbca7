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
  if (original instanceof DomainError) return false;
  const code = original instanceof GraphQLError ? original.extensions?.code : undefined;
  return typeof code !== 'string' || code === 'INTERNAL_SERVER_ERROR';
}

/**
 * The one place where errors become responses. Expected failures (DomainError) keep their message and code;
 * GraphQL's own errors (validation, auth, limits) pass through; anything else is reported without internals
 * outside development. Unexpected errors are logged with their request by the request log (http/request-log.ts).
 */
export function createErrorFormatter(exposeInternals: boolean) {
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
    const code = formatted.extensions?.code;
    const isGraphQLOwn = original instanceof GraphQLError && code !== undefined && code !== 'INTERNAL_SERVER_ERROR';
    if (isGraphQLOwn || (typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR')) {
      const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    if (exposeInternals) return formatted;
    return { message: 'Internal server error', path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}
