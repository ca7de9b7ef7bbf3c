// Text Embeddings Inference's route: POST /embed, with TEI's request, answer and errors, so its clients work unchanged.
import type { FastifyRequest } from 'fastify';
import type { Engine } from '../engine/create-engine.js';
import { OverloadedError, QueueFullError, QueueTimeoutError } from '../engine/scheduler.js';
import type { ServerMetrics } from '../metrics.js';
import { embeddingOutputName, normOutputName, textInputName, tokenCountOutputName, type TextEmbeddingKind } from '../model-kind.js';
import { RequestError } from '../protocol.js';
import { encodeBytesElements, isWellFormedText } from '../text/bytes-elements.js';
import { inAppContext } from './shared.js';

export const embedRouteTemplate = '/embed';

/** TEI's error kinds and the status each is answered with. */
export const teiErrorStatus = { Validation: 413, Tokenizer: 422, Empty: 400, Overloaded: 429, Unhealthy: 503, Backend: 424 } as const;
export type TeiErrorType = keyof typeof teiErrorStatus;

/** A refused /embed request, with TEI's kind of error (which sets its status). */
export class TeiRequestError extends RequestError {
  constructor(
    message: string,
    readonly errorType: TeiErrorType,
    statusCode: number = teiErrorStatus[errorType],
  ) {
    super(message, statusCode);
  }
}

/** TEI's error body; errors raised outside the route (on arrival, in the body parser) get their kind from the status. */
export function teiErrorBody(status: number, message: string, errorType?: TeiErrorType): { error: string; error_type: TeiErrorType } {
  const fromStatus: TeiErrorType = status === 429 || status === 504 ? 'Overloaded' : status === 503 ? 'Unhealthy' : status >= 500 ? 'Backend' : 'Validation';
  return { error: message, error_type: errorType ?? fromStatus };
}

export interface EmbedRequest {
  texts: string[];
  normalize: boolean;
  truncate: boolean;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** TEI's EmbedRequest: `inputs` a string or an array of strings; `normalize` true and `truncate` false unless given. Pure. */
export function readEmbedRequest(body: unknown, maxClientBatchSize: number): EmbedRequest {
  // axum answers a body that is not the request type with 422; TEI's own checks answer 413 (Validation) and 400 (Empty).
  const invalid = (message: string) => new TeiRequestError(message, 'Validation', 422);
  if (!isRecord(body)) throw invalid('request body must be a JSON object such as {"inputs": "text"}');
  const { inputs, normalize = true, truncate = false } = body;
  if (typeof normalize !== 'boolean') throw invalid('`normalize` must be true or false');
  if (typeof truncate !== 'boolean') throw invalid('`truncate` must be true or false');
  const texts = typeof inputs === 'string' ? [inputs] : inputs;
  if (!Array.isArray(texts)) throw invalid('`inputs` must be a string or an array of strings');
  if (texts.length === 0) throw new TeiRequestError('`inputs` cannot be empty', 'Empty');
  if (texts.length > maxClientBatchSize) {
    throw new TeiRequestError(`batch size ${texts.length} > maximum allowed batch size ${maxClientBatchSize}`, 'Validation');
  }
  texts.forEach((t, i) => {
    if (typeof t !== 'string') throw invalid(`\`inputs\`[${i}] must be a string`);
    if (!isWellFormedText(t)) throw invalid(`\`inputs\`[${i}] holds a lone surrogate (such as \\ud800), which is not valid UTF-8 text`);
  });
  return { texts: texts as string[], normalize, truncate };
}

/** The answer's JSON: one array of floats per text. */
function embeddingsJson(data: Float32Array, dim: number): string {
  const rows: string[] = [];
  for (let r = 0; r < data.length / dim; r++) rows.push(JSON.stringify(Array.from(data.subarray(r * dim, (r + 1) * dim))));
  return `[${rows.join(',')}]`;
}

export interface EmbedRoutesOptions {
  engine: Engine;
  kind: TextEmbeddingKind;
  metrics: ServerMetrics;
  maxClientBatchSize: number;
  /** Called as a request is submitted to the queue, which counts it from then on (admit-on-arrival.ts). */
  submitted: (request: FastifyRequest) => void;
}

const teiError = {
  type: 'object',
  properties: { error: { type: 'string' }, error_type: { type: 'string' } },
  required: ['error', 'error_type'],
} as const;
const embeddings = { type: 'array', items: { type: 'array', items: { type: 'number' } } } as const;

export const embedRoutes = inAppContext<EmbedRoutesOptions>(async function embedRoutes(app, { engine, kind, metrics, maxClientBatchSize, submitted }) {
  const response = { 200: embeddings, 400: teiError, 413: teiError, 422: teiError, 424: teiError, 429: teiError, 503: teiError };
  app.post(embedRouteTemplate, { schema: { response } }, async (request, reply) => {
    let embed: EmbedRequest;
    try {
      embed = readEmbedRequest(request.body, maxClientBatchSize);
    } catch (err) {
      metrics.rejected.inc({ reason: 'invalid' });
      throw err;
    }
    const rows = embed.texts.length;
    metrics.inFlight.inc();
    try {
      submitted(request);
      const scheduled = await engine.scheduler.submit({ [textInputName]: { datatype: 'BYTES', shape: [rows], data: encodeBytesElements(embed.texts) } }, rows);
      metrics.queueWait.observe(scheduled.queueMs / 1000);
      const counts = scheduled.outputs[tokenCountOutputName].data as Int32Array;
      const longest = counts.reduce((a, b) => Math.max(a, b), 0);
      if (!embed.truncate && longest > kind.maxTokens) {
        metrics.rejected.inc({ reason: 'invalid' });
        throw new TeiRequestError(`\`inputs\` must have less than ${kind.maxTokens} tokens. Given: ${longest}`, 'Validation');
      }
      const embedding = scheduled.outputs[embeddingOutputName].data as Float32Array;
      const vectors = embed.normalize ? embedding : denormalized(embedding, scheduled.outputs[normOutputName].data as Float32Array, kind.dimension);
      return reply
        .header('content-type', 'application/json')
        .header('x-queue-time-ms', scheduled.queueMs.toFixed(3))
        .header('x-inference-time-ms', scheduled.inferenceMs.toFixed(3))
        .header('x-batch-rows', String(scheduled.batchRows))
        .send(embeddingsJson(vectors, kind.dimension));
    } catch (err) {
      if (err instanceof QueueFullError || err instanceof OverloadedError) {
        metrics.rejected.inc({ reason: err instanceof QueueFullError ? 'queue_full' : 'overloaded' });
        return reply.code(429).header('retry-after', String(err.retryAfterSeconds)).send(teiErrorBody(429, err.message, 'Overloaded'));
      }
      if (err instanceof QueueTimeoutError) {
        metrics.rejected.inc({ reason: 'queue_timeout' });
        return reply.code(429).send(teiErrorBody(429, err.message, 'Overloaded'));
      }
      throw err;
    } finally {
      metrics.inFlight.dec();
    }
  });
});

/** The mean-pooled vectors before normalisation, for `normalize: false`. */
function denormalized(unit: Float32Array, norms: Float32Array, dim: number): Float32Array {
  const out = new Float32Array(unit.length);
  for (let i = 0; i < unit.length; i++) out[i] = unit[i] * norms[Math.floor(i / dim)];
  return out;
}
