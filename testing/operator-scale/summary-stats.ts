// Small order statistics for the latency figures. Pure.
import { median } from '../../bench/suites/rounds.js';

export interface LatencySummary {
  count: number;
  medianMs: number;
  maxMs: number;
}

/** Count, median and maximum; NaN for the last two when there are no values. */
export function summarizeLatencies(valuesMs: readonly number[]): LatencySummary {
  return { count: valuesMs.length, medianMs: median(valuesMs) ?? Number.NaN, maxMs: valuesMs.length ? Math.max(...valuesMs) : Number.NaN };
}
