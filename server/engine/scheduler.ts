import { BATCH_RUN_BUDGET_MS } from '../../crds/limits.js';
import type { NamedTensors } from '../datatypes.js';
import { expectedWaitMs, fitsWithin, MovingAverage, retryAfterSeconds, type Load } from './admission.js';
import type { BatchInputs, Executor } from './executor.js';
import { sliceRows } from './rows.js';

export interface BatchingPolicy {
  /** A batch closes when it holds this many rows... */
  maxBatchSize: number;
  /** ...or when its oldest request has waited this long for company. */
  maxQueueDelayMs: number;
  /** ...and holds at most this many bytes of input (absent: no such bound). */
  maxInputBytes?: number;
}

export interface SchedulerOptions {
  /** Requests allowed to wait for an executor; one more is refused with QueueFullError. */
  maxQueue: number;
  /**
   * A request still waiting after this long is failed with QueueTimeoutError; one expected to wait and run for more
   * than half of it is refused on arrival with OverloadedError.
   */
  queueTimeoutMs: number;
  batching?: BatchingPolicy;
  /** An executor used only when no other run is in flight (ExecutionPlan.soloIntraOpThreads). */
  solo?: Executor;
  /** Called after each run, for metrics. */
  onRun?: (run: { rows: number; requests: number; inferenceMs: number }) => void;
}

export interface Scheduled {
  outputs: NamedTensors;
  queueMs: number;
  inferenceMs: number;
  /** Rows in the run this request was part of. */
  batchRows: number;
}

export class QueueFullError extends Error {
  readonly statusCode = 503;
  constructor(
    maxQueue: number,
    readonly retryAfterSeconds = 1,
  ) {
    super(`server is at capacity: ${maxQueue} requests are already waiting; retry later`);
  }
}

/** Refused at once: the queue ahead would keep the request too close to its time limit. */
export class OverloadedError extends Error {
  readonly statusCode = 503;
  readonly retryAfterSeconds: number;
  constructor(
    readonly expectedWaitMs: number,
    limitMs: number,
  ) {
    super(
      `server is overloaded: a request now would wait about ${Math.round(expectedWaitMs)} ms for an inference executor, ` +
        `too close to the ${limitMs} ms request timeout (--request-timeout-ms); retry later or elsewhere`,
    );
    this.retryAfterSeconds = retryAfterSeconds(expectedWaitMs);
  }
}

export class QueueTimeoutError extends Error {
  readonly statusCode = 504;
  constructor(ms: number) {
    super(`request waited ${ms} ms for an inference executor and was dropped from the queue`);
  }
}

interface Waiting {
  inputs: NamedTensors;
  rows: number;
  /** Requests with the same key have the same shapes past the first dimension and may share a batch. */
  key: string;
  enqueuedAt: number;
  timer: NodeJS.Timeout;
  resolve: (s: Scheduled) => void;
  reject: (e: Error) => void;
}

function batchKey(inputs: NamedTensors): string {
  return Object.entries(inputs)
    .map(([name, t]) => `${name}:${t.shape.slice(1).join('x')}`)
    .join('|');
}

/** Joins the requests' inputs along the first dimension (the parts travel separately; the executor joins them). */
export function batchInputs(group: { inputs: NamedTensors; rows: number }[]): BatchInputs {
  const joined: BatchInputs = {};
  const rows = group.reduce((n, w) => n + w.rows, 0);
  for (const name of Object.keys(group[0].inputs)) {
    const first = group[0].inputs[name];
    joined[name] = {
      datatype: first.datatype,
      shape: group.length === 1 ? first.shape : [rows, ...first.shape.slice(1)],
      parts: group.map((w) => w.inputs[name].data),
    };
  }
  return joined;
}

/**
 * Picks the next group of queued requests for one run: FIFO, same batch key as the oldest,
 * at most maxBatchSize rows (a single larger request still runs, alone). Pure: indexes into the queue.
 */
export function pickBatch(queue: readonly { rows: number; key: string }[], maxBatchSize: number): number[] {
  if (queue.length === 0) return [];
  const picked = [0];
  let rows = queue[0].rows;
  for (let i = 1; i < queue.length && rows < maxBatchSize; i++) {
    if (queue[i].key === queue[0].key && rows + queue[i].rows <= maxBatchSize) {
      picked.push(i);
      rows += queue[i].rows;
    }
  }
  return picked;
}

/**
 * Whether a batch that is not full should wait for more requests. It waits only while another run is in flight:
 * an idle server never holds a request back (no added latency at light load), and under load the requests that
 * arrive during a run fill the next batch by themselves. Pure.
 */
