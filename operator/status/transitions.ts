// Which condition changes deserve a Kubernetes Event: a status or reason that differs from the previous pass. A
// condition's first, still-waiting state (not True, not a warning) only repeats status, so it makes no Event: a
// thousand new InferenceServices would otherwise cost three thousand writes that say "not yet".
import { Reason, type Condition } from '../../crds/index.js';
import { findCondition } from './conditions.js';

export interface ConditionEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

/** Reasons that ask a human to do something. */
const WARNING_REASONS: ReadonlySet<string> = new Set([
  Reason.DeploymentFailed,
  Reason.BenchmarkFailed,
  Reason.P99AboveTarget,
  Reason.ThroughputBelowTarget,
  Reason.ErrorRateTooHigh,
  Reason.InvalidSpec,
]);

export function conditionTransitions(previous: readonly Condition[] | undefined, next: readonly Condition[]): ConditionEvent[] {
  const events: ConditionEvent[] = [];
  for (const condition of next) {
    const before = findCondition(previous, condition.type);
    if (before && before.status === condition.status && before.reason === condition.reason) continue;
    const warning = WARNING_REASONS.has(condition.reason);
    if (!before && condition.status !== 'True' && !warning) continue;
    events.push({
      type: warning ? 'Warning' : 'Normal',
      reason: condition.reason,
      message: `${condition.type}=${condition.status}: ${condition.message}`,
    });
  }
  return events;
}
