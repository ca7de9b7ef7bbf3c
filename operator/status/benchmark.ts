// The benchmark: what a Job's outcome means for status.benchmark, Benchmarked and SLAMet. Pure.
import type { V1Job, V1Pod } from '@kubernetes/client-node';
import { figuresOfStatus, measuredStatus, parseTerminationMessage, slaCondition, verdictOn, type CompactBenchReport } from '../../contracts/index.js';
import {
  ConditionType,
  Reason,
  type BenchmarkStatus,
  type Condition,
  type ConditionDraft,
  type InferenceServiceSpec,
  type InferenceServiceStatus,
} from '../../crds/index.js';
import { BENCH_CONTAINER } from '../desired/job.js';
import { findCondition } from './conditions.js';

export type JobObservation =
  | { state: 'absent' }
  /** `stuck`: why its pod is not running yet (unschedulable, image missing), while that lasts. */
  | { state: 'running'; jobName: string; stuck?: string }
  | { state: 'succeeded'; jobName: string; report: CompactBenchReport }
  | { state: 'failed'; jobName: string; message: string };

export interface BenchmarkOutcome {
  /** status.benchmark to write (the previous one, possibly stale, when nothing new was measured). */
  benchmark: BenchmarkStatus | undefined;
  benchmarked: ConditionDraft;
  slaMet: ConditionDraft;
  /** The Job for the current spec hash should be created now. */
  createJob: boolean;
}

const MAX_MESSAGE = 2000;

const draft = ({ type, status, reason, message }: ConditionDraft | Condition): ConditionDraft => ({ type, status, reason, message });
const benchmarked = (status: ConditionDraft['status'], reason: string, message: string): ConditionDraft => ({ type: ConditionType.Benchmarked, status, reason, message });
const slaMet = (status: ConditionDraft['status'], reason: string, message: string): ConditionDraft => ({ type: ConditionType.SLAMet, status, reason, message });

/** Reasons of an SLAMet condition that is a verdict on a measurement (as opposed to "not measured"). */
const VERDICTS: ReadonlySet<string> = new Set([Reason.SLAMet, Reason.P99AboveTarget, Reason.ThroughputBelowTarget, Reason.ErrorRateTooHigh]);

/** The current spec's result is already in status: nothing to run. */
export function isMeasured(previous: InferenceServiceStatus | undefined, hash: string): boolean {
  return previous?.benchmark?.specHash === hash;
}

/** The benchmark of this generation failed earlier (its Job may be gone by now): report, do not rerun. */
export function failedForGeneration(previous: InferenceServiceStatus | undefined, generation: number): boolean {
  const c = findCondition(previous?.conditions, ConditionType.Benchmarked);
  return c?.reason === Reason.BenchmarkFailed && c.observedGeneration === generation;
}

function condition(job: V1Job, type: string) {
  return job.status?.conditions?.find((c) => c.type === type && c.status === 'True');
}

/** The Job has completed or failed: its pods will not run again. */
export function isFinished(job: V1Job): boolean {
  return condition(job, 'Complete') !== undefined || condition(job, 'Failed') !== undefined;
}

function benchTermination(pod: V1Pod) {
  const status = pod.status?.containerStatuses?.find((s) => s.name === BENCH_CONTAINER);
  return status?.state?.terminated ?? status?.lastState?.terminated;
}

/** Container waiting reasons that will not fix themselves soon: worth telling the user while the Job waits. */
const STUCK_WAITING_REASONS: ReadonlySet<string> = new Set([
  'ErrImagePull',
  'ImagePullBackOff',
  'ErrImageNeverPull',
  'InvalidImageName',
  'CreateContainerConfigError',
  'CreateContainerError',
  'CrashLoopBackOff',
]);

/** Why a benchmark pod is not running, in the cluster's own words; undefined when it is on its way. */
export function podStuckReason(pod: V1Pod): string | undefined {
  const name = pod.metadata?.name ?? 'the benchmark pod';
  const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  if (scheduled?.status === 'False' && scheduled.reason === 'Unschedulable') {
    return `pod ${name} cannot be scheduled: ${scheduled.message ?? 'no node fits it'}`;
  }
  const waiting = pod.status?.containerStatuses?.map((s) => s.state?.waiting).find((w) => w?.reason && STUCK_WAITING_REASONS.has(w.reason));
  if (waiting) return `pod ${name} cannot start: ${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}`;
  return undefined;
}

/** Reads a Job and its pods into an observation; `pods` are the Job's pods (any order). */
export function observeJob(job: V1Job | undefined, pods: readonly V1Pod[]): JobObservation {
  if (!job) return { state: 'absent' };
  const jobName = job.metadata?.name ?? '(unnamed)';
  const complete = condition(job, 'Complete');
  const failed = condition(job, 'Failed');
  if (!complete && !failed) {
    const stuck = pods.map(podStuckReason).find((why) => why !== undefined);
    return stuck ? { state: 'running', jobName, stuck: stuck.slice(0, MAX_MESSAGE) } : { state: 'running', jobName };
  }
  const terminated = pods.map(benchTermination).filter((t) => t !== undefined);
  const message = terminated.map((t) => t.message?.trim()).find((m) => m);
  if (complete) {
    if (!message) return { state: 'failed', jobName, message: `Job ${jobName} completed but its pod left no report in its termination message` };
    try {
      const parsed = parseTerminationMessage(message);
      if ('failed' in parsed) return { state: 'failed', jobName, message: `Job ${jobName}: ${parsed.error}` };
      return { state: 'succeeded', jobName, report: parsed };
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      return { state: 'failed', jobName, message: `Job ${jobName} left an unreadable report: ${why}`.slice(0, MAX_MESSAGE) };
    }
  }
  const jobWhy = `${failed!.reason ?? 'Failed'}${failed!.message ? `: ${failed!.message}` : ''}`;
  const exit = terminated.find((t) => t.exitCode !== undefined && t.exitCode !== 0);
  return { state: 'failed', jobName, message: `Job ${jobName} failed (${jobWhy})${podDetail(message, exit?.exitCode)}`.slice(0, MAX_MESSAGE) };
}

