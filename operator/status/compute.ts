// The whole status of one pass, from what reconcile observed. Pure: equal inputs give equal status.
import type { V1Deployment } from '@kubernetes/client-node';
import {
  canonicalJson,
  ConditionType,
  Reason,
  type ConditionDraft,
  type ConditionStatus,
  type InferenceServiceStatus,
} from '../../crds/index.js';
import type { BenchmarkOutcome } from './benchmark.js';
import type { CapacityOutcome } from './capacity.js';
import { removeCondition, setCondition } from './conditions.js';
import type { LiveOutcome } from './live.js';

export interface StatusInput {
  previous: InferenceServiceStatus | undefined;
  generation: number;
  endpoint: string;
  deployment: V1Deployment | undefined;
  ready: ConditionDraft;
  benchmark: BenchmarkOutcome;
  /** Label selector of the server pods, for the scale subresource. */
  selector?: string;
  /** With spec.autoscaling: the capacity search and what the autoscaler saw and decided. */
  autoscaling?: { capacity: CapacityOutcome; live: LiveOutcome };
  now: Date;
}

export function computeStatus(input: StatusInput): InferenceServiceStatus {
  const { previous, generation, now } = input;
  const scaling = input.autoscaling;
  // Without autoscaling nothing is scraped, so live figures would only go stale; a measured capacity stays true.
  let conditions = scaling ? previous?.conditions : removeCondition(previous?.conditions, ConditionType.LatencyWithinSLA);
  const drafts = [input.ready, input.benchmark.benchmarked, input.benchmark.slaMet, ...(scaling ? [scaling.capacity.condition, scaling.live.condition] : [])];
  for (const draft of drafts) conditions = setCondition(conditions, { ...draft, observedGeneration: generation }, now);
  const capacity = scaling ? scaling.capacity.capacity : previous?.capacity;
  return {
    observedGeneration: generation,
    conditions: conditions!,
    endpoint: input.endpoint,
    replicas: input.deployment?.status?.replicas ?? 0,
    readyReplicas: input.deployment?.status?.readyReplicas ?? 0,
    ...(input.selector ? { selector: input.selector } : {}),
    ...(input.benchmark.benchmark ? { benchmark: input.benchmark.benchmark } : {}),
    ...(capacity ? { capacity } : {}),
    ...(scaling?.live.live ? { live: scaling.live.live } : {}),
    ...(scaling?.live.autoscaling ? { autoscaling: scaling.live.autoscaling } : {}),
  };
}

/** Status for a spec the operator cannot act on: every condition says why; what was measured before stays. */
export function invalidSpecStatus(previous: InferenceServiceStatus | undefined, generation: number, problem: string, now: Date): InferenceServiceStatus {
  const message = `the spec is invalid, nothing was changed: ${problem}`;
  const entries: Array<[string, ConditionStatus]> = [
    [ConditionType.Ready, 'False'],
    [ConditionType.Benchmarked, 'False'],
    [ConditionType.SLAMet, 'Unknown'],
  ];
  let conditions = previous?.conditions;
  for (const [type, status] of entries) {
    conditions = setCondition(conditions, { type, status, reason: Reason.InvalidSpec, message, observedGeneration: generation }, now);
  }
  return { ...(previous ?? {}), observedGeneration: generation, conditions };
}

export function sameStatus(a: InferenceServiceStatus | undefined, b: InferenceServiceStatus | undefined): boolean {
  return canonicalJson(a ?? {}) === canonicalJson(b ?? {});
}
