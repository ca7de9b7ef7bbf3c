import assert from 'node:assert/strict';
import { test } from 'node:test';
import { continuesFrom, cumulativeCountAt, histogramDelta, histogramQuantile, mergeHistograms, type HistogramSnapshot } from './histogram.js';

/** A histogram from [le, cumulative count] pairs; +Inf is added with the last count unless given. */
function hist(pairs: [number, number][], sum = 0): HistogramSnapshot {
  const buckets = pairs.map(([le, count]) => ({ le, count }));
  if (buckets.at(-1)?.le !== Infinity) buckets.push({ le: Infinity, count: buckets.at(-1)?.count ?? 0 });
  return { buckets, count: buckets.at(-1)!.count, sum };
}

test('histogramQuantile interpolates as PromQL histogram_quantile does', () => {
  const cases: { name: string; q: number; h: HistogramSnapshot; want: number | null }[] = [
    { name: 'inside a bucket', q: 0.5, h: hist([[1, 0], [2, 10], [4, 20]]), want: 2 },
    { name: 'a quarter into a bucket', q: 0.625, h: hist([[1, 0], [2, 10], [4, 20]]), want: 2.5 },
    { name: 'the first bucket starts at 0', q: 0.5, h: hist([[0.1, 10], [1, 10]]), want: 0.05 },
    { name: 'rank in +Inf: the highest finite bound', q: 0.99, h: hist([[1, 5], [2, 90], [Infinity, 100]]), want: 2 },
    { name: 'only a +Inf bucket', q: 0.5, h: hist([[Infinity, 3]]), want: Infinity },
    { name: 'no observations', q: 0.99, h: hist([[1, 0], [2, 0]]), want: null },
    { name: 'an empty bucket before the rank is skipped', q: 0.99, h: hist([[1, 50], [2, 50], [3, 100]]), want: 2.98 },
    { name: 'q = 1 is the top of the last bucket holding observations', q: 1, h: hist([[1, 4], [2, 8], [3, 8]]), want: 2 },
  ];
  for (const c of cases) {
    const got = histogramQuantile(c.q, c.h);
    if (c.want === null || !Number.isFinite(c.want)) assert.equal(got, c.want, c.name);
    else assert.ok(got !== null && Math.abs(got - c.want) < 1e-9, `${c.name}: ${got} ≠ ${c.want}`);
  }
  assert.throws(() => histogramQuantile(0, hist([[1, 1]])), RangeError);
  assert.throws(() => histogramQuantile(1.5, hist([[1, 1]])), RangeError);
});

test('mergeHistograms sums bucket counts; over unlike layouts each pod counts at its largest bound below', () => {
  const a = hist([[1, 2], [2, 5]], 6);
  const b = hist([[1, 1], [2, 3]], 4);
  assert.deepEqual(mergeHistograms([a, b]), hist([[1, 3], [2, 8]], 10));
  const coarse = hist([[2, 4]], 3);
  assert.deepEqual(mergeHistograms([a, coarse]), hist([[1, 2], [2, 9]], 9), 'the coarse pod adds nothing at 1: it cannot say');
  assert.deepEqual(mergeHistograms([]), hist([[Infinity, 0]]));
  assert.equal(mergeHistograms([a]), a);
});

test('cumulativeCountAt takes the largest bound at or below', () => {
  const h = hist([[1, 2], [2, 5]]);
  assert.deepEqual([0.5, 1, 1.5, 2, 99, Infinity].map((le) => cumulativeCountAt(h, le)), [0, 2, 2, 5, 5, 5]);
});

test('histogramDelta subtracts, and a counter that went down is a restart whose counts are all new', () => {
  const cases: { name: string; previous: HistogramSnapshot; current: HistogramSnapshot; want: HistogramSnapshot }[] = [
    { name: 'steady', previous: hist([[1, 2], [2, 5]], 3), current: hist([[1, 4], [2, 9]], 7), want: hist([[1, 2], [2, 4]], 4) },
    { name: 'no traffic', previous: hist([[1, 2], [2, 5]], 3), current: hist([[1, 2], [2, 5]], 3), want: hist([[1, 0], [2, 0]], 0) },
    { name: 'restart: count went down', previous: hist([[1, 20], [2, 50]], 30), current: hist([[1, 1], [2, 3]], 2), want: hist([[1, 1], [2, 3]], 2) },
    { name: 'restart: one bucket went down', previous: hist([[1, 20], [2, 50]], 30), current: hist([[1, 19], [2, 60]], 40), want: hist([[1, 19], [2, 60]], 40) },
    { name: 'restart: new bucket layout', previous: hist([[1, 2], [2, 5]], 3), current: hist([[1.5, 6]], 5), want: hist([[1.5, 6]], 5) },
  ];
  for (const c of cases) assert.deepEqual(histogramDelta(c.previous, c.current), c.want, c.name);
  assert.equal(continuesFrom(hist([[1, 1]]), hist([[1, 1]])), true);
});
