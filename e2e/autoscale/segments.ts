// The step-load pod's log → its segments → one figure per wall-clock second of the load, as the Service's clients saw it.
import { z } from 'zod';
import { TimelineSecond } from '../../contracts/bench-report.js';
import { FAILED_SEGMENT_MARKER, FAILURE_MARKER, SEGMENT_MARKER } from './step-load-runner.js';

export const Segment = z.object({
  segment: z.number().int().min(0),
  phase: z.number().int().min(0),
  rate: z.number().positive(),
  /** The segment's planned measured seconds; its timeline may hold one more, partial, for the answers of the drain. */
  seconds: z.number().positive(),
  startedAt: z.iso.datetime(),
  completedAt: z.iso.datetime(),
  warmupSeconds: z.number().min(0),
  timeline: z.array(TimelineSecond),
  errors: z.record(z.string(), z.number()),
  generatorHealthy: z.boolean(),
});
export type Segment = z.infer<typeof Segment>;

const FailedSegment = Segment.pick({ segment: true, phase: true, rate: true, startedAt: true, completedAt: true }).extend({ code: z.number().int() });

/** A segment that could not run: each of its seconds offered `rate` requests and none was answered. */
function unanswered(failed: z.infer<typeof FailedSegment>): Segment {
  const seconds = Math.max(1, Math.ceil((Date.parse(failed.completedAt) - Date.parse(failed.startedAt)) / 1000));
  const rate = Math.round(failed.rate);
  return {
    ...failed,
    seconds,
    warmupSeconds: 0,
    timeline: Array.from({ length: seconds }, (_, second) => ({ second, requests: rate, ok: 0, errors: rate, p99Ms: null })),
    errors: { unreachable: rate * seconds },
    generatorHealthy: true,
  };
}

/** The segments in a log, failed ones as seconds without answers; throws with the runner's words when it gave up. */
export function parseSegments(log: string): Segment[] {
  const segments: Segment[] = [];
  const payload = (line: string, marker: string): unknown => JSON.parse(line.slice(marker.length));
  for (const line of log.split('\n')) {
    if (line.startsWith(FAILURE_MARKER)) throw new Error(`the step-load pod failed: ${line.slice(FAILURE_MARKER.length)}`);
    if (line.startsWith(FAILED_SEGMENT_MARKER)) segments.push(unanswered(FailedSegment.parse(payload(line, FAILED_SEGMENT_MARKER))));
    else if (line.startsWith(SEGMENT_MARKER)) segments.push(Segment.parse(payload(line, SEGMENT_MARKER)));
  }
  return segments.sort((a, b) => a.segment - b.segment);
}

/** One wall-clock second of load. */
export interface LoadSecond {
  /** Start of the second, ms since the epoch. */
  at: number;
  phase: number;
  /** The open-loop rate the generator offered. */
  offeredRps: number;
  requests: number;
  ok: number;
  errors: number;
  /** p99 of the successful requests; null when none succeeded. */
  p99Ms: number | null;
}

/** When a segment's measured timeline starts, ms since the epoch. */
const measuredFrom = (s: Segment): number => Date.parse(s.startedAt) + s.warmupSeconds * 1000;

/**
 * The segments' timelines on one clock: each timeline second goes to the wall-clock second it started in. Where two
 * meet in one second, counts add up and the p99 is the higher of the two: an upper bound of the true p99 of their
 * union, never an underestimate.
 */
export function loadSeconds(segments: Segment[]): LoadSecond[] {
  const bySecond = new Map<number, LoadSecond>();
  for (const s of segments) {
    const from = measuredFrom(s);
    for (const t of withDrainFolded(s)) {
      const at = Math.floor((from + t.second * 1000) / 1000) * 1000;
      const seen = bySecond.get(at);
      if (!seen) {
        bySecond.set(at, { at, phase: s.phase, offeredRps: s.rate, requests: t.requests, ok: t.ok, errors: t.errors, p99Ms: t.p99Ms });
        continue;
      }
      seen.requests += t.requests;
      seen.ok += t.ok;
      seen.errors += t.errors;
      seen.p99Ms = seen.p99Ms === null ? t.p99Ms : t.p99Ms === null ? seen.p99Ms : Math.max(seen.p99Ms, t.p99Ms);
      if (s.phase > seen.phase) Object.assign(seen, { phase: s.phase, offeredRps: s.rate });
    }
  }
  return [...bySecond.values()].sort((a, b) => a.at - b.at);
}

/** The answers that came in after a segment's last second (its drain) belong to that second's sends: they join it. */
function withDrainFolded(s: Segment): Segment['timeline'] {
  const full = Math.max(1, Math.ceil(s.seconds));
  if (s.timeline.length <= full) return s.timeline;
  const kept = s.timeline.slice(0, full).map((t) => ({ ...t }));
  const last = kept[full - 1];
  for (const t of s.timeline.slice(full)) {
    last.requests += t.requests;
    last.ok += t.ok;
    last.errors += t.errors;
    last.p99Ms = last.p99Ms === null ? t.p99Ms : t.p99Ms === null ? last.p99Ms : Math.max(last.p99Ms, t.p99Ms);
  }
  return kept;
}

/** When the first segment of `phase` started measuring (ms since the epoch), or undefined without one. */
export function phaseStart(segments: Segment[], phase: number): number | undefined {
  const first = segments.find((s) => s.phase === phase);
  return first && measuredFrom(first);
}

/** When the last segment ended (ms since the epoch). */
export function loadEnd(segments: Segment[]): number | undefined {
  return segments.length === 0 ? undefined : Math.max(...segments.map((s) => Date.parse(s.completedAt)));
}

/** Error kinds summed over the segments, e.g. {dropped: 120, http_503: 4}. */
export function errorTotals(segments: Segment[]): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const s of segments) for (const [kind, n] of Object.entries(s.errors)) totals[kind] = (totals[kind] ?? 0) + n;
  return totals;
}