export function shouldWaitForCompany(batch: {
  rows: number;
  waitedMs: number;
  runsInFlight: number;
  policy: BatchingPolicy;
}): boolean {
  return batch.runsInFlight > 0 && batch.rows < batch.policy.maxBatchSize && batch.waitedMs < batch.policy.maxQueueDelayMs;
}

interface RunInFlight {
  started: number;
  requests: number;
}

// Share of each finished run in the service-time averages: about the last ten runs count.
const serviceTimeWeight = 0.2;

// A request is admitted while its expected wait and run fit in this share of the timeout; the rest absorbs the
// estimate's error, the time to receive the body and to encode the answer.
const admissionShareOfTimeout = 0.5;

/**
 * The most rows the next batch may hold: maxBatchSize, within BATCH_RUN_BUDGET_MS at the measured time per row (none
 * yet: one), and within the policy's input bytes at the oldest request's bytes per row; never less than one. Pure.
 */
export function batchRowLimit(policy: Pick<BatchingPolicy, 'maxBatchSize' | 'maxInputBytes'>, perRowMs: number | undefined, bytesPerRow: number): number {
  if (perRowMs === undefined) return 1;
  const withinTime = Math.floor(BATCH_RUN_BUDGET_MS / Math.max(perRowMs, 1e-6));
  const withinBytes = policy.maxInputBytes === undefined ? Infinity : Math.floor(policy.maxInputBytes / Math.max(bytesPerRow, 1));
  return Math.max(1, Math.min(policy.maxBatchSize, withinTime, withinBytes));
}

function inputBytes(inputs: NamedTensors): number {
  let bytes = 0;
  for (const name in inputs) bytes += inputs[name].data.byteLength;
  return bytes;
}

/** Queues requests, forms batches, and hands them to idle executors. */
export class Scheduler {
  private readonly queue: Waiting[] = [];
  private readonly idle: Executor[];
  private delayTimer?: NodeJS.Timeout;
  private readonly runsInFlight = new Set<RunInFlight>();
  /** Requests admitted on arrival whose bodies are still being read: they will queue behind those already waiting. */
  private arriving = 0;
  private readonly perRequestMs = new MovingAverage(serviceTimeWeight);
  private readonly runMs = new MovingAverage(serviceTimeWeight);
  private readonly perRowMs = new MovingAverage(serviceTimeWeight);

  constructor(
    private readonly executors: Executor[],
    private readonly options: SchedulerOptions,
  ) {
    this.idle = [...executors];
  }

  get queueDepth(): number {
    return this.queue.length;
  }

  get runningRuns(): number {
    return this.runsInFlight.size;
  }

  get healthy(): boolean {
    return this.executors.every((e) => e.alive) && (this.options.solo?.alive ?? true);
  }

  /**
   * The load a request meets with `queued` requests ahead of it. Service times are moving averages of finished runs,
   * raised to what a run still in flight has already taken when that is longer (an executor slowed down or stuck).
   * Before any run has finished there is nothing to go by, and only maxQueue limits the queue.
   */
  private loadWith(queued: number): Load {
    const load = { queued, executors: this.executors.length, perRequestMs: this.perRequestMs.value ?? 0, runMs: this.runMs.value ?? 0 };
    // A session's first run, slowed by its allocations, says little about the runs after it.
    if (this.perRequestMs.value === undefined) return load;
    const now = performance.now();
    for (const run of this.runsInFlight) {
      load.perRequestMs = Math.max(load.perRequestMs, (now - run.started) / run.requests);
      load.runMs = Math.max(load.runMs, now - run.started);
    }
    return load;
  }

  /** Milliseconds a request arriving now is expected to wait for an executor. */
  get expectedWaitMs(): number {
    return expectedWaitMs(this.loadWith(this.queue.length + this.arriving));
  }

  /** Why a request with `queued` requests ahead of it is refused, or undefined when it is admitted. */
  private refusal(queued: number): QueueFullError | OverloadedError | undefined {
    const load = this.loadWith(queued);
    if (queued >= this.options.maxQueue) return new QueueFullError(this.options.maxQueue, retryAfterSeconds(expectedWaitMs(load)));
    // With nothing ahead a request waits at most for a run in flight.
    if (queued > 0 && !fitsWithin(load, this.options.queueTimeoutMs * admissionShareOfTimeout)) {
      return new OverloadedError(expectedWaitMs(load), this.options.queueTimeoutMs);
    }
    return undefined;
  }

