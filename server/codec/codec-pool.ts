// The HTTP thread's side of the codec threads: large bodies are decoded, and large answers encoded, off the event
// loop; small ones inline, where handing them over would cost the HTTP thread more than the work itself.
import { Worker } from 'node:worker_threads';
import { elementCount, ownedCopy, type NamedTensors } from '../datatypes.js';
import type { Strategy } from '../engine/strategy.js';
import { encodeResponse, RequestError, type AnswerShape, type EncodedResponse, type InferRequest } from '../protocol.js';
import type { CodecJob, CodecReply, CodecSettings } from './codec-worker.js';
import { decodeInferBody, type BodyHeaders } from './infer-body.js';

/**
 * Bodies from this size on are decoded in a codec thread. Below it, a hand-over (two messages and their events)
 * costs the HTTP thread more CPU than decoding (measured with bench:server: mlp's 95-byte JSON body).
 */
export const OFF_THREAD_MIN_BODY_BYTES = 16 * 1024;
/** Answers with this many output elements or more are encoded in a codec thread. */
export const OFF_THREAD_MIN_OUTPUT_ELEMENTS = 4 * 1024;

/**
 * Codec threads for a strategy: none for `inline` (the event-loop baseline), else one per core, up to 8: decoding
 * scales with the cores, and an idle codec thread costs nothing but its memory (~10 MiB).
 */
export function codecThreadsFor(strategy: Strategy, cores: number): number {
  return strategy === 'inline' ? 0 : Math.max(1, Math.min(cores, 8));
}

type Waiter = { resolve: (reply: CodecReply) => void; reject: (err: Error) => void };

class CodecThread {
  readonly waiting = new Map<number, Waiter>();
  alive = true;

  constructor(readonly worker: Worker) {
    worker.on('message', (reply: CodecReply) => {
      const waiter = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      waiter?.resolve(reply);
    });
    const fail = (err: Error) => {
      this.alive = false;
      for (const w of this.waiting.values()) w.reject(err);
      this.waiting.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`codec thread exited with code ${code}`)));
  }
}

export class CodecPool {
  private nextId = 0;
  private readonly threads: CodecThread[];

  /** `threads` 0: everything inline (the `inline` strategy, which runs on the event loop by design). */
  constructor(
    private readonly settings: CodecSettings,
    threads: number,
  ) {
    this.threads = Array.from({ length: threads }, () => new CodecThread(new Worker(new URL('./codec-worker.js', import.meta.url), { workerData: settings })));
  }

  async decode(body: unknown, headers: BodyHeaders): Promise<InferRequest> {
    const thread = body instanceof Uint8Array && body.byteLength >= OFF_THREAD_MIN_BODY_BYTES ? this.leastBusy() : undefined;
    if (!thread) return decodeInferBody(body, headers, this.settings);
    const bytes = body as Uint8Array;
    // A body in a buffer of its own moves over; one that shares its memory (Node's pool) is copied.
    const own = ownedCopy(bytes) as Uint8Array;
    const reply = await this.send(thread, { id: this.nextId++, op: 'decode', body: own, headers }, [own.buffer as ArrayBuffer]);
    if (reply.op !== 'decode') throw new Error('codec thread answered a decode with something else');
    // Structured cloning gives the inputs a prototype again: names such as '__proto__' stay plain keys only without one.
    return { ...reply.request, inputs: Object.assign(Object.create(null) as NamedTensors, reply.request.inputs) };
  }

  async encode(request: AnswerShape, outputs: NamedTensors): Promise<EncodedResponse> {
    const elements = request.outputs.reduce((n, name) => n + elementCount(outputs[name].shape), 0);
    const thread = elements >= OFF_THREAD_MIN_OUTPUT_ELEMENTS ? this.leastBusy() : undefined;
    if (!thread) return encodeResponse(this.settings.modelName, request, outputs);
    // The outputs are views into their batch's result, which other requests' answers share: copies move over.
    const owned: NamedTensors = {};
    for (const name of request.outputs) owned[name] = { ...outputs[name], data: outputs[name].data.slice() };
    const transfer = Object.values(owned).map((t) => t.data.buffer as ArrayBuffer);
    const reply = await this.send(thread, { id: this.nextId++, op: 'encode', request, outputs: owned }, transfer);
    if (reply.op !== 'encode') throw new Error('codec thread answered an encode with something else');
    return { body: Buffer.from(reply.body.buffer, reply.body.byteOffset, reply.body.byteLength), contentType: reply.contentType, headerLength: reply.headerLength };
  }

  async close(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
  }

  /** The live thread with the fewest jobs, or none (all died: the work is done inline rather than refused). */
  private leastBusy(): CodecThread | undefined {
    let best: CodecThread | undefined;
    for (const t of this.threads) if (t.alive && (!best || t.waiting.size < best.waiting.size)) best = t;
    return best;
  }

  private async send(thread: CodecThread, job: CodecJob, transfer: ArrayBuffer[]): Promise<Extract<CodecReply, { ok: true }>> {
    const reply = await new Promise<CodecReply>((resolve, reject) => {
      thread.waiting.set(job.id, { resolve, reject });
      thread.worker.postMessage(job, transfer);
    });
    if (!reply.ok) throw new RequestError(reply.message, reply.statusCode);
    return reply;
  }
}
