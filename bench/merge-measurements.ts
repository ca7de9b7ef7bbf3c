// What several load threads measured, as one run: counts summed, HDR histograms added bucket by bucket (exact, not
// an average of percentiles), the timeline merged second by second.
import { LatencyHistogram } from './histogram.js';
import { maxErrorSamples, type MeasurementSnapshot, type MeasurementTotals, type SecondSnapshot, type TimelineSecond } from './measurements.js';

/** One timeline entry from the same second of every thread. */
export function mergeSecond(second: number, parts: readonly SecondSnapshot[]): TimelineSecond {
  const histogram = new LatencyHistogram(2);
  try {
    let requests = 0;
    let ok = 0;
    let errors = 0;
    for (const part of parts) {
      requests += part.requests;
      ok += part.ok;
      errors += part.errors;
      if (part.histogram) histogram.addEncoded(part.histogram);
    }
    return { second, requests, ok, errors, p99Ms: histogram.count > 0 ? histogram.percentileMs(99) : null };
  } finally {
    histogram.destroy();
  }
}

export function mergeTimelines(timelines: readonly (readonly SecondSnapshot[])[]): TimelineSecond[] {
  const length = Math.max(0, ...timelines.map((t) => t.length));
  const merged: TimelineSecond[] = [];
  for (let second = 0; second < length; second++) {
    merged.push(mergeSecond(second, timelines.map((t) => t[second]).filter((s): s is SecondSnapshot => s !== undefined)));
  }
  return merged;
}

/** The totals of one run from every thread's snapshot; `lastCompletionMs` is the latest of them (one clock for all). */
export function mergeSnapshots(snapshots: readonly MeasurementSnapshot[]): MeasurementTotals {
  const latency = new LatencyHistogram(3);
  try {
    const errorsByKind = new Map<string, number>();
    const errorSamples: MeasurementTotals['errorSamples'] = [];
    const totals = { completed: 0, ok: 0, errors: 0, warmup: { completed: 0, errors: 0 }, lastCompletionMs: 0 };
    for (const s of snapshots) {
      totals.completed += s.completed;
      totals.ok += s.ok;
      totals.errors += s.errors;
      totals.warmup.completed += s.warmup.completed;
      totals.warmup.errors += s.warmup.errors;
      totals.lastCompletionMs = Math.max(totals.lastCompletionMs, s.lastCompletionMs);
      latency.addEncoded(s.latency);
      for (const [kind, n] of Object.entries(s.errorsByKind)) errorsByKind.set(kind, (errorsByKind.get(kind) ?? 0) + n);
      for (const sample of s.errorSamples) {
        if (errorSamples.length < maxErrorSamples && !errorSamples.some((e) => e.kind === sample.kind)) errorSamples.push(sample);
      }
    }
    return {
      ...totals,
      errorsByKind: Object.fromEntries([...errorsByKind].sort((a, b) => b[1] - a[1])),
      errorSamples,
      latency: latency.summary(),
      timeline: mergeTimelines(snapshots.map((s) => s.timeline)),
    };
  } finally {
    latency.destroy();
  }
}
