// What a finished benchmark says in an InferenceService's status: status.benchmark and the Benchmarked and SLAMet
// conditions. Pure; used by the operator (from the Job's termination message) and by `vernier run` (from the report).
import type { CompactBenchReport } from '../../bench/compact-report.js';
import { ConditionType, Reason } from '../../crds/conditions.js';
import type { BenchmarkStatus, InferenceServiceSpec } from '../../crds/inferenceservice.js';

/** A condition before the operator stamps observedGeneration and lastTransitionTime on it. */
export interface ConditionDraft {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
}

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
    strategy: spec.concurrency.strategy,
    completedAt: report.completedAt.replace(/\.\d+Z$/, 'Z'),
    specHash,
  };
}

export function benchmarkedCondition(report: CompactBenchReport): ConditionDraft {
  const load = report.mode === 'open' ? `${report.rate} req/s offered` : `concurrency ${report.concurrency}`;
  return {
    type: ConditionType.Benchmarked,
    status: 'True',
    reason: Reason.BenchmarkSucceeded,
    message:
      `measured ${report.requests} requests over ${report.durationSeconds.toFixed(1)} s at ${load}: ` +
      `p99 ${report.p99Ms.toFixed(1)} ms, ${report.throughputRps.toFixed(1)} req/s, ${(report.errorRate * 100).toFixed(2)} % errors`,
  };
}

/** The SLA verdict: the first target missed names the reason; every miss is in the message. */
/** The figures an SLA verdict needs: a compact report, or status.benchmark (which keeps no error kinds). */
export type MeasuredFigures = Pick<CompactBenchReport, 'p99Ms' | 'throughputRps' | 'errorRate'> & { errors?: CompactBenchReport['errors'] };

export function slaCondition(report: MeasuredFigures, spec: InferenceServiceSpec, maxErrorRate: number): ConditionDraft {
  const misses: { reason: string; message: string }[] = [];
  if (report.errorRate > maxErrorRate) {
    misses.push({
      reason: Reason.ErrorRateTooHigh,
      message: `${(report.errorRate * 100).toFixed(2)} % of requests failed${topError(report)}, above the ${(maxErrorRate * 100).toFixed(0)} % that a latency figure can be trusted with`,
    });
  }
  if (report.p99Ms > spec.sla.p99LatencyMs) {
    misses.push({ reason: Reason.P99AboveTarget, message: `p99 ${report.p99Ms.toFixed(1)} ms is above the ${spec.sla.p99LatencyMs} ms target` });
  }
  const minRps = spec.sla.minThroughputRps;
  if (minRps !== undefined && report.throughputRps < minRps) {
    misses.push({ reason: Reason.ThroughputBelowTarget, message: `throughput ${report.throughputRps.toFixed(1)} req/s is below the ${minRps} req/s target` });
  }
  if (misses.length > 0) {
    return { type: ConditionType.SLAMet, status: 'False', reason: misses[0].reason, message: misses.map((m) => m.message).join('; ') };
  }
  const rps = minRps !== undefined ? `, throughput ${report.throughputRps.toFixed(1)} ≥ ${minRps} req/s` : '';
  return {
    type: ConditionType.SLAMet,
    status: 'True',
    reason: Reason.SLAMet,
    message: `p99 ${report.p99Ms.toFixed(1)} ms ≤ ${spec.sla.p99LatencyMs} ms${rps}`,
  };
}

function topError(report: MeasuredFigures): string {
  const top = Object.entries(report.errors ?? {}).sort((a, b) => b[1] - a[1])[0];
  return top ? ` (most: ${top[0]} × ${top[1]})` : '';
}
