// The replica count for a served model, from the live load and latency and the capacity its benchmark measured.
import type { WindowFigures } from './window.js';

export interface AutoscalingPolicy {
  minReplicas: number;
  maxReplicas: number;
  /** The share of a replica's measured capacity each replica should carry (0 < x ≤ 1), leaving headroom for bursts. */
  targetUtilization: number;
  /** Relative distance from the target within which the replica count is left alone. */
  tolerance: number;
  /** A scale-down goes no lower than the highest recommendation made within this many seconds. */
  scaleDownStabilizationSeconds: number;
  /** One scale-up adds at most the larger of this factor of the current replicas … */
  scaleUpFactor: number;
  /** … and this many replicas. */
  scaleUpPods: number;
  /** Metrics whose latest scrape is older than this are not acted on. */
  staleAfterSeconds: number;
  /** A window with fewer requests has too few for its p99 to mean anything: the latency rule waits. */
  minRequestsForP99: number;
}

export const defaultAutoscalingPolicy: Omit<AutoscalingPolicy, 'minReplicas' | 'maxReplicas'> = {
  targetUtilization: 0.7,
  tolerance: 0.1,
  scaleDownStabilizationSeconds: 300,
  scaleUpFactor: 2,
  scaleUpPods: 4,
  staleAfterSeconds: 45,
  minRequestsForP99: 100,
};

/** A policy from the bounds and whichever settings are given, the rest at their defaults. */
export function autoscalingPolicy(settings: Pick<AutoscalingPolicy, 'minReplicas' | 'maxReplicas'> & Partial<AutoscalingPolicy>): AutoscalingPolicy {
  const policy = { ...defaultAutoscalingPolicy, ...settings };
  const problems = [
    !(Number.isInteger(policy.minReplicas) && policy.minReplicas >= 1) && 'minReplicas must be an integer of at least 1',
    !(Number.isInteger(policy.maxReplicas) && policy.maxReplicas >= policy.minReplicas) && 'maxReplicas must be an integer of at least minReplicas',
    !(policy.targetUtilization > 0 && policy.targetUtilization <= 1) && 'targetUtilization must be in (0, 1]',
    !(policy.tolerance >= 0) && 'tolerance must not be negative',
    !(policy.scaleDownStabilizationSeconds >= 0) && 'scaleDownStabilizationSeconds must not be negative',
    !(policy.scaleUpFactor >= 1 && policy.scaleUpPods >= 1) && 'a scale-up must be able to add a replica',
    !(policy.staleAfterSeconds > 0) && 'staleAfterSeconds must be positive',
    !(policy.minRequestsForP99 >= 0) && 'minRequestsForP99 must not be negative',
  ].filter((problem): problem is string => typeof problem === 'string');
  if (problems.length > 0) throw new RangeError(`invalid autoscaling policy: ${problems.join('; ')}`);
  return policy;
}

/** A replica count recommended from the metrics at `at` (ms since the epoch). */
export interface Recommendation {
  at: number;
  replicas: number;
}

export interface DecisionInput {
  /** ms since the epoch. */
  now: number;
  /** The replica count the Deployment asks for now. */
  currentReplicas: number;
  /** Pods of the last scale-up or rollout that are not yet ready: their effect on the metrics is still to come. */
  podsStarting: boolean;
  /** The live figures; undefined before two scrapes. */
  window: WindowFigures | undefined;
  /** Requests per second one replica carries within the SLA, from the benchmark; undefined until it has run. */
  capacityRps: number | undefined;
  slaP99Ms: number;
  policy: AutoscalingPolicy;
  /** Earlier recommendations, as returned in the last decision's history. */
  history: readonly Recommendation[];
}

export type HoldReason =
  | 'pods-starting'
  | 'no-capacity'
  | 'no-metrics'
  | 'stale-metrics'
  | 'incomplete-metrics'
  | 'within-tolerance'
  | 'stabilizing'
  | 'steady'
  | 'at-max-replicas'
  | 'at-min-replicas';

export interface Decision {
  /** The replica count to set (the current one when holding). */
  replicas: number;
  action: 'scale-up' | 'scale-down' | 'hold';
  holdReason?: HoldReason;
  /** Why, as a sentence for events and status. */
  reason: string;
  /** What the metrics ask for within [min, max], before the scale-up step limit and scale-down stabilization. */
  recommendation?: number;
  /** The recommendations to pass to the next decision (this one included, those past the stabilization window dropped). */
  history: Recommendation[];
}

/**
 * The replica count to run now. Rules, in order:
 * 1. Outside [minReplicas, maxReplicas]: move to the bound at once, metrics or not (the bounds are the user's word).
 * 2. Hold while pods are starting, before the capacity is known, and without fresh metrics.
 * 3. Recommend ceil(rps / (capacity × targetUtilization)), rps the higher of the window's and the latest interval's,
 *    or the current count when the load is within the
 *    tolerance of the target; when the live p99 is above the SLA, at least one more than now, and scaleUpFactor times
 *    now when the replicas also serve their full measured capacity (saturated). Clamp to the bounds.
 * 4. Scale up at once, at most by the step limit. Scale down only to the highest recommendation within the
 *    stabilization window, and only on complete metrics (incomplete ones undercount the load).
 */
