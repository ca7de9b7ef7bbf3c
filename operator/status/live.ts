// What the autoscaler saw and decided, as status: status.live, LatencyWithinSLA and status.autoscaling. Pure.
import { ConditionType, formatTime, Reason, type AutoscalingStatus, type ConditionDraft, type InferenceServiceStatus, type LiveStatus } from '../../crds/index.js';
import type { Decision } from '../autoscaling/decide.js';
import type { WindowFigures } from '../autoscaling/window.js';

/** Fewer requests than this in the window make a p99 little more than their maximum. */
export const MIN_REQUESTS_FOR_LIVE_P99 = 100;

export interface LiveInput {
  previous: InferenceServiceStatus | undefined;
  live: WindowFigures | undefined;
  /** Why there are no figures (the pods' metrics could not be read). */
  error?: string;
  decision: Decision | undefined;
  /** The Deployment's replicas before this pass applied the decision. */
  appliedReplicas: number | undefined;
  slaP99Ms: number;
  now: Date;
}

export interface LiveOutcome {
  live: LiveStatus | undefined;
  condition: ConditionDraft;
  autoscaling: AutoscalingStatus | undefined;
  /** Set when this pass changes the replicas: the Event to record. */
  scaled?: { from: number; to: number; reason: string };
}

const condition = (status: ConditionDraft['status'], reason: string, message: string): ConditionDraft => ({ type: ConditionType.LatencyWithinSLA, status, reason, message });

export function liveStatus(w: WindowFigures): LiveStatus {
  const p99 = w.requests >= MIN_REQUESTS_FOR_LIVE_P99 && w.p99Ms !== null ? { p99Ms: Number(w.p99Ms.toFixed(2)) } : {};
  return { rps: Number(w.rps.toFixed(1)), ...p99, windowSeconds: Math.round(w.windowSeconds), pods: w.podsCounted, observedAt: formatTime(new Date(w.observedAt)) };
}

export function liveOutcome(input: LiveInput): LiveOutcome {
  const { previous, decision, slaP99Ms } = input;
  const live = input.live ? liveStatus(input.live) : previous?.live;
  let cond: ConditionDraft;
  if (!input.live) {
    cond = input.error
      ? condition('Unknown', Reason.MetricsUnavailable, `the server pods' metrics could not be read: ${input.error}`)
      : condition('Unknown', Reason.NotEnoughTraffic, 'no live figures yet: the pods are scraped every interval and a window needs two scrapes');
  } else if (live?.p99Ms === undefined) {
    cond = condition('Unknown', Reason.NotEnoughTraffic, `${input.live.requests} requests in the last ${live!.windowSeconds} s: too few for a p99 (at least ${MIN_REQUESTS_FOR_LIVE_P99})`);
  } else if (live.p99Ms <= slaP99Ms) {
    cond = condition('True', Reason.LiveP99WithinSLA, `live p99 ${live.p99Ms} ms ≤ ${slaP99Ms} ms at ${live.rps} req/s over ${live.pods} pod(s)`);
  } else {
    cond = condition('False', Reason.LiveP99AboveSLA, `live p99 ${live.p99Ms} ms > ${slaP99Ms} ms at ${live.rps} req/s over ${live.pods} pod(s)`);
  }
  if (!decision) return { live, condition: cond, autoscaling: previous?.autoscaling };
  const changed = input.appliedReplicas !== undefined && decision.replicas !== input.appliedReplicas;
  const autoscaling: AutoscalingStatus = {
    desiredReplicas: decision.replicas,
    ...(changed ? { lastScaleTime: formatTime(input.now) } : previous?.autoscaling?.lastScaleTime ? { lastScaleTime: previous.autoscaling.lastScaleTime } : {}),
    message: decision.reason.slice(0, 1024),
  };
  return { live, condition: cond, autoscaling, ...(changed ? { scaled: { from: input.appliedReplicas!, to: decision.replicas, reason: decision.reason } } : {}) };
}
