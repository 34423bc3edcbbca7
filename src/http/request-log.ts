import type { ApolloServerPlugin } from '@apollo/server';
import type { Context } from '../graphql/context';

/** One structured line per GraphQL request: id, operation, shop, duration and outcome. */
export const requestLogPlugin: ApolloServerPlugin<Context> = {
  async requestDidStart({ request }) {
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
