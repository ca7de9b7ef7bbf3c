import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import type { Engine } from './engine/create-engine.js';
import { QueueFullError, QueueTimeoutError } from './engine/scheduler.js';
import type { ServerMetrics } from './metrics.js';
import { decodeBinaryRequest, decodeJsonRequest, encodeResponse, RequestError, type InferRequest } from './protocol.js';
import { serverVersion } from './version.js';

export interface AppOptions {
  engine: Engine;
  modelName: string;
  metrics: ServerMetrics;
  bodyLimitBytes: number;
  /** Longest time to receive a request body. */
  requestTimeoutMs: number;
  logLevel?: string;
}

/** Readiness the process controls: false from the moment shutdown begins. */
export interface Lifecycle {
  ready: boolean;
}

const errorBody = { type: 'object', properties: { error: { type: 'string' } }, required: ['error'] } as const;
const modelParams = { type: 'object', properties: { model: { type: 'string' } }, required: ['model'] } as const;
const tensorSpec = {
  type: 'object',
  properties: { name: { type: 'string' }, datatype: { type: 'string' }, shape: { type: 'array', items: { type: 'integer' } } },
} as const;

export function buildApp(options: AppOptions, lifecycle: Lifecycle = { ready: true }): FastifyInstance {
  const { engine, modelName, metrics } = options;
  const scheduler = engine.scheduler;
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

  const unknownModel = (reply: FastifyReply, name: string) =>
    reply.code(404).send({ error: `unknown model '${name}'; this server serves '${modelName}'` });

  app.get('/v2/health/live', { schema: { response: { 200: { type: 'object', properties: { live: { type: 'boolean' } } }, 503: errorBody } } }, async (_req, reply) =>
    scheduler.healthy ? { live: true } : reply.code(503).send({ error: 'an inference executor has stopped' }),
  );

  app.get('/v2/health/ready', { schema: { response: { 200: { type: 'object', properties: { ready: { type: 'boolean' } } }, 503: errorBody } } }, async (_req, reply) =>
    lifecycle.ready && scheduler.healthy ? { ready: true } : reply.code(503).send({ error: lifecycle.ready ? 'an inference executor has stopped' : 'server is shutting down' }),
  );

  app.get('/v2', { schema: { response: { 200: { type: 'object', properties: { name: { type: 'string' }, version: { type: 'string' }, extensions: { type: 'array', items: { type: 'string' } } } } } } }, async () => ({
    name: 'vernier',
    version: serverVersion,
    extensions: ['binary_tensor_data', 'vernier_strategy'],
  }));

  app.get<{ Params: { model: string } }>(
    '/v2/models/:model',
    {
      schema: {
        params: modelParams,
        response: {
          200: {
            type: 'object',
            properties: {
              name: { type: 'string' },
              versions: { type: 'array', items: { type: 'string' } },
              platform: { type: 'string' },
              inputs: { type: 'array', items: tensorSpec },
              outputs: { type: 'array', items: tensorSpec },
              parameters: { type: 'object', additionalProperties: true },
            },
          },
          404: errorBody,
        },
      },
    },
    async (request, reply) => {
      if (request.params.model !== modelName) return unknownModel(reply, request.params.model);
      return {
        name: modelName,
        versions: ['1'],
        platform: 'onnxruntime_onnx',
        inputs: engine.signature.inputs,
        outputs: engine.signature.outputs,
        parameters: { strategy: engine.strategy, executors: engine.plan.executors, intra_op_threads: engine.plan.intraOpThreads, ...engine.plan.batching },
      };
    },
  );

  app.get<{ Params: { model: string } }>(
    '/v2/models/:model/ready',
    { schema: { params: modelParams, response: { 200: { type: 'object', properties: { name: { type: 'string' }, ready: { type: 'boolean' } } }, 404: errorBody, 503: errorBody } } },
    async (request, reply) => {
      if (request.params.model !== modelName) return unknownModel(reply, request.params.model);
      if (!lifecycle.ready || !scheduler.healthy) return reply.code(503).send({ error: `model '${modelName}' is not ready` });
      return { name: modelName, ready: true };
    },
  );

  // The body is validated by the protocol decoder, which knows the model's inputs.
  app.post<{ Params: { model: string } }>('/v2/models/:model/infer', { schema: { params: modelParams } }, async (request, reply) => {
    if (request.params.model !== modelName) return unknownModel(reply, request.params.model);
    const received = performance.now();
    let decoded: InferRequest;
    try {
      decoded = decode(request.body, request.headers['inference-header-content-length'], engine);
    } catch (err) {
      metrics.rejected.inc({ reason: 'invalid' });
      throw err;
    }
    metrics.inFlight.inc();
    try {
      const scheduled = await scheduler.submit(decoded.inputs, decoded.rows);
      metrics.queueWait.observe(scheduled.queueMs / 1000);
      const encoded = encodeResponse(modelName, decoded, scheduled.outputs);
      reply
        .header('content-type', encoded.contentType)
        .header('x-queue-time-ms', scheduled.queueMs.toFixed(3))
        .header('x-inference-time-ms', scheduled.inferenceMs.toFixed(3))
        .header('x-batch-rows', String(scheduled.batchRows))
        .header('x-total-time-ms', (performance.now() - received).toFixed(3));
      if (encoded.headerLength !== undefined) reply.header('inference-header-content-length', String(encoded.headerLength));
      return reply.send(encoded.body);
    } catch (err) {
      if (err instanceof QueueFullError) {
        metrics.rejected.inc({ reason: 'queue_full' });
        return reply.code(503).header('retry-after', '1').send({ error: err.message });
      }
      if (err instanceof QueueTimeoutError) {
        metrics.rejected.inc({ reason: 'queue_timeout' });
        return reply.code(504).send({ error: err.message });
      }
      throw err;
    } finally {
      metrics.inFlight.dec();
    }
  });

  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });

  return app;
}

function decode(body: unknown, headerLength: string | string[] | undefined, engine: Engine): InferRequest {
  if (Buffer.isBuffer(body)) {
    if (headerLength === undefined) {
      let json: unknown;
      try {
        json = JSON.parse(body.toString('utf8'));
      } catch {
        throw new RequestError('body is neither JSON nor a binary tensor request (no Inference-Header-Content-Length header)');
      }
      return decodeJsonRequest(json, engine.signature);
    }
    return decodeBinaryRequest(body, Number(headerLength), engine.signature);
  }
  return decodeJsonRequest(body, engine.signature);
}
