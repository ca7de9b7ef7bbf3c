// Server and model metadata: GET /v2, /v2/models/{model}[/versions/{version}] and …/ready.
import type { Engine } from '../engine/create-engine.js';
import { modelVersion } from '../protocol.js';
import { serverVersion } from '../version.js';
import { errorBody, inAppContext, modelParams, notServed, type ModelParams, type Lifecycle } from './shared.js';

export interface MetadataRoutesOptions {
  engine: Engine;
  modelName: string;
  lifecycle: Lifecycle;
}

const tensorSpec = {
  type: 'object',
  properties: { name: { type: 'string' }, datatype: { type: 'string' }, shape: { type: 'array', items: { type: 'integer' } } },
} as const;

const modelMetadata = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    versions: { type: 'array', items: { type: 'string' } },
    platform: { type: 'string' },
    inputs: { type: 'array', items: tensorSpec },
    outputs: { type: 'array', items: tensorSpec },
    parameters: { type: 'object', additionalProperties: true },
  },
} as const;

const modelReady = { type: 'object', properties: { name: { type: 'string' }, ready: { type: 'boolean' } } } as const;

export const metadataRoutes = inAppContext<MetadataRoutesOptions>(async function metadataRoutes(app, { engine, modelName, lifecycle }) {
  const scheduler = engine.scheduler;

  app.get('/v2', { schema: { response: { 200: { type: 'object', properties: { name: { type: 'string' }, version: { type: 'string' }, extensions: { type: 'array', items: { type: 'string' } } } } } } }, async () => ({
    name: 'vernier',
    version: serverVersion,
    extensions: ['binary_tensor_data', 'vernier_strategy'],
  }));

  // The model is served as its one version: the versioned routes answer exactly as the unversioned ones.
  for (const url of ['/v2/models/:model', '/v2/models/:model/versions/:version']) {
    app.get<{ Params: ModelParams }>(url, { schema: { params: modelParams, response: { 200: modelMetadata, 404: errorBody } } }, async (request, reply) => {
      const missing = notServed(request.params, modelName);
      if (missing) return reply.code(404).send({ error: missing });
      return {
        name: modelName,
        versions: [modelVersion],
        platform: 'onnxruntime_onnx',
        inputs: engine.signature.inputs,
        outputs: engine.signature.outputs,
        parameters: {
          strategy: engine.strategy,
          executors: engine.plan.executors,
          intra_op_threads: engine.plan.intraOpThreads,
          ...engine.plan.batching,
          ...(engine.kind.kind === 'text-embedding' ? { model_kind: engine.kind.kind, max_tokens: engine.kind.maxTokens } : {}),
        },
      };
    });
  }

  for (const url of ['/v2/models/:model/ready', '/v2/models/:model/versions/:version/ready']) {
    app.get<{ Params: ModelParams }>(url, { schema: { params: modelParams, response: { 200: modelReady, 404: errorBody, 503: errorBody } } }, async (request, reply) => {
      const missing = notServed(request.params, modelName);
      if (missing) return reply.code(404).send({ error: missing });
      if (!lifecycle.ready || !scheduler.healthy) return reply.code(503).send({ error: `model '${modelName}' is not ready` });
      return { name: modelName, ready: true };
    });
  }
});
