import { Worker } from 'node:worker_threads';
import type { ModelKind, ServedModel } from '../model-kind.js';
import type { ModelSignature } from '../model-signature.js';
import type { BatchInputs, Executor, RunResult } from './executor.js';
import type { SessionSettings } from './session-options.js';
import type { WorkerReply, WorkerRequest } from './session-worker.js';

type Waiter = { resolve: (r: RunResult) => void; reject: (e: Error) => void };

/** An onnxruntime session in a worker thread; inputs and outputs cross as transferred buffers, not copies. */
export class WorkerExecutor implements Executor {
  private nextId = 0;
  private readonly waiting = new Map<number, Waiter>();
  private exited = false;
  readonly signature: ModelSignature;
  readonly kind: ModelKind;

  private constructor(
    private readonly worker: Worker,
    model: ServedModel,
  ) {
    this.signature = model.signature;
    this.kind = model.kind;
    worker.on('message', (reply: WorkerReply) => this.settle(reply));
    worker.on('error', (err) => this.failAll(err));
    worker.on('exit', (code) => {
      this.exited = true;
      this.failAll(new Error(`inference worker exited with code ${code}`));
    });
  }

  static async start(settings: SessionSettings): Promise<WorkerExecutor> {
    const worker = new Worker(new URL('./session-worker.js', import.meta.url), { workerData: settings });
    const model = await new Promise<ServedModel>((resolve, reject) => {
      const onExit = (code: number) => reject(new Error(`inference worker exited with code ${code} while loading ${settings.modelPath}`));
      worker.once('error', reject);
      worker.once('exit', onExit);
      worker.once('message', (reply: WorkerReply) => {
        worker.off('error', reject);
        worker.off('exit', onExit);
        if (reply.type === 'ready') resolve(reply.model);
        else reject(new Error(`cannot load model ${settings.modelPath}: ${reply.type === 'load-failed' ? reply.message : reply.type}`));
      });
    }).catch(async (err) => {
      await worker.terminate();
      throw err;
    });
    return new WorkerExecutor(worker, model);
  }

  get alive(): boolean {
    return !this.exited;
  }

  run(inputs: BatchInputs): Promise<RunResult> {
    if (this.exited) return Promise.reject(new Error('inference worker is not running'));
    const id = this.nextId++;
    const buffers = Object.values(inputs).flatMap((input) => input.parts.map((p) => p.buffer as ArrayBuffer));
    return new Promise<RunResult>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ id, inputs } satisfies WorkerRequest, [...new Set(buffers)]);
    });
  }

  private settle(reply: WorkerReply): void {
    if (reply.type !== 'result' && reply.type !== 'run-failed') return;
    const waiter = this.waiting.get(reply.id);
    if (!waiter) return;
    this.waiting.delete(reply.id);
    if (reply.type === 'result') waiter.resolve({ outputs: reply.outputs, inferenceMs: reply.inferenceMs });
    else waiter.reject(new Error(`inference failed: ${reply.message}`));
  }

  private failAll(err: Error): void {
    for (const waiter of this.waiting.values()) waiter.reject(err);
    this.waiting.clear();
  }

  async close(): Promise<void> {
    this.exited = true;
    await this.worker.terminate();
  }
}
