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

export class LatencyHistogram {
  private readonly histogram: hdr.Histogram;

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
    const micros = Math.round(latencyMs * 1000);
    this.histogram.recordValue(Math.min(Math.max(micros, 1), highestTrackableMicros));
  }

  get count(): number {
    return this.histogram.totalCount;
  }

  percentileMs(percentile: number): number {
    return this.count === 0 ? 0 : ms(Math.min(this.histogram.getValueAtPercentile(percentile), this.histogram.maxValue));
  }

  /** All figures are 0 when nothing was recorded (see `count`). */
  summary(): LatencySummary {
    const h = this.histogram;
    if (h.totalCount === 0) {
      return { count: 0, p50Ms: 0, p90Ms: 0, p95Ms: 0, p99Ms: 0, p999Ms: 0, maxMs: 0, minMs: 0, meanMs: 0, stdDevMs: 0 };
    }
    // Percentiles are bucket upper bounds; capping them at the max keeps p99.9 ≤ max.
    const at = (percentile: number): number => ms(Math.min(h.getValueAtPercentile(percentile), h.maxValue));
    return {
      count: h.totalCount,
      p50Ms: at(50),
      p90Ms: at(90),
      p95Ms: at(95),
      p99Ms: at(99),
      p999Ms: at(99.9),
      maxMs: ms(h.maxValue),
      minMs: ms(h.minNonZeroValue),
      meanMs: ms(h.mean),
      stdDevMs: ms(h.stdDeviation),
    };
  }

  reset(): void {
    this.histogram.reset();
  }

  destroy(): void {
    this.histogram.destroy();
  }
}
