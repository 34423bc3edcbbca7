import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import type { Context } from '../graphql/context';
import { isUnexpected } from '../graphql/format-error';
import type { Logger } from '../logger';

/** Unexpected errors, logged in full with the request's id (the response never shows them: see format-error.ts). */
const errorLog: GraphQLRequestListener<Context> = {
  async didEncounterErrors({ contextValue: ctx, errors }) {
    for (const error of errors) {
      if (isUnexpected(error)) ctx.logger.error({ err: error.originalError ?? error, path: error.path }, 'unexpected error');
    }
  },
};

/**
 * One structured line per GraphQL request: id, operation, shop, duration and outcome, and one per unexpected
 * error. When the level leaves info out, requests get only the error listener (the level is read per request, so
 * that it can be changed live).
 */
export function requestLogPlugin(logger: Logger): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ request }) {
      if (!logger.isLevelEnabled('info')) return errorLog;
      const started = process.hrtime.bigint();
      return {
        ...errorLog,
        async willSendResponse({ contextValue: ctx, operationName, errors }) {
          ctx.logger.info(
            {
              operation: operationName ?? request.operationName ?? null,
              shop: ctx.principal?.shopId ?? null,
              durationMs: Number(process.hrtime.bigint() - started) / 1e6,
              errors: errors?.length ?? 0,
            },
            'graphql request',
          );
        },
      };
    },
  };
}
