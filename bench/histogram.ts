// Latency histogram: HDR buckets in microseconds, figures out in milliseconds.
import * as hdr from 'hdr-histogram-js';

export interface LatencySummary {
  count: number;
  p50Ms: number;
  p90Ms: number;
  p95Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
  minMs: number;
  meanMs: number;
  stdDevMs: number;
}

/** One hour: anything slower is recorded as one hour (a request timeout is far below it). */
const highestTrackableMicros = 3_600_000_000;

const ms = (micros: number): number => Math.round(micros) / 1000;

/** A histogram as a load thread sends it: HDR's compressed counts, and the exact extremes (the counts keep only buckets). */
export interface EncodedHistogram {
  counts: string;
  minMicros: number;
  maxMicros: number;
}

export class LatencyHistogram {
  private readonly histogram: hdr.Histogram;
  /** Exact extremes in microseconds: HDR's own are bucket bounds after a merge. */
  private minMicros = Infinity;
  private maxMicros = 0;

  /** `significantDigits` 3 keeps 0.1 % resolution; 2 is enough for per-second figures. */
  constructor(significantDigits: 2 | 3 = 3) {
    this.histogram = hdr.build({
      bitBucketSize: 64,
      autoResize: false,
      lowestDiscernibleValue: 1,
      highestTrackableValue: highestTrackableMicros,
      numberOfSignificantValueDigits: significantDigits,
      useWebAssembly: false,
    });
  }

  recordMs(latencyMs: number): void {
    const micros = Math.min(Math.max(Math.round(latencyMs * 1000), 1), highestTrackableMicros);
    this.histogram.recordValue(micros);
    if (micros > this.maxMicros) this.maxMicros = micros;
    if (micros < this.minMicros) this.minMicros = micros;
  }

  get count(): number {
    return this.histogram.totalCount;
  }

  percentileMs(percentile: number): number {
    return this.count === 0 ? 0 : ms(Math.min(this.histogram.getValueAtPercentile(percentile), this.maxMicros));
  }

  /** All figures are 0 when nothing was recorded (see `count`). */
  summary(): LatencySummary {
    const h = this.histogram;
    if (h.totalCount === 0) {
      return { count: 0, p50Ms: 0, p90Ms: 0, p95Ms: 0, p99Ms: 0, p999Ms: 0, maxMs: 0, minMs: 0, meanMs: 0, stdDevMs: 0 };
    }
    // Percentiles are bucket upper bounds; capping them at the max keeps p99.9 ≤ max.
    const at = (percentile: number): number => ms(Math.min(h.getValueAtPercentile(percentile), this.maxMicros));
    return {
      count: h.totalCount,
      p50Ms: at(50),
      p90Ms: at(90),
      p95Ms: at(95),
      p99Ms: at(99),
      p999Ms: at(99.9),
      maxMs: ms(this.maxMicros),
      minMs: ms(this.minMicros),
      meanMs: ms(h.mean),
      stdDevMs: ms(h.stdDeviation),
    };
  }

  reset(): void {
    this.histogram.reset();
    this.minMicros = Infinity;
    this.maxMicros = 0;
  }

  /** The counts in HDR's compressed base64 form with the exact extremes: what a load thread sends back, without loss. */
  encode(): EncodedHistogram {
    return { counts: hdr.encodeIntoCompressedBase64(this.histogram), minMicros: this.minMicros, maxMicros: this.maxMicros };
  }

  /** Adds an `encode()`d histogram: bucket by bucket, so the merge is exact. */
  addEncoded(encoded: EncodedHistogram): void {
    const other = hdr.decodeFromCompressedBase64(encoded.counts, 64, false);
    try {
      this.histogram.add(other);
    } finally {
      other.destroy();
    }
    this.minMicros = Math.min(this.minMicros, encoded.minMicros);
    this.maxMicros = Math.max(this.maxMicros, encoded.maxMicros);
  }

  destroy(): void {
    this.histogram.destroy();
  }
}
