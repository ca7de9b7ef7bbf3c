// metav1.Condition helpers: one condition per type, lastTransitionTime moving only when status moves.
import { ConditionType, formatTime, type Condition, type ConditionDraft } from '../../crds/index.js';

/** The order conditions are written in, so that equal status serializes equally. */
export const CONDITION_ORDER: readonly string[] = [
  ConditionType.Ready,
  ConditionType.Benchmarked,
  ConditionType.SLAMet,
  ConditionType.CapacityMeasured,
  ConditionType.LatencyWithinSLA,
];

export function findCondition(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

function byOrder(a: Condition, b: Condition): number {
  const rank = (c: Condition) => {
    const i = CONDITION_ORDER.indexOf(c.type);
    return i === -1 ? CONDITION_ORDER.length : i;
  };
  return rank(a) - rank(b) || a.type.localeCompare(b.type);
}

/** Returns a new list with `update` replacing the condition of its type; `now` is used only if the status changed. */
export function setCondition(conditions: readonly Condition[] | undefined, update: ConditionDraft, now: Date): Condition[] {
  const previous = findCondition(conditions, update.type);
  const lastTransitionTime =
    previous && previous.status === update.status ? previous.lastTransitionTime : formatTime(now);
  const next: Condition = {
    type: update.type,
    status: update.status,
    ...(update.observedGeneration !== undefined ? { observedGeneration: update.observedGeneration } : {}),
    lastTransitionTime,
    reason: update.reason,
    message: update.message,
  };
  return [...(conditions ?? []).filter((c) => c.type !== update.type), next].sort(byOrder);
}

/** The list without the condition of `type` (one that no longer applies, e.g. after spec.autoscaling is removed). */
export function removeCondition(conditions: readonly Condition[] | undefined, type: string): Condition[] {
  return (conditions ?? []).filter((c) => c.type !== type);
}

export function isTrue(conditions: readonly Condition[] | undefined, type: string): boolean {
  return findCondition(conditions, type)?.status === 'True';
}
