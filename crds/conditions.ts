// Condition types and reasons of InferenceService status: constants, so the operator, tests and `kubectl wait` agree.

export const ConditionType = {
  /** The server Deployment has the requested replicas available and the Service routes to them. */
  Ready: 'Ready',
  /** A benchmark has completed for the current spec (status.benchmark.specHash matches it). */
  Benchmarked: 'Benchmarked',
  /** The latest benchmark met spec.sla; `kubectl wait --for=condition=SLAMet` waits on it. */
  SLAMet: 'SLAMet',
} as const;
export type ConditionType = (typeof ConditionType)[keyof typeof ConditionType];

export const Reason = {
  // Ready
  /** Every requested server pod is available. */
  DeploymentAvailable: 'DeploymentAvailable',
  /** The Deployment is rolling out or pods are still starting. */
  DeploymentProgressing: 'DeploymentProgressing',
  /** The rollout stopped making progress (e.g. the image cannot be pulled or the model fails to load). */
  DeploymentFailed: 'DeploymentFailed',

  // Benchmarked
  /** Waiting for the server to become Ready before load-testing it. */
  BenchmarkPending: 'BenchmarkPending',
  /** The benchmark Job is running against the Service. */
  BenchmarkRunning: 'BenchmarkRunning',
  /** The benchmark Job exists but its pod cannot run yet (unschedulable, image missing); the message says why. */
  BenchmarkStuck: 'BenchmarkStuck',
  /** The benchmark Job finished and its report is in status.benchmark. */
  BenchmarkSucceeded: 'BenchmarkSucceeded',
  /** The benchmark Job failed or left no readable report; the message says why. */
  BenchmarkFailed: 'BenchmarkFailed',
  /** The spec changed since the last benchmark, so its result no longer describes the service. */
  SpecChanged: 'SpecChanged',

  // SLAMet
  /** Measured p99 latency and throughput are within spec.sla. */
  SLAMet: 'SLAMet',
  /** Measured p99 latency is above spec.sla.p99LatencyMs. */
  P99AboveTarget: 'P99AboveTarget',
  /** Measured throughput is below spec.sla.minThroughputRps. */
  ThroughputBelowTarget: 'ThroughputBelowTarget',
  /** So many requests failed that the latency figures cannot be trusted. */
  ErrorRateTooHigh: 'ErrorRateTooHigh',
  /** No benchmark result for the current spec yet, so the SLA verdict is unknown. */
  NotMeasured: 'NotMeasured',

  // Any condition
  /** The spec fails validation; the message lists each offending field. */
  InvalidSpec: 'InvalidSpec',
} as const;
export type Reason = (typeof Reason)[keyof typeof Reason];

/** A condition as pure status code produces it, before observedGeneration and lastTransitionTime are stamped on. */
export interface ConditionDraft {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  observedGeneration?: number;
}

/** RFC 3339 at second precision, as metav1.Time serializes. */
export function formatTime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}
