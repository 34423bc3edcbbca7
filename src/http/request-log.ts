import type { ApolloServerPlugin } from '@apollo/server';
import type { Context } from '../graphql/context';
import type { Logger } from '../logger';

/**
 * One structured line per GraphQL request: id, operation, shop, duration and outcome. When the level leaves
 * info out, requests get no listener at all (the level is read per request, so that it can be changed live).
 */
export function requestLogPlugin(logger: Logger): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ request }) {
      if (!logger.isLevelEnabled('info')) return;
      const started = process.hrtime.bigint();
      return {
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
