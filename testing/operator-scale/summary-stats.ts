// Small order statistics for the latency figures. Pure.

export interface LatencySummary {
  count: number;
  medianMs: number;
  maxMs: number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function summarizeLatencies(valuesMs: readonly number[]): LatencySummary {
  return { count: valuesMs.length, medianMs: median(valuesMs), maxMs: valuesMs.length ? Math.max(...valuesMs) : Number.NaN };
}
