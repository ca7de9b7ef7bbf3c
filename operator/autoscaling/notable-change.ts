// Whether the live figures moved enough since they were last reported to be worth a status write.
import { defaultAutoscalingPolicy } from './decide.js';
import type { WindowFigures } from './window.js';

/** A rate or latency must change by more than this share of the larger of its two values … */
export const NOTABLE_RELATIVE_CHANGE = 0.1;
/** … and by more than these amounts, so that noise around a small value does not count. */
const minRpsChange = 0.1;
const minP99ChangeMs = 0.5;
/** Below this many requests in the window a p99 means little, and the status leaves it out. */
const minRequestsForP99 = defaultAutoscalingPolicy.minRequestsForP99;

/**
 * True when `after` differs from `before` in a way a reader of the status would want to see: figures appearing or
 * disappearing, the counted pods changing, the request rate or p99 moving by more than NOTABLE_RELATIVE_CHANGE,
 * a p99 appearing or disappearing (no requests, or too few to mean anything), or the p99 crossing the SLA either way.
 */
export function liveFiguresMoved(before: WindowFigures | undefined, after: WindowFigures | undefined, slaP99Ms: number): boolean {
  if (before === undefined || after === undefined) return before !== after;
  if (before.podsCounted !== after.podsCounted) return true;
  if (moved(before.rps, after.rps, minRpsChange)) return true;
  if (before.requests >= minRequestsForP99 !== after.requests >= minRequestsForP99) return true;
  if (before.p99Ms === null || after.p99Ms === null) return before.p99Ms !== after.p99Ms;
  if (before.p99Ms > slaP99Ms !== after.p99Ms > slaP99Ms) return true;
  return moved(before.p99Ms, after.p99Ms, minP99ChangeMs);
}

function moved(before: number, after: number, floor: number): boolean {
  if (before === after) return false;
  // A p99 beyond the largest bucket is Infinity: any change to or from it counts.
  if (!Number.isFinite(before) || !Number.isFinite(after)) return true;
  return Math.abs(after - before) > Math.max(floor, NOTABLE_RELATIVE_CHANGE * Math.max(Math.abs(before), Math.abs(after)));
}
