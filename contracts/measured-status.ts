// What a finished benchmark says in an InferenceService's status: status.benchmark and the Benchmarked and SLAMet
// conditions. Pure; the operator reads the report from the Job's termination message, `vernier run` from the run.
import { ConditionType, formatTime, Reason, type BenchmarkStatus, type ConditionDraft, type InferenceServiceSpec } from '../crds/index.js';
import type { SlaCheck, SlaVerdict } from './bench-report.js';
import type { CompactBenchReport } from './compact-report.js';
import { slaTargetsFor, slaVerdict } from './sla.js';

const round = (x: number, digits: number) => Number(x.toFixed(digits));

/** The figures written to status.benchmark, rounded so `kubectl get vis` shows readable columns. */
export function benchmarkStatus(report: CompactBenchReport, spec: InferenceServiceSpec, specHash: string): BenchmarkStatus {
  return {
    p50Ms: round(report.p50Ms, 2),
    p95Ms: round(report.p95Ms, 2),
    p99Ms: round(report.p99Ms, 2),
    maxMs: round(report.maxMs, 2),
    throughputRps: round(report.throughputRps, 1),
    errorRate: round(report.errorRate, 4),
    requests: report.requests,
    // Closed loop: the requests kept in flight; open loop: the most that were in flight at once.
    concurrency: report.concurrency ?? (report.peakInFlight || undefined) ?? spec.benchmark.concurrency,
    durationSeconds: round(report.durationSeconds, 2),
    mode: report.mode,
    strategy: spec.concurrency.strategy,
    completedAt: formatTime(new Date(report.completedAt)),
    specHash,
  };
}

export function benchmarkedCondition(report: CompactBenchReport): ConditionDraft {
  const load = report.mode === 'open' ? `${report.rate} req/s offered (open loop)` : `concurrency ${report.concurrency} (closed loop)`;
  // What may have disturbed the measurement is part of the result, where `kubectl describe` shows it.
  const caution = report.warnings?.length ? `; caution: ${report.warnings.join('; ')}` : '';
  return {
    type: ConditionType.Benchmarked,
    status: 'True',
    reason: Reason.BenchmarkSucceeded,
    message:
      `measured ${report.requests} requests over ${report.durationSeconds.toFixed(1)} s at ${load}: ` +
      `p99 ${report.p99Ms.toFixed(1)} ms, ${report.throughputRps.toFixed(1)} req/s, ${(report.errorRate * 100).toFixed(2)} % errors${caution}`,
  };
}

/** The figures a verdict needs, from a compact report or from status.benchmark (which keeps no error kinds). */
export interface MeasuredFigures {
  p99Ms: number;
  throughputRps: number;
  errorRate: number;
  /** Requests that succeeded; 0 means there is no latency to judge. */
  ok: number;
  errors?: Record<string, number>;
}

export function figuresOfStatus(b: BenchmarkStatus): MeasuredFigures {
  return { p99Ms: b.p99Ms, throughputRps: b.throughputRps, errorRate: b.errorRate, ok: Math.round(b.requests * (1 - b.errorRate)) };
}

/** The verdict the benchmark wrote, or the same rules applied to stored figures (a report without one, or status alone). */
export function verdictOn(figures: MeasuredFigures, spec: InferenceServiceSpec, written?: SlaVerdict | null): SlaVerdict {
  return written ?? slaVerdict(slaTargetsFor(spec), { p99Ms: figures.ok > 0 ? figures.p99Ms : null, throughputRps: figures.throughputRps, errorRate: figures.errorRate })!;
}

/** Reasons in the order a miss is named by: errors first, since they make the latency figures meaningless. */
const MISS_ORDER: readonly SlaCheck['target'][] = ['maxErrorRate', 'p99LatencyMs', 'minThroughputRps'];
const MISS_REASON: Record<SlaCheck['target'], string> = {
  maxErrorRate: Reason.ErrorRateTooHigh,
  p99LatencyMs: Reason.P99AboveTarget,
  minThroughputRps: Reason.ThroughputBelowTarget,
};

function missMessage(check: SlaCheck, errors: Record<string, number> | undefined): string {
  const measured = check.measured ?? 0;
  switch (check.target) {
    case 'maxErrorRate': {
      const top = Object.entries(errors ?? {}).sort((a, b) => b[1] - a[1])[0];
      const most = top ? ` (most: ${top[0]} × ${top[1]})` : '';
      return `${(measured * 100).toFixed(2)} % of requests failed${most}, above the ${(check.threshold * 100).toFixed(0)} % that a latency figure can be trusted with`;
    }
    case 'p99LatencyMs':
      return check.measured === null
        ? `no request succeeded, so p99 could not be measured against the ${check.threshold} ms target`
        : `p99 ${measured.toFixed(1)} ms is above the ${check.threshold} ms target`;
    case 'minThroughputRps':
      return `throughput ${measured.toFixed(1)} req/s is below the ${check.threshold} req/s target`;
  }
}

/** SLAMet from the verdict: the first target missed names the reason; every miss is in the message. */
export function slaCondition(verdict: SlaVerdict, errors?: Record<string, number>): ConditionDraft {
  const misses = MISS_ORDER.flatMap((target) => verdict.checks.filter((c) => c.target === target && !c.met));
  if (misses.length > 0) {
    return { type: ConditionType.SLAMet, status: 'False', reason: MISS_REASON[misses[0].target], message: misses.map((c) => missMessage(c, errors)).join('; ') };
  }
  const check = (target: SlaCheck['target']) => verdict.checks.find((c) => c.target === target);
  const p99 = check('p99LatencyMs');
  const rps = check('minThroughputRps');
  const parts = [
    ...(p99 ? [`p99 ${(p99.measured ?? 0).toFixed(1)} ms ≤ ${p99.threshold} ms`] : []),
    ...(rps ? [`throughput ${(rps.measured ?? 0).toFixed(1)} ≥ ${rps.threshold} req/s`] : []),
  ];
  return { type: ConditionType.SLAMet, status: 'True', reason: Reason.SLAMet, message: parts.join(', ') || 'every SLA target met' };
}

/** Everything one measurement writes into status. */
export interface MeasuredStatus {
  benchmark: BenchmarkStatus;
  benchmarked: ConditionDraft;
  slaMet: ConditionDraft;
}

export function measuredStatus(report: CompactBenchReport, spec: InferenceServiceSpec, specHash: string): MeasuredStatus {
  const figures = { ...report, ok: report.ok };
  return {
    benchmark: benchmarkStatus(report, spec, specHash),
    benchmarked: benchmarkedCondition(report),
    slaMet: slaCondition(verdictOn(figures, spec, report.sla), report.errors),
  };
}
