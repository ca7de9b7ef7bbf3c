// Condition types and reasons of InferenceService status: constants, so the operator, tests and `kubectl wait` agree.

export const ConditionType = {
  /** The server Deployment has the requested replicas available and the Service routes to them. */
  Ready: 'Ready',
  /** A benchmark has completed for the current spec (status.benchmark.specHash matches it). */
  Benchmarked: 'Benchmarked',
  /** The latest benchmark met spec.sla; `kubectl wait --for=condition=SLAMet` waits on it. */
  SLAMet: 'SLAMet',
  /** One replica's capacity within the SLA is measured for the current spec (status.capacity); with spec.autoscaling only. */
  CapacityMeasured: 'CapacityMeasured',
  /** The live p99 across the server pods (status.live) is within spec.sla.p99LatencyMs. */
  LatencyWithinSLA: 'LatencyWithinSLA',
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
  /** The server exits because CUDA cannot be used (no GPU visible, no driver, no CUDA provider in the image). */
  CUDAUnavailable: 'CUDAUnavailable',
  /** The server exits because the model cannot be loaded or served as configured. */
  ModelLoadFailed: 'ModelLoadFailed',

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

  // CapacityMeasured
  /** Waiting for a measured benchmark and a ready server pod before searching for the capacity. */
  CapacityPending: 'CapacityPending',
  /** The capacity Job is searching for the highest rate one pod serves within the SLA. */
  CapacityMeasuring: 'CapacityMeasuring',
  /** status.capacity holds the result for the current spec. */
  CapacitySucceeded: 'CapacitySucceeded',
  /** The capacity Job failed, or no rate met the SLA; the message says why. */
  CapacityFailed: 'CapacityFailed',

  // LatencyWithinSLA
  /** Live p99 at or below the SLA's target. */
  LiveP99WithinSLA: 'LiveP99WithinSLA',
  /** Live p99 above the SLA's target. */
  LiveP99AboveSLA: 'LiveP99AboveSLA',
  /** Too few requests in the window for a p99, or no metrics yet. */
  NotEnoughTraffic: 'NotEnoughTraffic',
  /** The server pods' metrics could not be read. */
  MetricsUnavailable: 'MetricsUnavailable',

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
