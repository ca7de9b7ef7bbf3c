// Inference: POST /v2/models/{model}[/versions/{version}]/infer, with JSON tensors or the binary tensor extension.
import type { FastifyRequest } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';
import type { CodecPool } from '../codec/codec-pool.js';
import { mediaTypeOf } from '../codec/infer-body.js';
import type { Engine } from '../engine/create-engine.js';
import { QueueFullError, QueueTimeoutError } from '../engine/scheduler.js';
import type { ServerMetrics } from '../metrics.js';
import { readHeaderLength, RequestError, type InferRequest } from '../protocol.js';
import { inAppContext, modelParams, notServed, type ModelParams } from './shared.js';

export interface InferenceRoutesOptions {
  engine: Engine;
  modelName: string;
  metrics: ServerMetrics;
  /** Decodes bodies and encodes answers, off the HTTP thread when they are large. */
  codec: CodecPool;
  /** Called as a request is submitted to the queue, which counts it from then on (admit-on-arrival.ts). */
  submitted: (request: FastifyRequest) => void;
}

const binaryHeader = 'inference-header-content-length';

/**
 * The inference routes' templates, which label their requests in the metrics: the versioned one serves the same model.
 * Whatever selects inference requests by route (admission on arrival, the autoscaler) should take both.
 */
export const inferenceRouteTemplates = ['/v2/models/:model/infer', '/v2/models/:model/versions/:version/infer'] as const;

export const inferenceRoutes = inAppContext<InferenceRoutesOptions>(async function inferenceRoutes(app, { engine, modelName, metrics, codec, submitted }) {
  const scheduler = engine.scheduler;

  // Runs before the body is parsed: binary tensor data labelled application/json would fail as invalid JSON, a
  // message that hides the real mistake.
  const refuseBinaryBodyAsJson = async (request: FastifyRequest): Promise<void> => {
    const refusal = binaryBodyAsJsonRefusal(request.headers);
    if (refusal === undefined) return;
    metrics.rejected.inc({ reason: 'invalid' });
    throw refusal;
  };

  // The body is validated by the protocol decoder, which knows the model's inputs.
  for (const url of inferenceRouteTemplates) {
    app.post<{ Params: ModelParams }>(url, { schema: { params: modelParams }, onRequest: refuseBinaryBodyAsJson }, async (request, reply) => {
      const missing = notServed(request.params, modelName);
      if (missing) return reply.code(404).send({ error: missing });
      const received = performance.now();
      let decoded: InferRequest;
      try {
        decoded = await codec.decode(request.body, { contentType: request.headers['content-type'], headerLength: request.headers[binaryHeader] });
      } catch (err) {
        metrics.rejected.inc({ reason: 'invalid' });
        throw err;
      }
      metrics.inFlight.inc();
      try {
        submitted(request);
        const scheduled = await scheduler.submit(decoded.inputs, decoded.rows);
        metrics.queueWait.observe(scheduled.queueMs / 1000);
        const encoded = await codec.encode(decoded, scheduled.outputs);
        reply
          .header('content-type', encoded.contentType)
          .header('x-queue-time-ms', scheduled.queueMs.toFixed(3))
          .header('x-inference-time-ms', scheduled.inferenceMs.toFixed(3))
          .header('x-batch-rows', String(scheduled.batchRows))
          .header('x-total-time-ms', (performance.now() - received).toFixed(3));
        if (encoded.headerLength !== undefined) reply.header(binaryHeader, String(encoded.headerLength));
        return reply.send(encoded.body);
      } catch (err) {
        if (err instanceof QueueFullError) {
          metrics.rejected.inc({ reason: 'queue_full' });
          return reply.code(503).header('retry-after', String(err.retryAfterSeconds)).send({ error: err.message });
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
  }
});

/** The error for headers that announce binary tensor data after the JSON header but label the body application/json. */
function binaryBodyAsJsonRefusal(headers: IncomingHttpHeaders): RequestError | undefined {
  const headerLength = headers[binaryHeader];
  if (headerLength === undefined || mediaTypeOf(headers['content-type']) !== 'application/json') return undefined;
  // A compressed body's length says nothing of the JSON's; the decoder judges it once inflated.
  if ((headers['content-encoding'] ?? 'identity') !== 'identity') return undefined;
  let length: number;
  try {
    length = readHeaderLength(headerLength);
  } catch (err) {
    return err as RequestError;
  }
  // A header as long as the whole body is JSON alone, which application/json describes truly.
  if (String(length) === headers['content-length']) return undefined;
  return new RequestError(
    'Inference-Header-Content-Length says binary tensor data follows the JSON header, but the content type is application/json; ' +
      'send the body as application/octet-stream',
  );
}
