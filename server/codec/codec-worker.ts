// Codec thread: decodes inference bodies and encodes large answers, so that the HTTP thread only moves bytes and
// stays prompt for every other request (health probes included) whatever the payloads cost to parse.
import { parentPort, workerData } from 'node:worker_threads';
import { ownedCopy, type NamedTensors } from '../datatypes.js';
import { lowerThreadPriority } from '../engine/thread-priority.js';
import { encodeResponse, RequestError, type AnswerShape, type InferRequest } from '../protocol.js';
import { decodeInferBody, type BodyHeaders, type DecodeContext } from './infer-body.js';

export interface CodecSettings extends DecodeContext {
  modelName: string;
  /** Nice value of the thread (the HTTP thread keeps priority over it). */
  nice: number;
}

export type CodecJob =
  | { id: number; op: 'decode'; body: Uint8Array; headers: BodyHeaders }
  | { id: number; op: 'encode'; request: AnswerShape; outputs: NamedTensors };

export type CodecReply =
  | { id: number; ok: true; op: 'decode'; request: InferRequest }
  | { id: number; ok: true; op: 'encode'; body: Uint8Array; contentType: string; headerLength?: number }
  | { id: number; ok: false; message: string; statusCode: number };

const port = parentPort!;
const settings = workerData as CodecSettings;
lowerThreadPriority(settings.nice);

function handle(job: CodecJob): { reply: CodecReply; transfer: ArrayBuffer[] } {
  if (job.op === 'decode') {
    const request = decodeInferBody(job.body, job.headers, settings);
    // Decoded tensors own their buffers (protocol.ts copies out of the body), so they move back without a copy.
    const transfer = Object.values(request.inputs).map((t) => t.data.buffer as ArrayBuffer);
    return { reply: { id: job.id, ok: true, op: 'decode', request }, transfer: [...new Set(transfer)] };
  }
  const encoded = encodeResponse(settings.modelName, job.request, job.outputs);
  const body = typeof encoded.body === 'string' ? Buffer.from(encoded.body, 'utf8') : encoded.body;
  const owned = ownedCopy(new Uint8Array(body.buffer, body.byteOffset, body.byteLength)) as Uint8Array;
  return {
    reply: { id: job.id, ok: true, op: 'encode', body: owned, contentType: encoded.contentType, headerLength: encoded.headerLength },
    transfer: [owned.buffer as ArrayBuffer],
  };
}

port.on('message', (job: CodecJob) => {
  let result: { reply: CodecReply; transfer: ArrayBuffer[] };
  try {
    result = handle(job);
  } catch (err) {
    const statusCode = err instanceof RequestError ? err.statusCode : 500;
    result = { reply: { id: job.id, ok: false, message: (err as Error).message, statusCode }, transfer: [] };
  }
  port.postMessage(result.reply, result.transfer);
});