  /**
   * Admits a request on arrival, before its body is read, counting those admitted ahead of it whose bodies are still
   * arriving: a refusal then costs no body, and a burst is judged in full rather than by what has reached the queue.
   * Throws QueueFullError or OverloadedError; the function returned gives the place up once the request is submitted
   * or answered (calling it again does nothing).
   */
  admit(): () => void {
    const refused = this.refusal(this.queue.length + this.arriving);
    if (refused) throw refused;
    this.arriving++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.arriving--;
    };
  }

  submit(inputs: NamedTensors, rows: number): Promise<Scheduled> {
    const refused = this.refusal(this.queue.length);
    if (refused) return Promise.reject(refused);
    return new Promise<Scheduled>((resolve, reject) => {
      const waiting: Waiting = {
        inputs,
        rows,
        key: batchKey(inputs),
        enqueuedAt: performance.now(),
        resolve,
        reject,
        timer: setTimeout(() => this.expire(waiting), this.options.queueTimeoutMs),
      };
      this.queue.push(waiting);
      this.dispatch();
    });
  }

  private expire(waiting: Waiting): void {
    const index = this.queue.indexOf(waiting);
    if (index < 0) return;
    this.queue.splice(index, 1);
    waiting.reject(new QueueTimeoutError(this.options.queueTimeoutMs));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const executor = this.nextExecutor();
      if (!executor) return;
      const group = this.takeGroup();
      if (!group) return;
      if (executor !== this.options.solo) this.idle.shift();
      void this.runGroup(executor, group);
    }
  }

  /** The solo executor when nothing runs (and it lives), else the next idle one. Pure of the queue. */
  private nextExecutor(): Executor | undefined {
    const solo = this.options.solo;
    // Nothing in flight means the solo executor is idle too.
    if (solo && solo.alive && this.runsInFlight.size === 0) return solo;
    return this.idle[0];
  }

  /** The next group to run, or undefined when a batch should wait a little longer for company. */
  private takeGroup(): Waiting[] | undefined {
    const batching = this.options.batching;
    if (!batching) return this.queue.splice(0, 1);
    const oldest = this.queue[0];
    const policy = { ...batching, maxBatchSize: batchRowLimit(batching, this.perRowMs.value, inputBytes(oldest.inputs) / oldest.rows) };
    const indexes = pickBatch(this.queue, policy.maxBatchSize);
    const rows = indexes.reduce((n, i) => n + this.queue[i].rows, 0);
    const waitedMs = performance.now() - oldest.enqueuedAt;
    if (shouldWaitForCompany({ rows, waitedMs, runsInFlight: this.runsInFlight.size, policy })) {
      if (!this.delayTimer) {
        this.delayTimer = setTimeout(() => {
          this.delayTimer = undefined;
          this.dispatch();
        }, batching.maxQueueDelayMs - waitedMs);
      }
      return undefined;
    }
    const group = indexes.map((i) => this.queue[i]);
    for (let k = indexes.length - 1; k >= 0; k--) this.queue.splice(indexes[k], 1);
    return group;
  }

  private async runGroup(executor: Executor, group: Waiting[]): Promise<void> {
    const started = performance.now();
    for (const w of group) clearTimeout(w.timer);
    const rows = group.reduce((n, w) => n + w.rows, 0);
    const run: RunInFlight = { started, requests: group.length };
    this.runsInFlight.add(run);
    try {
      const result = await executor.run(batchInputs(group));
      const runMs = performance.now() - started;
      this.runMs.add(runMs);
      this.perRequestMs.add(runMs / group.length);
      this.perRowMs.add(runMs / rows);
      this.options.onRun?.({ rows, requests: group.length, inferenceMs: result.inferenceMs });
      let start = 0;
      for (const w of group) {
        const outputs = group.length === 1 ? result.outputs : sliceRows(result.outputs, start, w.rows);
        start += w.rows;
        w.resolve({ outputs, queueMs: started - w.enqueuedAt, inferenceMs: result.inferenceMs, batchRows: rows });
      }
    } catch (err) {
      for (const w of group) w.reject(err as Error);
    } finally {
      this.runsInFlight.delete(run);
      if (executor !== this.options.solo && executor.alive) this.idle.push(executor);
      this.dispatch();
    }
  }

  async close(): Promise<void> {
    clearTimeout(this.delayTimer);
    for (const w of this.queue.splice(0)) {
      clearTimeout(w.timer);
      w.reject(new Error('server is shutting down'));
    }
    await Promise.all([...this.executors, ...(this.options.solo ? [this.options.solo] : [])].map((e) => e.close()));
  }
}
