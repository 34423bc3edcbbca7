import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageLocalDefault, ApolloServerPluginLandingPageProductionDefault } from '@apollo/server/plugin/landingPage/default';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import type { GraphQLSchema } from 'graphql';
import { graphqlUploadExpress } from 'graphql-upload-minimal';
import type { Config } from '../config';
import { isMigrated, type Orm } from '../db/orm';
import type { Context } from '../graphql/context';
import { createErrorFormatter } from '../graphql/format-error';
import { authPlugin, complexityPlugin, depthLimit } from '../graphql/guards';
import type { Logger } from '../logger';
import { ApiKeyService } from '../shops/api-key.service';
import { requestLogPlugin } from './request-log';

export interface HttpServer {
  url: string;
  port: number;
  /** Stops accepting connections and lets requests in flight finish (up to the grace period). */
  stop(): Promise<void>;
}

function bearerToken(header: string | undefined): string | null {
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match ? match[1] : null;
}

export async function startHttpServer(options: { config: Config; orm: Orm; schema: GraphQLSchema; logger: Logger }): Promise<HttpServer> {
  const { config, orm, schema, logger } = options;
  const app = express();
  app.disable('x-powered-by');
  const httpServer = http.createServer(app);
  httpServer.requestTimeout = config.requestTimeoutMs;
  httpServer.headersTimeout = 60_000;

  const development = config.env === 'development';
  const apollo = new ApolloServer<Context>({
    schema,
    csrfPrevention: true,
    // The process stops the server itself, after draining, and then the database.
    stopOnTerminationSignals: false,
    introspection: config.env !== 'production',
    includeStacktraceInErrorResponses: development,
    validationRules: [depthLimit(config.maxQueryDepth)],
    formatError: createErrorFormatter(logger, development),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      config.env === 'production' ? ApolloServerPluginLandingPageProductionDefault() : ApolloServerPluginLandingPageLocalDefault({ embed: true }),
      requestLogPlugin,
      authPlugin,
      complexityPlugin(schema, config.maxQueryComplexity),
    ],
  });
  await apollo.start();

  app.use((req, res, next) => {
    const incoming = req.get('x-request-id');
    const requestId = incoming && /^[\w.-]{1,64}$/.test(incoming) ? incoming : crypto.randomUUID();
    res.locals.requestId = requestId;
    res.setHeader('x-request-id', requestId);
    next();
  });

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', async (_req, res) => {
    try {
      await orm.em.getConnection().execute('SELECT 1');
      if (!(await isMigrated(orm))) {
        res.status(503).json({ status: 'migrations pending' });
        return;
      }
      res.json({ status: 'ready' });
    } catch {
      res.status(503).json({ status: 'database unreachable' });
    }
  });

  app.use(
    '/graphql',
    express.json({ limit: config.maxJsonBytes }),
    graphqlUploadExpress({ maxFileSize: config.maxUploadBytes, maxFiles: config.maxUploadFiles, maxFieldSize: 2 * 1024 * 1024 }),
    expressMiddleware(apollo, {
      context: async ({ req, res }): Promise<Context> => {
        const em = orm.em.fork();
        const token = bearerToken(req.get('authorization'));
        const principal = token ? await new ApiKeyService(em).authenticate(token) : null;
        const requestId = res.locals.requestId as string;
        return { em, orm, principal, requestId, logger: logger.child({ requestId }), config, loaders: new Map() };
      },
    }),
  );

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, () => resolve());
  });
  const port = (httpServer.address() as AddressInfo).port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;

  return {
    url: `http://${host}:${port}/graphql`,
    port,
    async stop() {
      const force = setTimeout(() => httpServer.closeAllConnections(), config.shutdownGraceMs);
      force.unref();
      await apollo.stop();
      clearTimeout(force);
    },
  };
}
