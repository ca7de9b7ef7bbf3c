// One run at one load level over the load threads: plan each thread's share, start them together, report progress
// about once a second, and merge what they measured exactly (merge-measurements.ts).
import { performance } from 'node:perf_hooks';
import { GeneratorMonitor } from './generator-monitor.js';
import type { LoadThreads } from './load-threads.js';
import { mergeSecond, mergeSnapshots } from './merge-measurements.js';
import type { MeasurementTotals, TimelineSecond } from './measurements.js';
import type { Arrival } from './open-loop.js';
import type { ThreadRun, ThreadRunResult } from './thread-protocol.js';

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

/** Open loop over all threads. */
export interface OpenLoopFigures {
  scheduledSends: number;
  sentRequests: number;
  droppedSends: number;
  lateSends: number;
  maxLagMs: number;
  meanLagMs: number;
  /** Most requests outstanding at once: what an open-loop load amounted to in concurrency. */
  peakInFlight: number;
}

export interface GeneratorLoad {
  /** CPU of the whole generator process over the run, in percent of one core. */
  cpuPercent: number;
  cpuLimitCores: number | null;
  throttledMs: number | null;
  /** Load threads that carried this run. */
  threads: number;
  /** Event-loop utilization (0..1) of the busiest thread: near 1, that thread could not send or read any faster. */
  busiestThreadUtilization: number;
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
}

export interface LoadRunResult {
  totals: MeasurementTotals;
  /** Measured window: from the end of warmup to the window's end or the last measured response, whichever is later. */
  durationSeconds: number;
  startedAt: Date;
  completedAt: Date;
  /** Null in closed loop. */
  openLoop: OpenLoopFigures | null;
  sentRequests: number;
  generatorLoad: GeneratorLoad;
}

/** A send more than this late counts as late (timer and event-loop jitter stay well below it). */
export const lateThresholdMs = 5;
/** Threads get their plans this long before load begins, so they all start on time. */
const startLeadMs = 20;

const epochNow = (): number => performance.timeOrigin + performance.now();

/** Each thread's share of a run: closed-loop users spread as evenly as they go (no thread without one), or the open-loop schedule. */
export function planThreads(spec: LoadSpec, threads: number, originEpochMs: number): ThreadRun[] {
  const used = spec.mode === 'closed' ? Math.max(1, Math.min(threads, spec.concurrency)) : threads;
  const startEpochMs = originEpochMs + spec.warmupSeconds * 1000;
  const endEpochMs = spec.durationSeconds === undefined ? null : startEpochMs + spec.durationSeconds * 1000;
  if (spec.mode === 'open' && spec.rate === undefined) throw new Error('open loop needs a rate');
  return Array.from({ length: used }, (_, thread) => ({
    thread,
    threads: used,
    mode: spec.mode,
    concurrency: spec.mode === 'closed' ? Math.floor(spec.concurrency / used) + (thread < spec.concurrency % used ? 1 : 0) : 0,
    open:
      spec.mode === 'open'
        ? { rate: spec.rate!, arrival: spec.arrival, seed: spec.seed, maxInFlight: spec.maxInFlight, lateThresholdMs }
        : null,
    originEpochMs,
    startEpochMs,
    endEpochMs,
    requestLimit: spec.requests,
  }));
}

/** The open-loop figures of all threads as one schedule's. */
export function mergeOpenLoop(results: readonly ThreadRunResult[], peakInFlight: number): OpenLoopFigures | null {
  const parts = results.map((r) => r.openLoop).filter((o) => o !== null);
  if (parts.length === 0) return null;
  const sum = (pick: (o: (typeof parts)[number]) => number): number => parts.reduce((n, o) => n + pick(o), 0);
  const scheduledSends = sum((o) => o.scheduledSends);
  const round3 = (x: number): number => Math.round(x * 1000) / 1000;
  return {
    scheduledSends,
    sentRequests: sum((o) => o.sentRequests),
    droppedSends: sum((o) => o.droppedSends),
    lateSends: sum((o) => o.lateSends),
    maxLagMs: round3(Math.max(...parts.map((o) => o.maxLagMs))),
    meanLagMs: scheduledSends > 0 ? round3(sum((o) => o.lagSumMs) / scheduledSends) : 0,
    peakInFlight,
  };
}

/** The last second every thread has closed, merged; null before the first. */
function lastMergedSecond(threads: LoadThreads, used: number): TimelineSecond | null {
  const progress = threads.progress().slice(0, used);
  const closed = Math.min(...progress.map((p) => p.seconds.length));
  if (closed === 0) return null;
  return mergeSecond(closed - 1, progress.map((p) => p.seconds[closed - 1]));
}

export async function runLoad(threads: LoadThreads, spec: LoadSpec, hooks: LoadHooks = {}, step: BenchProgress['step'] = null): Promise<LoadRunResult> {
  await threads.ready();
  const startedAt = new Date();
  const monitor = new GeneratorMonitor();
  const originEpochMs = epochNow() + startLeadMs;
  const plans = planThreads(spec, threads.size, originEpochMs);
  const startEpochMs = plans[0].startEpochMs;
  const endEpochMs = plans[0].endEpochMs ?? Infinity;
  const onAbort = (): void => threads.abort();
  hooks.signal?.addEventListener('abort', onAbort, { once: true });
  if (hooks.signal?.aborted) threads.abort();

  const progress = setInterval(() => {
    const now = epochNow();
    const perThread = threads.progress().slice(0, plans.length);
    hooks.onProgress?.({
      phase: now < startEpochMs ? 'warmup' : now < endEpochMs ? 'measure' : 'drain',
      elapsedSeconds: Math.round((now - originEpochMs) / 100) / 10,
      completed: perThread.reduce((n, p) => n + p.completed, 0),
      errors: perThread.reduce((n, p) => n + p.errors, 0),
      inFlight: threads.counters.inFlight,
      lastSecond: lastMergedSecond(threads, plans.length),
      step,
    });
  }, 1000);
  progress.unref();

  try {
    const results = await threads.run(plans);
    const processLoad = monitor.stop();
    const totals = mergeSnapshots(results.map((r) => r.snapshot));
    const ranOutOfTime = epochNow() >= endEpochMs;
    const lastMs = Math.max(ranOutOfTime ? endEpochMs : startEpochMs, totals.lastCompletionMs);
    const round1 = (x: number): number => Math.round(x * 10) / 10;
    return {
      totals,
      durationSeconds: Math.max(0, (lastMs - startEpochMs) / 1000),
      startedAt,
      completedAt: new Date(),
      openLoop: mergeOpenLoop(results, threads.counters.peakInFlight),
      sentRequests: results.reduce((n, r) => n + r.sentRequests, 0),
      generatorLoad: {
        ...processLoad,
        threads: plans.length,
        busiestThreadUtilization: Math.round(Math.max(...results.map((r) => r.loop.utilization)) * 1000) / 1000,
        eventLoopDelayP99Ms: round1(Math.max(...results.map((r) => r.loop.delayP99Ms))),
        eventLoopDelayMaxMs: round1(Math.max(...results.map((r) => r.loop.delayMaxMs))),
      },
    };
  } finally {
    clearInterval(progress);
    hooks.signal?.removeEventListener('abort', onAbort);
  }
}
