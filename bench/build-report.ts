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
/** At or above this CPU use (percent of one core) the generator may be the bottleneck. */
export const saturatedCpuPercent = 90;

const round = (x: number, digits = 3): number => Math.round(x * 10 ** digits) / 10 ** digits;

/** A generator that falls further and further behind its schedule, as opposed to one that sees timer jitter. */
export function generatorFellBehind(g: Pick<GeneratorHealth, 'scheduledSends' | 'lateSends' | 'meanLagMs'>): boolean {
  return g.scheduledSends > 0 && g.lateSends / g.scheduledSends > saturatedLateFraction && g.meanLagMs > saturatedMeanLagMs;
}

function generatorHealth(spec: LoadSpec, run: LoadRunResult, warnings: string[]): GeneratorHealth {
  const open = run.openLoop;
  const scheduled = open?.scheduledSends ?? 0;
  const late = open?.lateSends ?? 0;
  const windowSeconds = spec.durationSeconds ?? run.durationSeconds;
  const offeredRps = open && windowSeconds > 0 ? round((open.sentRequests + open.droppedSends) / windowSeconds) : null;
  const fellBehind = open !== null && generatorFellBehind(open);
  const cpuOk = run.generatorLoad.cpuPercent < saturatedCpuPercent;
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
  if (!cpuOk) {
    warnings.push(
      `the load generator used ${run.generatorLoad.cpuPercent} % of a CPU core; latency and throughput may be bounded by the generator`,
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
    cpuPercent: run.generatorLoad.cpuPercent,
    eventLoopDelayP99Ms: run.generatorLoad.eventLoopDelayP99Ms,
    eventLoopDelayMaxMs: run.generatorLoad.eventLoopDelayMaxMs,
    healthy: !fellBehind && cpuOk,
  };
}

export function buildReport(options: BenchOptions, target: BenchReport['target'], spec: LoadSpec, run: LoadRunResult): BenchReport {
  const { totals } = run;
  const warnings: string[] = [];
  const generator = generatorHealth(spec, run, warnings);
  const throughputRps = run.durationSeconds > 0 ? round(totals.ok / run.durationSeconds) : 0;
  const errorRate = totals.completed > 0 ? round(totals.errors / totals.completed, 6) : 0;
  if (totals.completed === 0) warnings.push('no measured request completed; the figures are empty');
  else if (totals.ok === 0) warnings.push('no request succeeded; latency figures are 0 (see errors)');
  const { count: _count, ...latency } = totals.latency;
  return {
    version: 1,
    target,
    mode: spec.mode,
    load: {
      concurrency: spec.mode === 'closed' ? spec.concurrency : null,
      rate: spec.mode === 'open' ? (spec.rate ?? null) : null,
      arrival: spec.mode === 'open' ? spec.arrival : null,
      maxInFlight: spec.mode === 'open' ? spec.maxInFlight : null,
      peakInFlight: run.openLoop?.peakInFlight ?? null,
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
    sla: slaVerdict(options.sla, { p99Ms: totals.ok > 0 ? latency.p99Ms : null, throughputRps, errorRate }),
    sweep: null,
    warnings,
  };
}
