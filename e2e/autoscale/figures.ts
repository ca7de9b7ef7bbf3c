// The figures of an autoscaled run: SLA attainment per second, replica-seconds against a static deployment sized for
// the peak, and how long the replicas took to catch up with a load step. Pure.
import type { ReplicaChange } from './observe.js';
import type { LoadSecond } from './segments.js';

/** The replica state in force at `at`: the last change seen at or before it (the first one before any). */
export function replicasAt(changes: readonly ReplicaChange[], at: number): ReplicaChange | undefined {
  let found: ReplicaChange | undefined = changes[0];
  for (const c of changes) {
    if (c.at > at) break;
    found = c;
  }
  return found;
}

/**
 * A second meets the SLA when its successful requests' p99 is within the target and at most `maxErrorRate` of its
 * requests failed (refused, timed out, or dropped by a generator that had too many in flight).
 */
export function secondMeetsSla(s: LoadSecond, slaP99Ms: number, maxErrorRate: number): boolean {
  if (s.requests === 0) return false;
  return s.p99Ms !== null && s.p99Ms <= slaP99Ms && s.errors / s.requests <= maxErrorRate;
}

export interface Attainment {
  met: number;
  /** Seconds in which requests were sent (a second with none says nothing about latency). */
  counted: number;
  share: number;
}

export function slaAttainment(seconds: readonly LoadSecond[], slaP99Ms: number, maxErrorRate: number): Attainment {
  const counted = seconds.filter((s) => s.requests > 0);
  const met = counted.filter((s) => secondMeetsSla(s, slaP99Ms, maxErrorRate)).length;
  return { met, counted: counted.length, share: counted.length === 0 ? 0 : met / counted.length };
}

/** ∫ replicas dt over [from, to), in replica-seconds, from the Deployment's changes (pods asked for, ready or not). */
export function replicaSeconds(changes: readonly ReplicaChange[], from: number, to: number, pick: (c: ReplicaChange) => number = (c) => c.replicas): number {
  if (!(to > from)) return 0;
  const cuts = [from, ...changes.map((c) => c.at).filter((at) => at > from && at < to), to];
  let total = 0;
  for (let i = 0; i + 1 < cuts.length; i++) {
    const state = replicasAt(changes, cuts[i]);
    total += (state ? pick(state) : 0) * ((cuts[i + 1] - cuts[i]) / 1000);
  }
  return total;
}

/** Seconds from `from` until at least `wanted` replicas were ready (0 if they already were); undefined if never. */
export function secondsUntilReady(changes: readonly ReplicaChange[], from: number, wanted: number): number | undefined {
  if ((replicasAt(changes, from)?.ready ?? 0) >= wanted) return 0;
  const reached = changes.find((c) => c.at >= from && c.ready >= wanted);
  return reached && (reached.at - from) / 1000;
}
