// What happened to each request of one run: counts, latency histogram, errors by kind, a per-second timeline.
import type { ErrorKind, InferOutcome } from './client.js';
import { LatencyHistogram, type EncodedHistogram, type LatencySummary } from './histogram.js';

export interface TimelineSecond {
  /** Seconds since the measured window began (after warmup). */
  second: number;
  /** Requests that completed (or were dropped) in this second. */
  requests: number;
  ok: number;
  errors: number;
  /** p99 latency of this second's successful requests; null when none succeeded. */
  p99Ms: number | null;
}

export interface ErrorSample {
  kind: ErrorKind;
  message: string;
}

export interface MeasurementTotals {
  completed: number;
  ok: number;
  errors: number;
  errorsByKind: Record<ErrorKind, number>;
  errorSamples: ErrorSample[];
  latency: LatencySummary;
  timeline: TimelineSecond[];
  warmup: { completed: number; errors: number };
  /** When the last measured request completed, on the performance.now() clock. */
  lastCompletionMs: number;
}

export const maxErrorSamples = 5;

/** One closed second with its latencies, as a load thread sends it: counts plus the second's encoded histogram. */
export interface SecondSnapshot {
  second: number;
  requests: number;
  ok: number;
  errors: number;
  /** LatencyHistogram.encode() of the second's successful requests; null when none succeeded. */
  histogram: EncodedHistogram | null;
}

/** Everything one thread measured, lossless, for an exact merge with the other threads' (merge-measurements.ts). */
export interface MeasurementSnapshot {
  completed: number;
  ok: number;
  errors: number;
  errorsByKind: Record<ErrorKind, number>;
  errorSamples: ErrorSample[];
  warmup: { completed: number; errors: number };
  lastCompletionMs: number;
  /** LatencyHistogram.encode() of every measured successful request. */
  latency: EncodedHistogram;
  timeline: SecondSnapshot[];
}

export class Measurements {
  readonly latency = new LatencyHistogram(3);
  completed = 0;
  ok = 0;
  errors = 0;
  warmupCompleted = 0;
  warmupErrors = 0;
  lastCompletionMs = 0;
  private readonly errorsByKind = new Map<ErrorKind, number>();
  private readonly errorSamples: ErrorSample[] = [];
  private readonly timeline: TimelineSecond[] = [];
  /** The encoded histogram of each closed second, index for index with `timeline`. */
  private readonly secondHistograms: (EncodedHistogram | null)[] = [];
  private drained = 0;
  private readonly secondHistogram = new LatencyHistogram(2);
  private current: TimelineSecond;

  /** `windowStartMs`: requests sent (or due) before it are warmup and only counted as such. */
  constructor(readonly windowStartMs: number) {
    this.current = { second: 0, requests: 0, ok: 0, errors: 0, p99Ms: null };
  }

  /** A response (or failure) for a request sent (or, in open loop, due) at `sentAtMs`. */
  record(sentAtMs: number, completedAtMs: number, outcome: InferOutcome): void {
    if (sentAtMs < this.windowStartMs) {
      this.warmupCompleted++;
      if (!outcome.ok) this.warmupErrors++;
      return;
    }
    const bucket = this.bucketAt(completedAtMs);
    this.completed++;
    bucket.requests++;
    if (completedAtMs > this.lastCompletionMs) this.lastCompletionMs = completedAtMs;
    if (outcome.ok) {
      const latencyMs = completedAtMs - sentAtMs;
      this.ok++;
      bucket.ok++;
      this.latency.recordMs(latencyMs);
      if (bucket === this.current) this.secondHistogram.recordMs(latencyMs);
      return;
    }
    this.errors++;
    bucket.errors++;
    this.errorsByKind.set(outcome.kind, (this.errorsByKind.get(outcome.kind) ?? 0) + 1);
    if (this.errorSamples.length < maxErrorSamples && !this.errorSamples.some((s) => s.kind === outcome.kind)) {
      this.errorSamples.push({ kind: outcome.kind, message: outcome.message.slice(0, 300) });
    }
  }

  /** Finalizes the seconds that ended before `nowMs`, so stalls show up as empty seconds on time. */
  advanceTo(nowMs: number): void {
    this.bucketAt(nowMs);
  }

  /** The last finished second, for progress lines. */
  lastSecond(): TimelineSecond | null {
    return this.timeline.at(-1) ?? null;
  }

  totals(): MeasurementTotals {
    const timeline = this.current.requests > 0 ? [...this.timeline, this.closeCurrent(false)] : [...this.timeline];
    return {
      completed: this.completed,
      ok: this.ok,
      errors: this.errors,
      errorsByKind: Object.fromEntries([...this.errorsByKind].sort((a, b) => b[1] - a[1])),
      errorSamples: [...this.errorSamples],
      latency: this.latency.summary(),
      timeline,
      warmup: { completed: this.warmupCompleted, errors: this.warmupErrors },
      lastCompletionMs: this.lastCompletionMs,
    };
  }

  /** Seconds closed since the last call, for progress across threads. */
  drainClosedSeconds(): SecondSnapshot[] {
    const closed = this.timeline.slice(this.drained).map((s, i) => this.secondSnapshot(s, this.secondHistograms[this.drained + i]));
    this.drained = this.timeline.length;
    return closed;
  }

  /** The lossless form of totals(); closes the current second. */
  snapshot(): MeasurementSnapshot {
    if (this.current.requests > 0) {
      this.timeline.push(this.closeCurrent());
      this.current = { second: this.current.second + 1, requests: 0, ok: 0, errors: 0, p99Ms: null };
    }
    return {
      completed: this.completed,
      ok: this.ok,
      errors: this.errors,
      errorsByKind: Object.fromEntries(this.errorsByKind),
      errorSamples: [...this.errorSamples],
      warmup: { completed: this.warmupCompleted, errors: this.warmupErrors },
      lastCompletionMs: this.lastCompletionMs,
      latency: this.latency.encode(),
      timeline: this.timeline.map((s, i) => this.secondSnapshot(s, this.secondHistograms[i])),
    };
  }

  destroy(): void {
    this.latency.destroy();
    this.secondHistogram.destroy();
  }

  private secondSnapshot({ second, requests, ok, errors }: TimelineSecond, histogram: EncodedHistogram | null | undefined): SecondSnapshot {
    return { second, requests, ok, errors, histogram: histogram ?? null };
  }

  /** Closes the current second; its histogram is kept encoded only when it is going into the timeline for good. */
  private closeCurrent(keep = true): TimelineSecond {
    const any = this.secondHistogram.count > 0;
    const closed = { ...this.current, p99Ms: any ? this.secondHistogram.percentileMs(99) : null };
    if (keep) this.secondHistograms[this.timeline.length] = any ? this.secondHistogram.encode() : null;
    this.secondHistogram.reset();
    return closed;
  }

  /** The timeline entry for a moment; later seconds start (empty ones included), earlier ones take late counts. */
  private bucketAt(atMs: number): TimelineSecond {
    const second = Math.max(0, Math.floor((atMs - this.windowStartMs) / 1000));
    if (second === this.current.second) return this.current;
    if (second < this.current.second) return this.timeline[second] ?? this.current;
    this.timeline.push(this.closeCurrent());
    while (this.timeline.length < second) {
      this.secondHistograms[this.timeline.length] = null;
      this.timeline.push({ second: this.timeline.length, requests: 0, ok: 0, errors: 0, p99Ms: null });
    }
    this.current = { second, requests: 0, ok: 0, errors: 0, p99Ms: null };
    return this.current;
  }
}
