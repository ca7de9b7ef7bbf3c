// The full benchmark report: one zod schema, written by `vernier bench --json` and read by the operator and `vernier run`.
import { z } from 'zod';

const ms = z.number().min(0);
const count = z.number().int().min(0);

export const LatencyFigures = z.object({
  p50Ms: ms,
  p90Ms: ms,
  p95Ms: ms,
  p99Ms: ms,
  p999Ms: ms,
  maxMs: ms,
  minMs: ms,
  meanMs: ms,
  stdDevMs: ms,
});
export type LatencyFigures = z.infer<typeof LatencyFigures>;

export const SlaTargetName = z.enum(['p99LatencyMs', 'minThroughputRps', 'maxErrorRate']);
export type SlaTargetName = z.infer<typeof SlaTargetName>;

export const SlaCheck = z.object({
  target: SlaTargetName,
  threshold: z.number(),
  /** null when it could not be measured (no successful request for a latency target). */
  measured: z.number().nullable(),
  met: z.boolean(),
});
export type SlaCheck = z.infer<typeof SlaCheck>;

export const SlaVerdict = z.object({ met: z.boolean(), checks: z.array(SlaCheck).min(1) });
export type SlaVerdict = z.infer<typeof SlaVerdict>;

export const GeneratorHealth = z.object({
  /** Open loop: sends the schedule called for in the measured window (sent + dropped). */
  scheduledSends: count,
  sentRequests: count,
  /** Open loop: sends skipped because `maxInFlight` requests were already outstanding (also counted as `dropped` errors). */
  droppedSends: count,
  /** Open loop: sends that left more than `lateThresholdMs` after their intended time. */
  lateSends: count,
  lateThresholdMs: ms,
  maxLagMs: ms,
  meanLagMs: ms,
  /** Open loop: sends per second the generator actually attempted in the measured window. */
  offeredRps: z.number().min(0).nullable(),
  /** CPU time of the generator process (every load thread) over the run, in percent of one core (200 = two cores). */
  cpuPercent: z.number().min(0),
  /** Load threads that carried the run. */
  threads: z.number().int().positive(),
  /** Event-loop utilization (0..1) of the busiest load thread: near 1 it could not send or read any faster. */
  busiestThreadUtilization: z.number().min(0).max(1),
  /** The generator's cgroup CPU limit in cores (a container's limit); null when it has none. */
  cpuLimitCores: z.number().positive().nullable(),
  /** Time the CPU limit held the generator back during the run; null where the cgroup does not say. */
  throttledMs: ms.nullable(),
  eventLoopDelayP99Ms: ms,
  eventLoopDelayMaxMs: ms,
  /** False when the generator itself may have limited the figures (late sends, a saturated CPU or thread, a CPU limit that throttled it). */
  healthy: z.boolean(),
});
export type GeneratorHealth = z.infer<typeof GeneratorHealth>;

export const TimelineSecond = z.object({
  second: count,
  requests: count,
  ok: count,
  errors: count,
  p99Ms: ms.nullable(),
});

export const SweepStep = z.object({
  /** Concurrency (closed loop) or rate in req/s (open loop). */
  load: z.number().positive(),
  throughputRps: z.number().min(0),
  p50Ms: ms,
  p99Ms: ms,
  errorRate: z.number().min(0).max(1),
  requests: count,
  passed: z.boolean(),
  /** Why the step did not pass; null when it did. */
  reason: z.string().nullable(),
});
export type SweepStep = z.infer<typeof SweepStep>;

/**
 * Why a sweep or a capacity search ended: a step missed the SLA, failed requests, or found the generator unable to keep
 * its schedule; the given steps ran out; the search bracketed the SLA edge closely enough; or its time budget ran out.
 */
export const SweepStopReason = z.enum(['sla_missed', 'errors', 'generator_saturated', 'steps_exhausted', 'converged', 'budget_spent']);
export type SweepStopReason = z.infer<typeof SweepStopReason>;

