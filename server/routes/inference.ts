// Inference: POST /v2/models/{model}/infer, with JSON tensors or the binary tensor extension.
import type { Engine } from '../engine/create-engine.js';
import { QueueFullError, QueueTimeoutError } from '../engine/scheduler.js';
import type { ServerMetrics } from '../metrics.js';
import { decodeBinaryRequest, decodeJsonRequest, encodeResponse, RequestError, type InferRequest } from '../protocol.js';
import { inAppContext, modelParams, unknownModel, type ModelParams } from './shared.js';

export interface InferenceRoutesOptions {
  engine: Engine;
  modelName: string;
  metrics: ServerMetrics;
}

export const inferenceRoutes = inAppContext<InferenceRoutesOptions>(async function inferenceRoutes(app, { engine, modelName, metrics }) {
  const scheduler = engine.scheduler;

  // The body is validated by the protocol decoder, which knows the model's inputs.
  app.post<{ Params: ModelParams }>('/v2/models/:model/infer', { schema: { params: modelParams } }, async (request, reply) => {
    if (request.params.model !== modelName) return unknownModel(reply, request.params.model, modelName);
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
});

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