/** The pod's own words: the compact failure's error, or the log tail kubelet kept. */
function podDetail(message: string | undefined, exitCode: number | undefined): string {
  const code = exitCode !== undefined ? `; the benchmark exited with code ${exitCode}` : '';
  if (!message) return code;
  try {
    const parsed = parseTerminationMessage(message);
    if ('failed' in parsed) return `${code}: ${parsed.error}`;
  } catch {
    // Not a compact report: FallbackToLogsOnError put the log tail there.
  }
  return `${code}: ${message}`;
}

/** Benchmarked from the stored figures alone, when the condition written with them was replaced (e.g. by InvalidSpec). */
function measuredCondition(b: BenchmarkStatus): ConditionDraft {
  return benchmarked(
    'True',
    Reason.BenchmarkSucceeded,
    `measured ${b.requests} requests over ${b.durationSeconds} s: p99 ${b.p99Ms} ms, ${b.throughputRps} req/s, ${(b.errorRate * 100).toFixed(2)} % errors (completed ${b.completedAt})`,
  );
}

const NOT_MEASURED = slaMet('Unknown', Reason.NotMeasured, 'no benchmark result for the current spec yet');
const NOT_CHECKED = slaMet('Unknown', Reason.BenchmarkFailed, 'the benchmark failed, so the SLA could not be checked; change the spec to run it again');

export interface BenchmarkInput {
  previous: InferenceServiceStatus | undefined;
  spec: InferenceServiceSpec;
  hash: string;
  generation: number;
  ready: boolean;
  /** The Job that measures the current spec hash. */
  jobName: string;
  /** undefined when the Job was not looked at (already measured, or failed for this generation). */
  job: JobObservation | undefined;
  /** The report that measured the current spec, as recorded (record.ts): the conditions are written from it again. */
  report?: CompactBenchReport;
}

export function benchmarkOutcome(input: BenchmarkInput): BenchmarkOutcome {
  const { previous, spec, hash, generation } = input;
  const kept = previous?.benchmark;
  if (isMeasured(previous, hash)) {
    if (input.report) {
      // What the pass that read the Job wrote, whatever has been made of it since.
      const measured = measuredStatus(input.report, spec, hash);
      return { benchmark: kept, benchmarked: measured.benchmarked, slaMet: measured.slaMet, createJob: false };
    }
    // The conditions written with the result say more (e.g. the commonest error) than the stored figures can;
    // they are kept as long as they are the verdict on it. The SLA is in the hash, so the verdict cannot have changed.
    const written = findCondition(previous?.conditions, ConditionType.Benchmarked);
    const verdict = findCondition(previous?.conditions, ConditionType.SLAMet);
    return {
      benchmark: kept,
      benchmarked: written?.reason === Reason.BenchmarkSucceeded ? draft(written) : measuredCondition(kept!),
      slaMet: verdict && VERDICTS.has(verdict.reason) ? draft(verdict) : slaCondition(verdictOn(figuresOfStatus(kept!), spec)),
      createJob: false,
    };
  }
  if (failedForGeneration(previous, generation)) {
    const c = findCondition(previous?.conditions, ConditionType.Benchmarked)!;
    return {
      benchmark: kept,
      benchmarked: benchmarked('False', Reason.BenchmarkFailed, c.message),
      slaMet: NOT_CHECKED,
      createJob: false,
    };
  }
  const job = input.job ?? { state: 'absent' };
  switch (job.state) {
    case 'succeeded':
      return { ...measuredStatus(job.report, spec, hash), createJob: false };
    case 'failed':
      return {
        benchmark: kept,
        benchmarked: benchmarked('False', Reason.BenchmarkFailed, job.message),
        slaMet: NOT_CHECKED,
        createJob: false,
      };
    case 'running':
      return {
        benchmark: kept,
        benchmarked: job.stuck
          ? benchmarked('False', Reason.BenchmarkStuck, `Job ${job.jobName} is waiting: ${job.stuck}`)
          : benchmarked('False', Reason.BenchmarkRunning, `Job ${job.jobName} is load-testing the service`),
        slaMet: NOT_MEASURED,
        createJob: false,
      };
    case 'absent':
      if (!input.ready) {
        const changed = kept !== undefined;
        return {
          benchmark: kept,
          benchmarked: benchmarked(
            'False',
            changed ? Reason.SpecChanged : Reason.BenchmarkPending,
            changed
              ? `the spec changed since the last benchmark (spec hash ${kept.specHash} → ${hash}); waiting for the server to be Ready to measure again`
              : 'waiting for the server to be Ready before load-testing it',
          ),
          slaMet: NOT_MEASURED,
          createJob: false,
        };
      }
      return {
        benchmark: kept,
        benchmarked: benchmarked('False', Reason.BenchmarkRunning, `Job ${input.jobName} is load-testing the service`),
        slaMet: NOT_MEASURED,
        createJob: true,
      };
  }
}
