// The compact report: at most 4,096 bytes of JSON, for the benchmark Job's termination message that the operator reads.
import { z } from 'zod';
import { LatencyFigures, SlaVerdict, SweepStopReason, type BenchReport } from './bench-report.js';

/** Kubernetes keeps at most this many bytes of a container's termination message. */
export const terminationMessageLimitBytes = 4096;

const ms = z.number().min(0);
const count = z.number().int().min(0);

export const CompactBenchReport = z.object({
  version: z.literal(1),
  model: z.string(),
  mode: z.enum(['closed', 'open']),
  concurrency: z.number().int().positive().nullable(),
  rate: z.number().positive().nullable(),
  /** Open loop: most requests outstanding at once. Optional: reports written before it existed still parse. */
  peakInFlight: z.number().int().min(0).nullable().optional(),
  durationSeconds: z.number().min(0),
  requests: count,
  ok: count,
  /** Failed requests by kind, the most frequent first; kinds that did not fit are summed in `errorsOmitted`. */
  errors: z.record(z.string(), count),
  errorsOmitted: count,
  errorRate: z.number().min(0).max(1),
  throughputRps: z.number().min(0),
  ...LatencyFigures.pick({ p50Ms: true, p90Ms: true, p95Ms: true, p99Ms: true, p999Ms: true, maxMs: true, meanMs: true }).shape,
  sla: SlaVerdict.nullable(),
  generator: z.object({ healthy: z.boolean(), lateSends: count, maxLagMs: ms, droppedSends: count, cpuPercent: z.number().min(0) }),
  /**
   * What may have disturbed the measurement (the generator's CPU, a machine shared with the server, a CPU limit that
   * throttled it, a stall a closed loop hid), shortened. Optional: reports written before it existed still parse.
   */
  warnings: z.array(z.string()).optional(),
  /** Set by a capacity sweep or search (`--capacity`). */
  capacity: z
    .object({
      variable: z.enum(['concurrency', 'rate']),
      rps: z.number().min(0).nullable(),
      load: z.number().positive().nullable(),
      /** p99 measured at `load`. Optional: reports written before it existed still parse. */
      p99Ms: ms.nullable().optional(),
      steps: count,
      stoppedBecause: SweepStopReason,
    })
    .nullable(),
  startedAt: z.iso.datetime(),
  completedAt: z.iso.datetime(),
});
export type CompactBenchReport = z.infer<typeof CompactBenchReport>;

/** What the Job writes instead when the benchmark could not run at all. */
export const CompactBenchFailure = z.object({ version: z.literal(1), failed: z.literal(true), error: z.string() });
export type CompactBenchFailure = z.infer<typeof CompactBenchFailure>;

export const TerminationMessage = z.union([CompactBenchReport, CompactBenchFailure]);
export type TerminationMessage = z.infer<typeof TerminationMessage>;

const maxErrorKinds = 20;
const maxWarnings = 4;
const maxWarningLength = 400;
const maxKindLength = 64;
const maxModelLength = 253;

const bytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value));

function compactErrors(errors: Record<string, number>, keep: number): Pick<CompactBenchReport, 'errors' | 'errorsOmitted'> {
  const sorted = Object.entries(errors).sort((a, b) => b[1] - a[1]);
  const kept: Record<string, number> = {};
  let omitted = 0;
  for (const [i, [kind, n]] of sorted.entries()) {
    const key = kind.slice(0, maxKindLength);
    if (i < keep && !(key in kept)) kept[key] = n;
    else omitted += n;
  }
  return { errors: kept, errorsOmitted: omitted };
}

/** The figures the operator needs, without timeline or samples; error kinds are cut until it fits in 4,096 bytes. */
export function toCompactReport(report: BenchReport): CompactBenchReport {
  const l = report.latency;
  const base: Omit<CompactBenchReport, 'errors' | 'errorsOmitted'> = {
    version: 1,
    model: report.target.model.slice(0, maxModelLength),
    mode: report.mode,
    concurrency: report.load.concurrency,
    rate: report.load.rate,
    peakInFlight: report.load.peakInFlight,
    durationSeconds: report.durationSeconds,
    requests: report.requests.total,
    ok: report.requests.ok,
    errorRate: report.errorRate,
    throughputRps: report.throughputRps,
    p50Ms: l.p50Ms,
    p90Ms: l.p90Ms,
    p95Ms: l.p95Ms,
    p99Ms: l.p99Ms,
    p999Ms: l.p999Ms,
    maxMs: l.maxMs,
    meanMs: l.meanMs,
    sla: report.sla,
    generator: {
      healthy: report.generator.healthy,
      lateSends: report.generator.lateSends,
      maxLagMs: report.generator.maxLagMs,
      droppedSends: report.generator.droppedSends,
      cpuPercent: report.generator.cpuPercent,
    },
    capacity: report.sweep && {
      variable: report.sweep.variable,
      rps: report.sweep.capacityRps,
      load: report.sweep.capacityLoad,
      p99Ms: report.sweep.capacityP99Ms ?? null,
      steps: report.sweep.steps.length,
      stoppedBecause: report.sweep.stoppedBecause,
    },
    startedAt: report.startedAt,
    completedAt: report.completedAt,
    warnings: report.warnings.slice(0, maxWarnings).map((w) => (w.length > maxWarningLength ? `${w.slice(0, maxWarningLength - 1)}…` : w)),
  };
  // Error kinds go first, then warnings, until it fits.
  for (const warnings of [base.warnings, []]) {
    for (let keep = maxErrorKinds; keep >= 0; keep--) {
      const compact = { ...base, warnings, ...compactErrors(report.errors, keep) };
      if (bytes(compact) <= terminationMessageLimitBytes) return compact;
    }
  }
  throw new Error(`the compact report does not fit in ${terminationMessageLimitBytes} bytes even without error kinds`);
}

/** A failure message that fits the termination message, whatever the error text. */
export function toCompactFailure(error: string): CompactBenchFailure {
  let text = error;
  while (bytes({ version: 1, failed: true, error: text }) > terminationMessageLimitBytes) text = `${text.slice(0, text.length - 200)}…`;
  return { version: 1, failed: true, error: text };
}

/** Reads a termination message written by `vernier bench --termination-log`. */
export function parseTerminationMessage(text: string): TerminationMessage {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`the benchmark's termination message is not JSON: ${text.slice(0, 200)}`, { cause: err });
  }
  return TerminationMessage.parse(json);
}
