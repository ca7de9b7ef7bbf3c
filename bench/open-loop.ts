// Open loop: requests leave on a fixed schedule whatever the server does; latency counts from the intended send time.
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

export interface OpenLoopOptions {
  rate: number;
  arrival: Arrival;
  seed: number;
  maxInFlight: number;
  lateThresholdMs: number;
}

export interface OpenLoopResult {
  scheduledSends: number;
  sentRequests: number;
  droppedSends: number;
  lateSends: number;
  maxLagMs: number;
  meanLagMs: number;
  /** Most requests outstanding at once: what an open-loop load amounted to in concurrency. */
  peakInFlight: number;
}

/** Sends per timer tick at most, so replies keep being read while the generator catches up. */
const maxSendsPerTick = 256;

const droppedOutcome = (maxInFlight: number): InferOutcome => ({
  ok: false,
  kind: 'dropped',
  message: `not sent: ${maxInFlight} requests already in flight (maxInFlight)`,
});

export function runOpenLoop(window: LoadWindow, options: OpenLoopOptions): Promise<OpenLoopResult> {
  const { client, payloads, measurements, requests, signal } = window;
  const schedule = openLoopSchedule(options.rate, options.arrival, options.seed);
  const dropped = droppedOutcome(options.maxInFlight);
  const result: OpenLoopResult = { scheduledSends: 0, sentRequests: 0, droppedSends: 0, lateSends: 0, maxLagMs: 0, meanLagMs: 0, peakInFlight: 0 };
  let lagSumMs = 0;
  let sendIndex = 0;
  let nextAt = window.originMs + schedule.next().value;
  let scheduling = true;
  let timer: NodeJS.Timeout | undefined;

  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      scheduling = false;
      finishIfDrained();
    };
    const finishIfDrained = (): void => {
      if (!scheduling && window.inFlight === 0) {
        // A signal shared by many runs (a sweep) must not collect one listener per run.
        signal?.removeEventListener('abort', onAbort);
        result.meanLagMs = result.scheduledSends > 0 ? Math.round((lagSumMs / result.scheduledSends) * 1000) / 1000 : 0;
        result.maxLagMs = Math.round(result.maxLagMs * 1000) / 1000;
        resolve(result);
      }
    };
    const send = (intendedAt: number): void => {
      window.inFlight++;
      if (window.inFlight > result.peakInFlight) result.peakInFlight = window.inFlight;
      void client.infer(payloads[sendIndex++ % payloads.length]).then((outcome) => {
        window.inFlight--;
        measurements.record(intendedAt, performance.now(), outcome);
        finishIfDrained();
      });
    };
    const tick = (): void => {
      for (let sends = 0; sends < maxSendsPerTick; sends++) {
        const now = performance.now();
        if (nextAt > now) break;
        const intendedAt = nextAt;
        const measured = intendedAt >= window.startMs;
        if (signal?.aborted || intendedAt >= window.endMs || (measured && requests !== undefined && result.scheduledSends >= requests)) {
          scheduling = false;
          finishIfDrained();
          return;
        }
        if (measured) {
          const lagMs = now - intendedAt;
          result.scheduledSends++;
          lagSumMs += lagMs;
          if (lagMs > result.maxLagMs) result.maxLagMs = lagMs;
          if (lagMs > options.lateThresholdMs) result.lateSends++;
        }
        if (window.inFlight >= options.maxInFlight) {
          if (measured) result.droppedSends++;
          measurements.record(intendedAt, now, dropped);
        } else {
          if (measured) result.sentRequests++;
          send(intendedAt);
        }
        nextAt = window.originMs + schedule.next().value;
      }
      const waitMs = nextAt - performance.now();
      if (waitMs <= 0) setImmediate(tick);
      else timer = setTimeout(tick, waitMs);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    tick();
  });
}
