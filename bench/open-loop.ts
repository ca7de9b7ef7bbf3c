// Open loop: requests leave on a fixed schedule whatever the server does; latency counts from the intended send time.
// With several load threads each runs its share of one schedule (threadSchedule), so together they send the same.
import { performance } from 'node:perf_hooks';
import type { InferOutcome } from './client.js';
import type { LoadWindow } from './load-window.js';
import { seededRandom } from './random.js';

export type Arrival = 'constant' | 'poisson';

/** Intended send times in ms from the start: evenly spaced, or exponential gaps (a Poisson process) from `seed`. */
export function* openLoopSchedule(rate: number, arrival: Arrival, seed: number): Generator<number, never> {
  const meanGapMs = 1000 / rate;
  if (arrival === 'constant') {
    for (let i = 0; ; i++) yield i * meanGapMs;
  }
  const random = seededRandom(seed);
  let t = 0;
  for (;;) {
    yield t;
    t += -Math.log(1 - random()) * meanGapMs;
  }
}

/**
 * Thread `thread` of `threads`' part of the schedule. Constant: every threads-th send of the whole schedule, so the
 * threads interleave into exactly the single-thread schedule. Poisson: an independent Poisson process at rate/threads
 * (seed + thread), and independent Poisson processes add up to one at the whole rate.
 */
export function threadSchedule(rate: number, arrival: Arrival, seed: number, thread: number, threads: number): Generator<number, never> {
  if (arrival === 'poisson') return openLoopSchedule(rate / threads, 'poisson', seed + thread);
  const offsetMs = (thread * 1000) / rate;
  const base = openLoopSchedule(rate / threads, 'constant', seed);
  return (function* shifted(): Generator<number, never> {
    for (;;) yield base.next().value + offsetMs;
  })();
}

export interface OpenLoopOptions {
  rate: number;
  arrival: Arrival;
  seed: number;
  /** This thread's index and the number of threads sharing the schedule. */
  thread: number;
  threads: number;
  /** Over all threads. */
  maxInFlight: number;
  lateThresholdMs: number;
}

export interface OpenLoopResult {
  scheduledSends: number;
  sentRequests: number;
  droppedSends: number;
  lateSends: number;
  maxLagMs: number;
  /** Sum of every measured send's lag, so threads' lags merge into one mean. */
  lagSumMs: number;
}

/** Sends per timer tick at most, so replies keep being read while the generator catches up. */
const maxSendsPerTick = 256;

const droppedOutcome = (maxInFlight: number): InferOutcome => ({
  ok: false,
  kind: 'dropped',
  message: `not sent: ${maxInFlight} requests already in flight (maxInFlight)`,
});

export function runOpenLoop(window: LoadWindow, options: OpenLoopOptions): Promise<OpenLoopResult> {
  const { pool, requests, measurements, counters, requestLimit } = window;
  const schedule = threadSchedule(options.rate, options.arrival, options.seed, options.thread, options.threads);
  const dropped = droppedOutcome(options.maxInFlight);
  const result: OpenLoopResult = { scheduledSends: 0, sentRequests: 0, droppedSends: 0, lateSends: 0, maxLagMs: 0, lagSumMs: 0 };
  let sendIndex = 0;
  let inFlight = 0;
  let nextAt = window.originMs + schedule.next().value;
  let scheduling = true;

  return new Promise((resolve) => {
    const finishIfDrained = (): void => {
      if (!scheduling && inFlight === 0) resolve(result);
    };
    const send = (intendedAt: number): void => {
      inFlight++;
      pool.send(requests[sendIndex++ % requests.length], (outcome: InferOutcome, completedAt: number) => {
        inFlight--;
        counters.leave();
        measurements.record(intendedAt, completedAt, outcome);
        finishIfDrained();
      });
    };
    const tick = (): void => {
      for (let sends = 0; sends < maxSendsPerTick; sends++) {
        const now = performance.now();
        if (nextAt > now) break;
        const intendedAt = nextAt;
        const measured = intendedAt >= window.startMs;
        if (counters.stopped || intendedAt >= window.endMs || (measured && !counters.claim(requestLimit))) {
          scheduling = false;
          finishIfDrained();
          return;
        }
        if (measured) {
          const lagMs = now - intendedAt;
          result.scheduledSends++;
          result.lagSumMs += lagMs;
          if (lagMs > result.maxLagMs) result.maxLagMs = lagMs;
          if (lagMs > options.lateThresholdMs) result.lateSends++;
        }
        if (counters.enter(options.maxInFlight)) {
          if (measured) result.sentRequests++;
          send(intendedAt);
        } else {
          if (measured) result.droppedSends++;
          measurements.record(intendedAt, now, dropped);
        }
        nextAt = window.originMs + schedule.next().value;
      }
      const waitMs = nextAt - performance.now();
      if (waitMs <= 0) setImmediate(tick);
      else setTimeout(tick, waitMs);
    };
    tick();
  });
}
