// Arithmetic on cumulative Prometheus histograms: the difference of two scrapes, the sum over pods, and quantiles
// interpolated the way PromQL's histogram_quantile does.

/** One cumulative bucket: `count` observations were at or below `le` (seconds; Infinity for the +Inf bucket). */
export interface HistogramBucket {
  le: number;
  count: number;
}

/** A cumulative histogram: buckets in increasing `le`, the +Inf bucket last (its count equals `count`). */
export interface HistogramSnapshot {
  buckets: HistogramBucket[];
  count: number;
  sum: number;
}

/** A histogram with no observations and no finite buckets. */
export function emptyHistogram(): HistogramSnapshot {
  return { buckets: [{ le: Infinity, count: 0 }], count: 0, sum: 0 };
}

/**
 * Observations at or below `le` as far as `histogram` can tell: the count of its largest bucket bound at or below `le`.
 * For a bound the histogram lacks this is a lower bound, so quantiles merged from unlike layouts err on the slow side.
 */
export function cumulativeCountAt(histogram: HistogramSnapshot, le: number): number {
  let count = 0;
  for (const bucket of histogram.buckets) {
    if (bucket.le > le) break;
    count = bucket.count;
  }
  return count;
}

/** The sum of several histograms (pods, label sets, or successive deltas), over the union of their bucket bounds. */
export function mergeHistograms(histograms: readonly HistogramSnapshot[]): HistogramSnapshot {
  if (histograms.length === 1) return histograms[0];
  const bounds = [...new Set(histograms.flatMap((h) => h.buckets.map((b) => b.le)).concat(Infinity))].sort((a, b) => a - b);
  let count = 0;
  let sum = 0;
  for (const h of histograms) {
    count += h.count;
    sum += h.sum;
  }
  const buckets = bounds.map((le) => ({ le, count: 0 }));
  for (const h of histograms) {
    // One walk per histogram: each merged bound takes the count of h's largest bound at or below it.
    let next = 0;
    let reached = 0;
    for (const bucket of buckets) {
      while (next < h.buckets.length && h.buckets[next].le <= bucket.le) reached = h.buckets[next++].count;
      bucket.count += reached;
    }
  }
  buckets[buckets.length - 1].count = count;
  return { buckets, count, sum };
}

/** Whether `current` can be a later scrape of the same process as `previous`: same layout, no counter went down. */
export function continuesFrom(previous: HistogramSnapshot, current: HistogramSnapshot): boolean {
  if (current.count < previous.count || current.buckets.length !== previous.buckets.length) return false;
  return current.buckets.every((bucket, i) => bucket.le === previous.buckets[i].le && bucket.count >= previous.buckets[i].count);
}

/**
 * The observations made between two scrapes of one pod. When a counter went down (or the bucket layout changed) the
 * process restarted in between, and, as PromQL's rate() does, everything `current` holds counts as new.
 */
export function histogramDelta(previous: HistogramSnapshot, current: HistogramSnapshot): HistogramSnapshot {
  if (!continuesFrom(previous, current)) return current;
  return {
    buckets: current.buckets.map((bucket, i) => ({ le: bucket.le, count: bucket.count - previous.buckets[i].count })),
    count: current.count - previous.count,
    // The sum of a float counter may shrink by rounding alone; a negative sum is never meaningful.
    sum: Math.max(0, current.sum - previous.sum),
  };
}

/**
 * The q-quantile (0 < q ≤ 1) of the observations, in the histogram's unit, interpolated linearly inside the bucket
 * where it falls (from 0 for the first bucket), as PromQL's histogram_quantile. When it falls in the +Inf bucket the
 * answer is the highest finite bound (Infinity if there is none): the quantile is at least that slow.
 * Null when there are no observations.
 */
export function histogramQuantile(q: number, histogram: HistogramSnapshot): number | null {
  if (!(q > 0 && q <= 1)) throw new RangeError(`quantile ${q} is outside (0, 1]`);
  const { buckets } = histogram;
  const total = buckets.at(-1)?.count ?? 0;
  if (total <= 0) return null;
  const rank = q * total;
  const index = buckets.findIndex((bucket) => bucket.count >= rank);
  const bucket = buckets[index];
  if (bucket.le === Infinity) return index > 0 ? buckets[index - 1].le : Infinity;
  const lower = index > 0 ? buckets[index - 1] : { le: 0, count: 0 };
  if (lower.le >= bucket.le || bucket.count === lower.count) return bucket.le;
  return lower.le + ((bucket.le - lower.le) * (rank - lower.count)) / (bucket.count - lower.count);
}
