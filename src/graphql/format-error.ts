import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Logger } from '../logger';
import { DomainError } from './user-error';

/**
 * The one place where errors become responses. Expected failures (DomainError) keep their message and code;
 * GraphQL's own errors (validation, auth, limits) pass through; anything else is logged in full and, outside
 * development, reported without internals.
 */
export function createErrorFormatter(logger: Logger, exposeInternals: boolean) {
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
    logger.error({ err: original, path: formatted.path }, 'unexpected error');
    if (exposeInternals) return formatted;
    return { message: 'Internal server error', path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}
