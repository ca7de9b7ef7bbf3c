// Assembling a BenchReport from one run's measurements: pure, so every figure and warning can be tested directly.
import type { BenchOptions } from '../contracts/bench-options.js';
import type { BenchReport, GeneratorHealth } from '../contracts/bench-report.js';
import { lateThresholdMs, type LoadRunResult, type LoadSpec } from './run-load.js';
import { slaVerdict } from '../contracts/sla.js';

/** Above this share of late sends the schedule was visibly disturbed (worth a warning)… */
export const noticeableLateFraction = 0.01;
/** …and above this share, with the average send this late, the generator could not keep up at all. */
export const saturatedLateFraction = 0.1;
export const saturatedMeanLagMs = 5;
/** At or above this share of the cores it may use, the generator may be the bottleneck. */
export const saturatedCpuShare = 0.9;
/** A load thread whose event loop was busy this share of the run could not send or read any faster. */
export const saturatedThreadUtilization = 0.95;
/** Throttled by its CPU limit for more than this share of the run, the generator's timing was disturbed. */
export const noticeableThrottledShare = 0.01;
/** Closed loop: a maximum this many times p99.9 means stalls the percentiles do not show. */
export const hiddenStallRatio = 5;
/** …and at least this much above it, so a fast server's jitter (0.2 ms vs 2 ms) is not called a stall. */
export const hiddenStallMinMs = 20;

const round = (x: number, digits = 3): number => Math.round(x * 10 ** digits) / 10 ** digits;

/** A generator that falls further and further behind its schedule, as opposed to one that sees timer jitter. */
export function generatorFellBehind(g: Pick<GeneratorHealth, 'scheduledSends' | 'lateSends' | 'meanLagMs'>): boolean {
  return g.scheduledSends > 0 && g.lateSends / g.scheduledSends > saturatedLateFraction && g.meanLagMs > saturatedMeanLagMs;
}

/** Percent of one core the generator could use: its threads, capped by its CPU limit. */
export function generatorCpuBudgetPercent(threads: number, cpuLimitCores: number | null): number {
  return Math.min(threads, cpuLimitCores ?? threads) * 100;
}

/** Closed loop: a maximum far above p99.9 is a stall the loop waited out instead of measuring (coordinated omission). */
export function hiddenStall(mode: LoadSpec['mode'], latency: { p999Ms: number; maxMs: number }): boolean {
  return mode === 'closed' && latency.maxMs > hiddenStallRatio * latency.p999Ms && latency.maxMs - latency.p999Ms >= hiddenStallMinMs;
}

function generatorHealth(spec: LoadSpec, run: LoadRunResult, local: boolean, warnings: string[]): GeneratorHealth {
  const open = run.openLoop;
  const scheduled = open?.scheduledSends ?? 0;
  const late = open?.lateSends ?? 0;
  const windowSeconds = spec.durationSeconds ?? run.durationSeconds;
  const offeredRps = open && windowSeconds > 0 ? round((open.sentRequests + open.droppedSends) / windowSeconds) : null;
  const fellBehind = open !== null && generatorFellBehind(open);
  const load = run.generatorLoad;
  const budgetPercent = generatorCpuBudgetPercent(load.threads, load.cpuLimitCores);
  const cpuOk = load.cpuPercent < saturatedCpuShare * budgetPercent;
  const threadOk = load.busiestThreadUtilization < saturatedThreadUtilization;
  const wallMs = Math.max(1, run.completedAt.getTime() - run.startedAt.getTime());
  const throttleOk = load.throttledMs === null || load.throttledMs <= noticeableThrottledShare * wallMs;
  if (open && late > 0 && late / scheduled > noticeableLateFraction) {
    const share = `${late} of ${scheduled} sends (${round((late / scheduled) * 100, 1)} %) left more than ${lateThresholdMs} ms late`;
    const lag = `${round(open.meanLagMs, 1)} ms on average, up to ${round(open.maxLagMs, 1)} ms`;
    warnings.push(
      fellBehind
        ? `the load generator could not keep its schedule of ${spec.rate} req/s: ${share}, ${lag}; ` +
            `these figures are bounded by the generator, not only by the server`
        : `${share} (${lag}): the generator's machine is busy; latency counts from the intended send times, so these delays are in the figures`,
    );
  }
  if (open && open.droppedSends > 0) {
    warnings.push(
      `${open.droppedSends} sends were dropped because ${spec.maxInFlight} requests were already in flight (maxInFlight); ` +
        `they count as 'dropped' errors`,
    );
  }
  const cpu = `${load.cpuPercent} % of a core over ${load.threads} load thread${load.threads === 1 ? '' : 's'}`;
  if (!cpuOk) {
    const limit = load.cpuLimitCores !== null && load.cpuLimitCores < load.threads ? ` (its CPU limit is ${load.cpuLimitCores} cores)` : '';
    warnings.push(`the load generator used ${cpu}, near all it may use${limit}; latency and throughput may be bounded by the generator: give it more cores (--threads, the pod's CPU)`);
  } else if (!threadOk) {
    warnings.push(
      `a load thread was busy ${Math.round(load.busiestThreadUtilization * 100)} % of the run; latency and throughput may be bounded by the generator: raise --threads`,
    );
  }
  if (!throttleOk) {
    warnings.push(
      `the generator's CPU limit (${load.cpuLimitCores ?? '?'} cores) throttled it for ${load.throttledMs} ms of the run; its sends and timings were delayed: raise the CPU limit`,
    );
  }
  if (local) {
    warnings.push(
      `the server runs on the generator's machine: the generator's own ${cpu} came out of the cores the server runs on, ` +
        `so the figures include that contention; measure from another machine for the server alone`,
    );
  }
  return {
    scheduledSends: scheduled,
    sentRequests: run.sentRequests,
    droppedSends: open?.droppedSends ?? 0,
    lateSends: late,
    lateThresholdMs,
    maxLagMs: open?.maxLagMs ?? 0,
    meanLagMs: open?.meanLagMs ?? 0,
    offeredRps,
    cpuPercent: load.cpuPercent,
    threads: load.threads,
    busiestThreadUtilization: load.busiestThreadUtilization,
    cpuLimitCores: load.cpuLimitCores,
    throttledMs: load.throttledMs,
    eventLoopDelayP99Ms: load.eventLoopDelayP99Ms,
    eventLoopDelayMaxMs: load.eventLoopDelayMaxMs,
    healthy: !fellBehind && cpuOk && threadOk && throttleOk,
  };
}

