// A work queue of reconcile keys: de-duplicated, per-key exponential backoff, never two reconciles of one key at once.
// Two lanes: keys whose resource changed run before keys that are only being re-confirmed (after a restart or a
// resync), so a thousand unchanged resources never make a changed one wait.
import { backoffDelay } from './backoff.js';
import { retryAfterOf } from './kube-client.js';

export interface ReconcileResult {
  /** Reconcile this key again after this many milliseconds even if nothing changes. */
  requeueAfterMs?: number;
}

/** `changed`: the resource or one of its children changed; `confirm`: nothing is known to have changed. */
export type Priority = 'changed' | 'confirm';

export type ReconcileFn = (key: string) => Promise<ReconcileResult | void>;

export interface WorkQueueOptions {
  reconcile: ReconcileFn;
  /** Reconciles running at once (of different keys). */
  workers?: number;
  /** First retry delay after a failure; doubles per consecutive failure of the key; never shorter than a Retry-After. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Told about every finished reconcile, for metrics and logs. */
  onDone?: (event: { key: string; durationMs: number; error?: unknown; retryInMs?: number }) => void;
}

/** 5 ms → 1000 s, like client-go's per-item exponential limiter. */
export const DEFAULT_BASE_DELAY_MS = 5;
export const DEFAULT_MAX_DELAY_MS = 1_000_000;

export class WorkQueue {
  private readonly reconcile: ReconcileFn;
  private readonly workers: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly onDone?: WorkQueueOptions['onDone'];
  /** Keys waiting to run, in insertion order, by lane; a key is in at most one. */
  private readonly changed = new Set<string>();
  private readonly confirm = new Set<string>();
  private readonly processing = new Set<string>();
  /** Keys added while they were processing: they run again when the current reconcile ends. */
  private readonly dirty = new Set<string>();
  private readonly delayed = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly failures = new Map<string, number>();
  private readonly running = new Set<Promise<void>>();
  private started = false;
  private shuttingDown = false;

  constructor(options: WorkQueueOptions) {
    this.reconcile = options.reconcile;
    this.workers = options.workers ?? 2;
    this.baseDelayMs = options.baseDelayMs ?? DEFAULT_BASE_DELAY_MS;
    this.maxDelayMs = options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
    this.onDone = options.onDone;
    if (!Number.isInteger(this.workers) || this.workers < 1) throw new Error(`workers must be a positive integer, got ${this.workers}`);
  }

  /** Keys waiting to run now (not counting delayed or processing ones). */
  get depth(): number {
    return this.changed.size + this.confirm.size;
  }

  get delayedCount(): number {
    return this.delayed.size;
  }

  get inFlight(): number {
    return this.processing.size;
  }

  failuresOf(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  add(key: string, priority: Priority = 'changed'): void {
    if (this.shuttingDown) return;
    this.cancelDelayed(key);
    if (this.processing.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.changed.has(key)) return;
    if (priority === 'changed') {
      // A key waiting to be re-confirmed that turns out to have changed moves to the front lane.
      this.confirm.delete(key);
      this.changed.add(key);
    } else if (!this.confirm.has(key)) {
      this.confirm.add(key);
    }
    this.pump();
  }

  /** Adds `key` after `delayMs`; an earlier pending delay for the key wins. */
  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) return this.add(key);
    const at = Date.now() + delayMs;
    const pending = this.delayed.get(key);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, delayMs);
    timer.unref();
    this.delayed.set(key, { at, timer });
  }

  start(): void {
    this.started = true;
    this.pump();
  }

  /** Stops taking work, drops delayed keys and waits for running reconciles (at most `timeoutMs`). */
  async shutdown(timeoutMs = 30_000): Promise<void> {
    this.shuttingDown = true;
    for (const { timer } of this.delayed.values()) clearTimeout(timer);
    this.delayed.clear();
    this.changed.clear();
    this.confirm.clear();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
      timer.unref();
    });
    await Promise.race([Promise.allSettled([...this.running]), timeout]);
    clearTimeout(timer);
  }

  private cancelDelayed(key: string): void {
    const pending = this.delayed.get(key);
    if (!pending) return;
    clearTimeout(pending.timer);
    this.delayed.delete(key);
  }

  private pump(): void {
    if (!this.started || this.shuttingDown) return;
    while (this.processing.size < this.workers && this.depth > 0) {
      const lane = this.changed.size > 0 ? this.changed : this.confirm;
      const key = lane.values().next().value as string;
      lane.delete(key);
      this.processing.add(key);
      const run = this.process(key);
      this.running.add(run);
      void run.finally(() => this.running.delete(run));
    }
  }

  private async process(key: string): Promise<void> {
    const started = performance.now();
    let error: unknown;
    let retryInMs: number | undefined;
    try {
      const result = await this.reconcile(key);
      this.failures.delete(key);
      retryInMs = result?.requeueAfterMs;
    } catch (err) {
      error = err;
      const failures = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, failures);
      // A server that said when to come back (Retry-After) is not asked sooner.
      retryInMs = Math.max(backoffDelay(failures, this.baseDelayMs, this.maxDelayMs), retryAfterOf(err) ?? 0);
    }
    this.processing.delete(key);
    this.onDone?.({ key, durationMs: performance.now() - started, error, retryInMs });
    if (this.dirty.delete(key)) {
      // A change arrived mid-reconcile: run again now, unless this one failed (then the backoff applies).
      if (error === undefined) this.add(key);
      else this.addAfter(key, retryInMs!);
    } else if (retryInMs !== undefined) {
      this.addAfter(key, retryInMs);
    }
    this.pump();
  }
}
