import Fastify, { LogController, type FastifyError, type FastifyInstance } from 'fastify';
import type { Engine } from './engine/create-engine.js';
import type { ServerMetrics } from './metrics.js';
import { healthRoutes } from './routes/health.js';
import { inferenceRoutes } from './routes/inference.js';
import { metadataRoutes } from './routes/metadata.js';
import { metricsRoutes } from './routes/metrics.js';
import type { Lifecycle } from './routes/shared.js';

export interface AppOptions {
  engine: Engine;
  modelName: string;
  metrics: ServerMetrics;
  bodyLimitBytes: number;
  /** Longest time to receive a request body. */
  requestTimeoutMs: number;
  logLevel?: string;
}

export type { Lifecycle };

export function buildApp(options: AppOptions, lifecycle: Lifecycle = { ready: true }): FastifyInstance {
  const { engine, modelName, metrics } = options;
  const app = Fastify({
    bodyLimit: options.bodyLimitBytes,
    requestTimeout: options.requestTimeoutMs,
    logger: options.logLevel && options.logLevel !== 'silent' ? { level: options.logLevel } : false,
    logController: new LogController({ disableRequestLogging: true }),
    // The prototype-poisoning scan runs two regular expressions over every JSON body: ~0.3 ms of the main thread
    // for a 48,000-float tensor (measured with --cpu-prof). It guards code that merges request objects into others;
    // this server only reads named fields of the parsed body (protocol.ts), so a "__proto__" key stays inert data.
    onProtoPoisoning: 'ignore',
    onConstructorPoisoning: 'ignore',
  });

  // Binary tensor extension bodies (and any other content type) arrive as raw bytes.
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.setErrorHandler((err: FastifyError, request, reply) => {
    const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
    if (status >= 500) request.log.error({ err }, 'request failed');
    const message =
      err.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
        ? `request body is larger than the server's limit of ${options.bodyLimitBytes} bytes (--max-body-bytes)`
        : err.message;
    return reply.code(status).send({ error: message });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: `no route ${request.method} ${request.url}; the API is the Open Inference Protocol v2 under /v2` }),
  );
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.requestDuration.observe({ route, method: request.method, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });

  app.register(healthRoutes, { scheduler: engine.scheduler, lifecycle });
  app.register(metadataRoutes, { engine, modelName, lifecycle });
  app.register(inferenceRoutes, { engine, modelName, metrics });
  app.register(metricsRoutes, { metrics });

  return app;
}
