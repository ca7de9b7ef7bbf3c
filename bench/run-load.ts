// One run at one load level: warmup, measured window, drain; progress about once a second.
import { performance } from 'node:perf_hooks';
import type { InferClient } from './client.js';
import { runClosedLoop } from './closed-loop.js';
import { GeneratorMonitor, type GeneratorLoad } from './generator-monitor.js';
import type { LoadWindow } from './load-window.js';
import { Measurements, type MeasurementTotals, type TimelineSecond } from './measurements.js';
import { runOpenLoop, type Arrival, type OpenLoopResult } from './open-loop.js';
import type { Payload } from './payload.js';

export interface LoadSpec {
  mode: 'closed' | 'open';
  concurrency: number;
  rate?: number;
  arrival: Arrival;
  seed: number;
  maxInFlight: number;
  warmupSeconds: number;
  durationSeconds?: number;
  requests?: number;
}

export interface BenchProgress {
  phase: 'warmup' | 'measure' | 'drain';
  /** Seconds since load began, warmup included. */
  elapsedSeconds: number;
  /** Measured requests so far (warmup excluded). */
  completed: number;
  errors: number;
  inFlight: number;
  /** Figures of the last whole measured second. */
  lastSecond: TimelineSecond | null;
  /** Set during a sweep or a capacity search. */
  step: StepProgress | null;
}

export interface StepProgress {
  /** A sweep step, the capacity search's closed-loop probe, or one of its open-loop steps. */
  kind: 'sweep' | 'probe' | 'search';
  index: number;
  /** Steps in all, when known beforehand. */
  count: number | null;
  load: number;
  variable: 'concurrency' | 'rate';
}

export interface LoadHooks {
  onProgress?: (progress: BenchProgress) => void;
  signal?: AbortSignal;
}

export interface LoadRunResult {
  totals: MeasurementTotals;
  /** Measured window: from the end of warmup to the window's end or the last measured response, whichever is later. */
  durationSeconds: number;
  startedAt: Date;
  completedAt: Date;
  /** Null in closed loop. */
  openLoop: OpenLoopResult | null;
  sentRequests: number;
  generatorLoad: GeneratorLoad;
}

/** A send more than this late counts as late (timer and event-loop jitter stay well below it). */
export const lateThresholdMs = 5;

export async function runLoad(
  client: InferClient,
  payloads: Payload[],
  spec: LoadSpec,
  hooks: LoadHooks = {},
  step: BenchProgress['step'] = null,
): Promise<LoadRunResult> {
  const startedAt = new Date();
  const monitor = new GeneratorMonitor();
  const originMs = performance.now();
  const startMs = originMs + spec.warmupSeconds * 1000;
  const endMs = spec.durationSeconds === undefined ? Infinity : startMs + spec.durationSeconds * 1000;
  const measurements = new Measurements(startMs);
  const window: LoadWindow = { client, payloads, measurements, originMs, startMs, endMs, requests: spec.requests, signal: hooks.signal, inFlight: 0 };

  const progress = setInterval(() => {
    const now = performance.now();
    measurements.advanceTo(now);
    hooks.onProgress?.({
      phase: now < startMs ? 'warmup' : now < endMs ? 'measure' : 'drain',
      elapsedSeconds: Math.round((now - originMs) / 100) / 10,
      completed: measurements.completed,
      errors: measurements.errors,
      inFlight: window.inFlight,
      lastSecond: measurements.lastSecond(),
      step,
    });
  }, 1000);
  progress.unref();

  try {
    let openLoop: OpenLoopResult | null = null;
    let sentRequests: number;
    if (spec.mode === 'open') {
      if (spec.rate === undefined) throw new Error('open loop needs a rate');
      openLoop = await runOpenLoop(window, { rate: spec.rate, arrival: spec.arrival, seed: spec.seed, maxInFlight: spec.maxInFlight, lateThresholdMs });
      sentRequests = openLoop.sentRequests;
    } else {
      sentRequests = (await runClosedLoop(window, spec.concurrency)).sentRequests;
    }
    const totals = measurements.totals();
    const ranOutOfTime = performance.now() >= endMs;
    const lastMs = Math.max(ranOutOfTime ? endMs : startMs, totals.lastCompletionMs);
    return {
      totals,
      durationSeconds: Math.max(0, (lastMs - startMs) / 1000),
      startedAt,
      completedAt: new Date(),
      openLoop,
      sentRequests,
      generatorLoad: monitor.stop(),
    };
  } finally {
    clearInterval(progress);
    measurements.destroy();
  }
}
