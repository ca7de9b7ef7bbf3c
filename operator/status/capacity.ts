// One replica's capacity within the SLA: what a capacity Job's outcome means for status.capacity and CapacityMeasured. Pure.
import { ConditionType, formatTime, Reason, type CapacityStatus, type ConditionDraft, type InferenceServiceStatus } from '../../crds/index.js';
import type { JobObservation } from './benchmark.js';

export interface CapacityInput {
  previous: InferenceServiceStatus | undefined;
  hash: string;
  /** The declared benchmark of this spec hash is done: the capacity search loads the same pods, so it runs after. */
  benchmarked: boolean;
  /** A ready server pod to search against (its IP), if any. */
  podReady: boolean;
  jobName: string;
  /** undefined when the Job was not looked at (capacity already known). */
  job: JobObservation | undefined;
}

export interface CapacityOutcome {
  capacity: CapacityStatus | undefined;
  condition: ConditionDraft;
  createJob: boolean;
}

const condition = (status: ConditionDraft['status'], reason: string, message: string): ConditionDraft => ({ type: ConditionType.CapacityMeasured, status, reason, message });

/** The current spec's capacity is already in status. */
export function capacityKnown(previous: InferenceServiceStatus | undefined, hash: string): boolean {
  return previous?.capacity?.specHash === hash;
}

export function capacityOutcome(input: CapacityInput): CapacityOutcome {
  const { previous, hash } = input;
  const kept = previous?.capacity;
  if (capacityKnown(previous, hash)) {
    const c = kept!;
    return { capacity: kept, condition: condition('True', Reason.CapacitySucceeded, describe(c)), createJob: false };
  }
  const job = input.job ?? { state: 'absent' };
  switch (job.state) {
    case 'succeeded': {
      const found = job.report.capacity;
      if (!found || found.rps === null || found.rps <= 0) {
        const why = found ? `no rate met the SLA (stopped: ${found.stoppedBecause.replace('_', ' ')})` : 'the report holds no capacity';
        return { capacity: kept, condition: condition('False', Reason.CapacityFailed, `Job ${job.jobName}: ${why}`), createJob: false };
      }
      const capacity: CapacityStatus = {
        rpsPerReplica: Number(found.rps.toFixed(1)),
        ...(found.p99Ms !== undefined && found.p99Ms !== null ? { p99Ms: Number(found.p99Ms.toFixed(2)) } : {}),
        specHash: hash,
        measuredAt: formatTime(new Date(job.report.completedAt)),
      };
      return { capacity, condition: condition('True', Reason.CapacitySucceeded, describe(capacity)), createJob: false };
    }
    case 'failed':
      return { capacity: kept, condition: condition('False', Reason.CapacityFailed, job.message), createJob: false };
    case 'running':
      return {
        capacity: kept,
        condition: condition('False', Reason.CapacityMeasuring, job.stuck ? `Job ${job.jobName} is waiting: ${job.stuck}` : `Job ${job.jobName} is searching for the highest rate one pod serves within the SLA`),
        createJob: false,
      };
    case 'absent':
      if (!input.benchmarked || !input.podReady) {
        const waiting = !input.benchmarked ? 'the benchmark of the current spec' : 'a ready server pod';
        return { capacity: kept, condition: condition('False', Reason.CapacityPending, `waiting for ${waiting} before searching for the capacity of one replica`), createJob: false };
      }
      return { capacity: kept, condition: condition('False', Reason.CapacityMeasuring, `Job ${input.jobName} is searching for the highest rate one pod serves within the SLA`), createJob: true };
  }
}

function describe(c: CapacityStatus): string {
  const p99 = c.p99Ms !== undefined ? ` at p99 ${c.p99Ms} ms` : '';
  return `one replica serves ${c.rpsPerReplica} req/s within the SLA${p99} (measured ${c.measuredAt})`;
}
