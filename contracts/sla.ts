// The SLA verdict: a pure function of the targets and the measured figures. `vernier bench` writes it into its report,
// and the operator's SLAMet condition and `vernier run` read it from there: one verdict, one set of rules.
import type { InferenceServiceSpec } from '../crds/index.js';
import type { SlaTargets } from './bench-options.js';
import type { SlaCheck, SlaVerdict } from './bench-report.js';

/** Failed requests beyond this fraction miss the SLA, whatever the latency: errors make latency figures meaningless. */
export const MAX_ERROR_RATE = 0.01;

/** The targets an InferenceService's SLA sets for its benchmark. */
export function slaTargetsFor(spec: InferenceServiceSpec): SlaTargets {
  return { p99LatencyMs: spec.sla.p99LatencyMs, minThroughputRps: spec.sla.minThroughputRps, maxErrorRate: MAX_ERROR_RATE };
}

interface VerdictFigures {
  /** null when no request succeeded, so there is no latency to judge. */
  p99Ms: number | null;
  throughputRps: number;
  errorRate: number;
}

/** One check per target that is set; null when no target is set. */
export function slaVerdict(targets: SlaTargets, measured: VerdictFigures): SlaVerdict | null {
  const checks: SlaCheck[] = [];
  if (targets.p99LatencyMs !== undefined) {
    const met = measured.p99Ms !== null && measured.p99Ms <= targets.p99LatencyMs;
    checks.push({ target: 'p99LatencyMs', threshold: targets.p99LatencyMs, measured: measured.p99Ms, met });
  }
  if (targets.minThroughputRps !== undefined) {
    const met = measured.throughputRps >= targets.minThroughputRps;
    checks.push({ target: 'minThroughputRps', threshold: targets.minThroughputRps, measured: measured.throughputRps, met });
  }
  if (targets.maxErrorRate !== undefined) {
    const met = measured.errorRate <= targets.maxErrorRate;
    checks.push({ target: 'maxErrorRate', threshold: targets.maxErrorRate, measured: measured.errorRate, met });
  }
  if (checks.length === 0) return null;
  return { met: checks.every((c) => c.met), checks };
}

const describeTarget: Record<SlaCheck['target'], (c: SlaCheck) => string> = {
  p99LatencyMs: (c) => `p99 ${c.measured === null ? 'not measured (no successful request)' : `${c.measured} ms`} ${c.met ? '≤' : '>'} ${c.threshold} ms`,
  minThroughputRps: (c) => `throughput ${c.measured} req/s ${c.met ? '≥' : '<'} ${c.threshold} req/s`,
  maxErrorRate: (c) => `error rate ${c.measured} ${c.met ? '≤' : '>'} ${c.threshold}`,
};

/** One line per check, e.g. "p99 45.2 ms ≤ 100 ms". */
export function describeCheck(check: SlaCheck): string {
  return describeTarget[check.target](check);
}
