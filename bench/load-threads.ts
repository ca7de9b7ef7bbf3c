// The load threads of one benchmark: started once (connections stay open from one run or sweep step to the next),
// each given its share of every run, their progress and results handed back as they are, to be merged.
import { Worker } from 'node:worker_threads';
import { SharedCounters } from './shared-counters.js';
import type { SecondSnapshot } from './measurements.js';
import type { ThreadInit, ThreadMessage, ThreadRun, ThreadRunResult } from './thread-protocol.js';

export interface LoadThreadsOptions {
  origin: string;
  requests: Buffer[];
  threads: number;
  /** Connections each thread may open. */
  maxConnectionsPerThread: number;
  timeoutMs: number;
  noBody: boolean;
}

export interface ThreadProgress {
  completed: number;
  errors: number;
  /** Every closed second the thread has reported so far, in order. */
  seconds: SecondSnapshot[];
}

const threadScript = new URL('./load-thread.js', import.meta.url);

interface Slot {
  worker: Worker;
  /** Resolves once the thread has loaded: plans are timed from then, not from a thread still starting. */
  ready: Promise<void>;
  progress: ThreadProgress;
  settle: ((result: ThreadRunResult | Error) => void) | null;
}

export class LoadThreads {
  readonly counters = new SharedCounters();
  private readonly slots: Slot[];
  private closing: Promise<void> | undefined;
  private aborted = false;

  constructor(options: LoadThreadsOptions) {
    const init: ThreadInit = {
      origin: options.origin,
      requests: options.requests.map((b) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength)),
      maxConnections: options.maxConnectionsPerThread,
      timeoutMs: options.timeoutMs,
      noBody: options.noBody,
      counters: this.counters.buffer,
    };
    this.slots = Array.from({ length: options.threads }, (_, index) => this.startThread(init, index));
  }

  get size(): number {
    return this.slots.length;
  }

  /** Progress of the threads in the current run. */
  progress(): ThreadProgress[] {
    return this.slots.map((s) => s.progress);
  }

  /** Resolves once every thread can take a run; rejects when one failed to start. */
  ready(): Promise<void> {
    return Promise.all(this.slots.map((s) => s.ready)).then(() => undefined);
  }

  /** Runs one plan per thread (plans.length ≤ size) and resolves with every thread's result, in order. Call after ready(). */
  run(plans: ThreadRun[]): Promise<ThreadRunResult[]> {
    this.counters.reset();
    if (this.aborted) this.counters.stop();
    return Promise.all(
      plans.map(
        (plan, i) =>
          new Promise<ThreadRunResult>((resolve, reject) => {
            const slot = this.slots[i];
            slot.progress = { completed: 0, errors: 0, seconds: [] };
            slot.settle = (result) => (result instanceof Error ? reject(result) : resolve(result));
            slot.worker.postMessage({ type: 'run', plan });
          }),
      ),
    );
  }

  /** Stops sending at once and cuts off requests in flight; the current run then resolves with what was measured. */
  abort(): void {
    this.aborted = true;
    this.counters.stop();
    for (const s of this.slots) s.worker.postMessage({ type: 'abort' });
  }

  close(): Promise<void> {
    this.closing ??= Promise.all(
      this.slots.map(async (s) => {
        const exited = new Promise<void>((resolve) => s.worker.once('exit', () => resolve()));
        s.worker.postMessage({ type: 'close' });
        const timer = setTimeout(() => void s.worker.terminate(), 2000);
        await exited;
        clearTimeout(timer);
      }),
    ).then(() => undefined);
    return this.closing;
  }

  private startThread(init: ThreadInit, index: number): Slot {
    const worker = new Worker(threadScript, { workerData: init, name: `vernier-load-${index}` });
    let started!: (err?: Error) => void;
    const ready = new Promise<void>((resolve, reject) => (started = (err) => (err ? reject(err) : resolve())));
    ready.catch(() => undefined); // also reported by the run that waits for it
    const slot: Slot = { worker, ready, progress: { completed: 0, errors: 0, seconds: [] }, settle: null };
    const finish = (result: ThreadRunResult | Error): void => {
      if (result instanceof Error) started(result);
      const settle = slot.settle;
      slot.settle = null;
      settle?.(result);
    };
    worker.on('message', (message: ThreadMessage) => {
      if (message.type === 'ready') started();
      else if (message.type === 'progress') {
        slot.progress.completed = message.completed;
        slot.progress.errors = message.errors;
        slot.progress.seconds.push(...message.seconds);
      } else if (message.type === 'done') finish(message.result);
      else finish(new Error(`load thread ${index} failed: ${message.message}`));
    });
    worker.on('error', (err) => finish(new Error(`load thread ${index} failed: ${err.message}`, { cause: err })));
    worker.on('exit', (code) => finish(new Error(`load thread ${index} exited with code ${code} during a run`)));
    return slot;
  }
}
