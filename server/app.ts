import fastifyCompress from '@fastify/compress';
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import { admitOnArrival } from './admit-on-arrival.js';
import { answerClientError } from './client-errors.js';
import type { CodecPool } from './codec/codec-pool.js';
import { compressionOptions } from './compression.js';
import type { Engine } from './engine/create-engine.js';
import { OverloadedError, QueueFullError } from './engine/scheduler.js';
import type { ServerMetrics } from './metrics.js';
import { embedRouteTemplate, embedRoutes, teiErrorBody, TeiRequestError } from './routes/embed.js';
import { healthRoutes } from './routes/health.js';
import { inferenceRoutes, inferenceRouteTemplates } from './routes/inference.js';
import { metadataRoutes } from './routes/metadata.js';
import { metricsRoutes } from './routes/metrics.js';
import type { Lifecycle } from './routes/shared.js';

export interface AppOptions {
  engine: Engine;
  modelName: string;
  metrics: ServerMetrics;
  /** Decodes inference bodies and encodes answers (off the HTTP thread when large). */
  codec: CodecPool;
  /** Largest request body, counted after decompression. */
  bodyLimitBytes: number;
  /** Longest time to receive a request, headers and body. */
  requestTimeoutMs: number;
  /** Text-embedding models: the most texts one request may carry. */
  maxClientBatchSize: number;
  /** A connection this old is closed after its next answer (0 or absent: never). */
  maxConnectionAgeMs?: number;
  logLevel?: string;
}

export type { Lifecycle };

/** Readiness, and whether the listener has closed for the drain: from then on new requests are refused. */
export interface ServerLifecycle extends Lifecycle {
  draining: boolean;
}

const json = 'application/json';

export function buildApp(options: AppOptions, lifecycle: ServerLifecycle = { ready: true, draining: false }): FastifyInstance {
  const { engine, modelName, metrics, requestTimeoutMs } = options;
  const app = Fastify({
    bodyLimit: options.bodyLimitBytes,
    requestTimeout: requestTimeoutMs,
    // Node checks request timeouts on a timer (every 30 s by default), and Node 20 holds a request whose headers have
    // arrived to the headers timeout (60 s by default) rather than to requestTimeout: both are tied to the setting.
    http: { requestTimeout: requestTimeoutMs, headersTimeout: requestTimeoutMs, connectionsCheckingInterval: 250 },
    clientErrorHandler: answerClientError(requestTimeoutMs),
    // While draining, requests are refused by the onRequest hook below, in the server's own error shape.
    return503OnClosing: false,
    // These replies skip the onSend hooks; a Buffer keeps fastify from adding a charset to the content type.
    frameworkErrors: (err, _request, reply) =>
      void (reply as FastifyReply).code(err.statusCode ?? 400).header('content-type', json).send(Buffer.from(JSON.stringify({ error: err.message }))),
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
  // So do inference routes' JSON bodies: the codec decodes them, off the HTTP thread when they are large. Other
  // routes' JSON is parsed here as fastify would.
  const parseJson = app.getDefaultJsonParser('ignore', 'ignore');
  const rawJsonRoutes = new Set<string | undefined>(inferenceRouteTemplates);
  app.removeContentTypeParser(json);
  app.addContentTypeParser(json, { parseAs: 'buffer' }, (request, body, done) =>
    rawJsonRoutes.has(request.routeOptions.url) ? done(null, body) : parseJson(request, body.toString('utf8'), done),
  );

  app.setErrorHandler((err: FastifyError & { retryAfterSeconds?: number }, request, reply) => {
    const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
    // Refusals on arrival land here, and so do overload refusals from the queue, which the inference route passes on.
    if (err instanceof OverloadedError) metrics.rejected.inc({ reason: 'overloaded' });
    else if (err instanceof QueueFullError) metrics.rejected.inc({ reason: 'queue_full' });
    else if (status >= 500) request.log.error({ err }, 'request failed');
    if (err.retryAfterSeconds !== undefined) reply.header('retry-after', String(err.retryAfterSeconds));
    const message =
      err.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
        ? `request body is larger than the server's limit of ${options.bodyLimitBytes} bytes (--max-body-bytes)`
        : err.message;
    if (request.routeOptions.url !== embedRouteTemplate) return reply.code(status).send({ error: message });
    // TEI's clients back off on 429, its answer to an overloaded server.
    const teiStatus = err instanceof OverloadedError || err instanceof QueueFullError ? 429 : status;
    return reply.code(teiStatus).send(teiErrorBody(teiStatus, message, err instanceof TeiRequestError ? err.errorType : undefined));
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: `no route ${request.method} ${request.url}; the API is the Open Inference Protocol v2 under /v2` }),
  );
  app.addHook('onRequest', (_request, reply, done) => {
    if (!lifecycle.draining) return done();
    reply.code(503).header('retry-after', '1').send({ error: 'server is shutting down; retry on another replica' });
  });
  const submitted = admitOnArrival(app, engine.scheduler, engine.kind.kind === 'text-embedding' ? [embedRouteTemplate] : []);
  const connectedAt = new WeakMap<object, number>();
  const maxAgeMs = options.maxConnectionAgeMs ?? 0;
  if (maxAgeMs > 0) app.server.on('connection', (socket: object) => connectedAt.set(socket, Date.now()));
  app.addHook('onSend', (request, reply, payload, done) => {
    // JSON is UTF-8 by definition, and KServe's client shows an empty error message for a type with parameters.
    if (reply.getHeader('content-type') === 'application/json; charset=utf-8') reply.header('content-type', json);
    // Once shutdown has begun each answer is the last on its connection, so keep-alive clients move elsewhere.
    if (!lifecycle.ready) reply.header('connection', 'close');
    // A client pooled on one connection would otherwise stay with the first replica it reached, however many are added.
    else if (maxAgeMs > 0 && Date.now() - (connectedAt.get(request.raw.socket) ?? Date.now()) >= maxAgeMs) reply.header('connection', 'close');
    done(null, payload);
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.requestDuration.observe({ route, method: request.method, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });

  app.register(fastifyCompress, compressionOptions(options.bodyLimitBytes));
  app.register(healthRoutes, { scheduler: engine.scheduler, lifecycle });
  app.register(metadataRoutes, { engine, modelName, lifecycle });
  app.register(inferenceRoutes, { engine, modelName, metrics, codec: options.codec, submitted });
  if (engine.kind.kind === 'text-embedding') app.register(embedRoutes, { engine, kind: engine.kind, metrics, maxClientBatchSize: options.maxClientBatchSize, submitted });
  app.register(metricsRoutes, { metrics });

  return app;
}