export function decideReplicas(input: DecisionInput): Decision {
  const { now, currentReplicas: current, policy } = input;
  const history = input.history.filter((r) => r.at > now - policy.scaleDownStabilizationSeconds * 1000 && r.at <= now);
  const hold = (holdReason: HoldReason, reason: string, recommendation?: number, kept = history): Decision => ({
    replicas: current,
    action: 'hold',
    holdReason,
    reason,
    recommendation,
    history: kept,
  });

  if (current < policy.minReplicas) {
    return { replicas: policy.minReplicas, action: 'scale-up', reason: `${replicas(current)} is below minReplicas ${policy.minReplicas}`, history };
  }
  if (current > policy.maxReplicas) {
    return { replicas: policy.maxReplicas, action: 'scale-down', reason: `${replicas(current)} is above maxReplicas ${policy.maxReplicas}`, history };
  }
  if (input.podsStarting) return hold('pods-starting', 'waiting for starting pods to become ready before measuring again');
  const capacity = input.capacityRps;
  if (capacity === undefined || !(capacity > 0)) return hold('no-capacity', 'no measured capacity per replica yet: the benchmark has not run');
  const { window } = input;
  if (window === undefined || window.podsCounted === 0) return hold('no-metrics', 'no request metrics from the server pods yet');
  const ageSeconds = (now - window.observedAt) / 1000;
  if (ageSeconds > policy.staleAfterSeconds) return hold('stale-metrics', `the latest metrics are ${Math.round(ageSeconds)} s old`);

  const perReplica = capacity * policy.targetUtilization;
  const target = `${replicas(current)} × ${rate(capacity)} req/s × ${policy.targetUtilization} = ${rate(current * perReplica)} req/s`;
  // The higher of the window's rate and the latest interval's: a step up is acted on at the next scrape, while a fall
  // waits for the whole window (and the scale-down stabilization after it).
  const rps = Math.max(window.rps, window.latestRps);
  const utilization = rps / (current * perReplica);
  const withinTolerance = Math.abs(utilization - 1) <= policy.tolerance;
  const byRate = withinTolerance ? current : Math.ceil(rps / perReplica);
  const latencyMissed = window.p99Ms !== null && window.p99Ms > input.slaP99Ms && window.requests >= policy.minRequestsForP99;
  // Serving what the replicas can carry and still late: the served rate is only a lower bound of the demand (the rest
  // waits in queues or never got in), so one more replica a round would trail it; double instead.
  const saturated = latencyMissed && rps >= current * capacity * (1 - policy.tolerance);
  const wanted = saturated ? Math.max(byRate, Math.ceil(current * policy.scaleUpFactor)) : latencyMissed ? Math.max(byRate, current + 1) : byRate;
  const recommendation = clamp(wanted, policy.minReplicas, policy.maxReplicas);
  const why = latencyMissed
    ? `p99 ${ms(window.p99Ms!)} > SLA ${ms(input.slaP99Ms)} at ${rate(rps)} req/s (capacity ${target}${saturated ? ', saturated' : ''})`
    : `${rate(rps)} req/s ${rps > current * perReplica ? '>' : '<'} ${target}`;
  // A recommendation below the current count from an incomplete window undercounts the load: it must not hold up a
  // later scale-down's stabilization any more than it may cause one.
  const recorded = window.complete || recommendation >= current ? [...history, { at: now, replicas: recommendation }] : history;

  if (recommendation > current) {
    const limit = Math.max(Math.ceil(current * policy.scaleUpFactor), current + policy.scaleUpPods);
    const next = Math.min(recommendation, limit);
    const limited = next < recommendation ? `; ${recommendation} wanted, at most ${next} this step` : '';
    return { replicas: next, action: 'scale-up', reason: `${why}: scaling to ${next}${limited}`, recommendation, history: recorded };
  }
  if (recommendation === current) {
    if (wanted > policy.maxReplicas) return hold('at-max-replicas', `${why}, but ${replicas(current)} is maxReplicas`, recommendation, recorded);
    if (withinTolerance && !latencyMissed) {
      return hold('within-tolerance', `${rate(rps)} req/s is within ${percent(policy.tolerance)} of ${target}`, recommendation, recorded);
    }
    if (wanted < policy.minReplicas) return hold('at-min-replicas', `${why}, but ${replicas(current)} is minReplicas`, recommendation, recorded);
    return hold('steady', `${why}: ${replicas(current)} is right`, recommendation, recorded);
  }
  if (!window.complete) {
    const missing = window.podsMissing.length > 0 ? `no metrics from ${window.podsMissing.join(', ')}` : `only ${Math.round(window.windowSeconds)} s of metrics so far`;
    return hold('incomplete-metrics', `${why}, but ${missing}: not scaling down on partial figures`, recommendation, recorded);
  }
  const stabilized = Math.max(...recorded.map((r) => r.replicas));
  if (stabilized >= current) {
    return hold(
      'stabilizing',
      `${why}: ${replicas(recommendation)} would do, but ${stabilized} were recommended within the last ${policy.scaleDownStabilizationSeconds} s`,
      recommendation,
      recorded,
    );
  }
  return { replicas: stabilized, action: 'scale-down', reason: `${why}: scaling to ${stabilized}`, recommendation, history: recorded };
}

const clamp = (value: number, min: number, max: number): number => Math.min(max, Math.max(min, value));
const replicas = (n: number): string => `${n} ${n === 1 ? 'replica' : 'replicas'}`;
const rate = (rps: number): string => String(Number(rps.toPrecision(3)));
const ms = (value: number): string => (Number.isFinite(value) ? `${Number(value.toPrecision(3))} ms` : 'beyond the largest bucket');
const percent = (share: number): string => `${Number((share * 100).toPrecision(3))} %`;
