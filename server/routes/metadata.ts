// Server and model metadata: GET /v2, /v2/models/{model} and /v2/models/{model}/ready.
import type { Engine } from '../engine/create-engine.js';
import { serverVersion } from '../version.js';
import { errorBody, inAppContext, modelParams, unknownModel, type ModelParams, type Lifecycle } from './shared.js';

export interface MetadataRoutesOptions {
  engine: Engine;
  modelName: string;
  lifecycle: Lifecycle;
}

const tensorSpec = {
  type: 'object',
  properties: { name: { type: 'string' }, datatype: { type: 'string' }, shape: { type: 'array', items: { type: 'integer' } } },
} as const;

export const metadataRoutes = inAppContext<MetadataRoutesOptions>(async function metadataRoutes(app, { engine, modelName, lifecycle }) {
  const scheduler = engine.scheduler;

  app.get('/v2', { schema: { response: { 200: { type: 'object', properties: { name: { type: 'string' }, version: { type: 'string' }, extensions: { type: 'array', items: { type: 'string' } } } } } } }, async () => ({
    name: 'vernier',
    version: serverVersion,
    extensions: ['binary_tensor_data', 'vernier_strategy'],
  }));

  app.get<{ Params: ModelParams }>(
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
      if (request.params.model !== modelName) return unknownModel(reply, request.params.model, modelName);
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

  app.get<{ Params: ModelParams }>(
    '/v2/models/:model/ready',
    { schema: { params: modelParams, response: { 200: { type: 'object', properties: { name: { type: 'string' }, ready: { type: 'boolean' } } }, 404: errorBody, 503: errorBody } } },
    async (request, reply) => {
      if (request.params.model !== modelName) return unknownModel(reply, request.params.model, modelName);
      if (!lifecycle.ready || !scheduler.healthy) return reply.code(503).send({ error: `model '${modelName}' is not ready` });
      return { name: modelName, ready: true };
    },
  );
});
