// Admission by expected wait: a request the queue could not serve within its time limit is refused on arrival,
// when a retry elsewhere still helps, rather than after waiting out the limit.

/** Exponentially weighted moving average; `weight` is the share of each new sample. */
export class MovingAverage {
  private current: number | undefined;

  constructor(private readonly weight: number) {}

  add(sample: number): void {
    this.current = this.current === undefined ? sample : this.current + this.weight * (sample - this.current);
  }

  get value(): number | undefined {
    return this.current;
  }
}

/** What the scheduler knows of its load when a request arrives. */
export interface Load {
  /** Requests waiting for an executor. */
  queued: number;
  executors: number;
  /** Executor time per request: a run's duration divided by the requests it served. */
  perRequestMs: number;
  /** Duration of one run: what a request waits once its own run has begun. */
  runMs: number;
}

/** How long a request arriving now should wait before its run begins: the queue ahead of it, shared by the executors. */
export function expectedWaitMs(load: Load): number {
  return (load.queued * load.perRequestMs) / load.executors;
}

/** Whether a request arriving now should be answered within `limitMs`: its wait, then its own run. */
export function fitsWithin(load: Load, limitMs: number): boolean {
  return expectedWaitMs(load) + load.runMs <= limitMs;
}

/** The Retry-After header for a refusal: the expected wait in whole seconds, at least one. */
export function retryAfterSeconds(waitMs: number): number {
  return Math.max(1, Math.ceil(waitMs / 1000));
}