/** How a capacity search (`--capacity`) spent its budget. */
export const CapacitySearch = z.object({
  budgetSeconds: z.number().positive(),
  /** From the start of warmup to the end of the last step, drain included. */
  elapsedSeconds: z.number().min(0),
  /** The closed-loop run that estimated the server's ceiling, where the open-loop steps start from. */
  probe: z.object({
    concurrency: z.number().int().positive(),
    durationSeconds: z.number().min(0),
    /** Successful requests sent in the probe's window per second of it: the ceiling estimate. */
    throughputRps: z.number().min(0),
    p99Ms: ms,
  }),
  /** Lowest rate that missed the SLA or outran the generator: the capacity lies below it. Null when none did. */
  missedLoad: z.number().positive().nullable(),
});
export type CapacitySearch = z.infer<typeof CapacitySearch>;

export const SweepSummary = z.object({
  variable: z.enum(['concurrency', 'rate']),
  /** Empty when a capacity search stopped before its first step (see `stoppedBecause`). */
  steps: z.array(SweepStep),
  /** Highest throughput among the steps that met the SLA without errors: the replica's capacity. Null when none did. */
  capacityRps: z.number().min(0).nullable(),
  capacityLoad: z.number().positive().nullable(),
  /** p99 of that step. Optional: reports written before it existed still parse. */
  capacityP99Ms: ms.nullable().optional(),
  stoppedBecause: SweepStopReason,
  /** Set by a capacity search; a sweep over given or doubling steps has none. */
  search: CapacitySearch.optional(),
});
export type SweepSummary = z.infer<typeof SweepSummary>;

export const BenchReport = z.object({
  version: z.literal(1),
  target: z.object({
    url: z.string(),
    /** Empty when a --path other than a model's infer endpoint was loaded. */
    model: z.string(),
    request: z.object({ method: z.string(), path: z.string() }),
    /** The server runs on the generator's machine (loopback or one of its addresses): they shared its CPUs. */
    local: z.boolean(),
    inputs: z.array(z.object({ name: z.string(), datatype: z.string(), shape: z.array(z.number().int()) })),
    payload: z.object({
      /** raw: a file's bytes as they are; none: no body. */
      encoding: z.enum(['json', 'binary', 'raw', 'none']),
      source: z.enum(['generated', 'file', 'none']),
      variants: count,
      bytes: count,
    }),
  }),
  mode: z.enum(['closed', 'open']),
  load: z.object({
    concurrency: z.number().int().positive().nullable(),
    rate: z.number().positive().nullable(),
    arrival: z.enum(['constant', 'poisson']).nullable(),
    maxInFlight: z.number().int().positive().nullable(),
    /** Open loop: most requests outstanding at once (null in closed loop, where it is `concurrency`). */
    peakInFlight: z.number().int().min(0).nullable(),
  }),
  startedAt: z.iso.datetime(),
  completedAt: z.iso.datetime(),
  warmupSeconds: z.number().min(0),
  /** Length of the measured window (after warmup, until the last measured response). */
  durationSeconds: z.number().min(0),
  requests: z.object({
    /** Measured requests that completed, failed or were dropped. */
    total: count,
    ok: count,
    errors: count,
    warmup: z.object({ completed: count, errors: count }),
  }),
  /** Successful requests per second over the measured window. */
  throughputRps: z.number().min(0),
  errorRate: z.number().min(0).max(1),
  /** Latency of successful requests: from the send in closed loop, from the intended send time in open loop. 0 when none succeeded. */
  latency: LatencyFigures,
  /** Failed requests by kind: http_<status>, timeout, connection, dropped, other. */
  errors: z.record(z.string(), count),
  errorSamples: z.array(z.object({ kind: z.string(), message: z.string() })),
  timeline: z.array(TimelineSecond),
  generator: GeneratorHealth,
  sla: SlaVerdict.nullable(),
  sweep: SweepSummary.nullable(),
  warnings: z.array(z.string()),
});
export type BenchReport = z.infer<typeof BenchReport>;