export function buildReport(options: BenchOptions, target: BenchReport['target'], spec: LoadSpec, run: LoadRunResult): BenchReport {
  const { totals } = run;
  const warnings: string[] = [];
  const generator = generatorHealth(spec, run, target.local, warnings);
  const throughputRps = run.durationSeconds > 0 ? round(totals.ok / run.durationSeconds) : 0;
  const errorRate = totals.completed > 0 ? round(totals.errors / totals.completed, 6) : 0;
  if (totals.completed === 0) warnings.push('no measured request completed; the figures are empty');
  else if (totals.ok === 0) warnings.push('no request succeeded; latency figures are 0 (see errors)');
  const { count: _count, ...latency } = totals.latency;
  if (hiddenStall(spec.mode, latency)) {
    warnings.push(
      `max ${latency.maxMs} ms is ${Math.round(latency.maxMs / Math.max(latency.p999Ms, 0.001))}× p99.9 (${latency.p999Ms} ms): the server stalled, ` +
        `and a closed loop stops sending while it waits, so the percentiles hide the stall (coordinated omission); ` +
        `an open loop (--rate, or spec.benchmark.mode: open) counts it`,
    );
  }
  // Open loop: the rate served of the schedule offered, so a server that answered every send meets a target equal to
  // the rate (the drain after the window would otherwise dilute it); how late it answered is in the percentiles.
  const open = run.openLoop;
  const servedRps = open && spec.rate !== undefined && open.scheduledSends > 0 ? round((spec.rate * totals.ok) / open.scheduledSends) : throughputRps;
  return {
    version: 1,
    target,
    mode: spec.mode,
    load: {
      concurrency: spec.mode === 'closed' ? spec.concurrency : null,
      rate: spec.mode === 'open' ? (spec.rate ?? null) : null,
      arrival: spec.mode === 'open' ? spec.arrival : null,
      maxInFlight: spec.mode === 'open' ? spec.maxInFlight : null,
      peakInFlight: open?.peakInFlight ?? null,
    },
    startedAt: run.startedAt.toISOString(),
    completedAt: run.completedAt.toISOString(),
    warmupSeconds: spec.warmupSeconds,
    durationSeconds: round(run.durationSeconds),
    requests: { total: totals.completed, ok: totals.ok, errors: totals.errors, warmup: totals.warmup },
    throughputRps,
    errorRate,
    latency,
    errors: totals.errorsByKind,
    errorSamples: totals.errorSamples,
    timeline: totals.timeline,
    generator,
    sla: slaVerdict(options.sla, { p99Ms: totals.ok > 0 ? latency.p99Ms : null, throughputRps: servedRps, errorRate }),
    sweep: null,
    warnings,
  };
}
