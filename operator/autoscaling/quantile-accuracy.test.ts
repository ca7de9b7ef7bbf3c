// The server's latency buckets are fine enough for a p99 interpolated from them to be within 5 % of the exact one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Histogram, Registry } from 'prom-client';
import { seededRandom } from '../../bench/random.js';
import { geometricBuckets, latencyBuckets } from '../../server/metrics.js';
import { histogramQuantile } from './histogram.js';
import { inferenceRoute, inferenceSlaSeries, requestDurationFamily } from './inference-requests.js';
import { extractHistogram } from './prometheus-histogram.js';

test('the latency buckets grow geometrically from 0.5 ms to 60 s', () => {
  assert.ok(latencyBuckets.length <= 140, `${latencyBuckets.length} buckets`);
  assert.equal(latencyBuckets[0], 0.0005);
  assert.equal(latencyBuckets.at(-1), 60);
  for (let i = 1; i < latencyBuckets.length; i++) {
    const ratio = latencyBuckets[i] / latencyBuckets[i - 1];
    assert.ok(ratio > 1.08 && ratio < 1.1, `${latencyBuckets[i - 1]} → ${latencyBuckets[i]}`);
  }
  assert.deepEqual(geometricBuckets(1, 16, 2), [1, 2, 4, 8, 16]);
  assert.deepEqual(geometricBuckets(1, 10, 3), [1, 2.154, 4.642, 10]);
  assert.throws(() => geometricBuckets(0, 1, 2), RangeError);
  assert.throws(() => geometricBuckets(1, 2, 1), RangeError);
});

/** A lognormal draw (Box–Muller) with the given median in seconds and spread of its logarithm. */
function lognormal(random: () => number, medianSeconds: number, sigma: number): number {
  const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return medianSeconds * Math.exp(sigma * z);
}

const distributions: { name: string; draw: (random: () => number) => number }[] = [
  { name: 'fast: median 4 ms, wide', draw: (r) => lognormal(r, 0.004, 0.6) },
  { name: 'around 300 ms', draw: (r) => lognormal(r, 0.3, 0.25) },
  { name: 'narrow: median 50 ms ± 5 %', draw: (r) => lognormal(r, 0.05, 0.05) },
  { name: '3 % slow tail: 20 ms and 150 ms modes', draw: (r) => (r() < 0.03 ? lognormal(r, 0.15, 0.2) : lognormal(r, 0.02, 0.3)) },
];

for (const [index, distribution] of distributions.entries()) {
  test(`interpolated quantiles are within 5 % of the exact ones: ${distribution.name}`, async (t) => {
    const random = seededRandom(1000 + index);
    const registry = new Registry();
    const duration = new Histogram({
      name: requestDurationFamily,
      help: 'HTTP request duration.',
      labelNames: ['route', 'method', 'status'],
      buckets: latencyBuckets,
      registers: [registry],
    });
    const samples = Array.from({ length: 20_000 }, () => distribution.draw(random));
    for (const seconds of samples) duration.observe({ route: inferenceRoute, method: 'POST', status: '200' }, seconds);
    const histogram = extractHistogram(await registry.metrics(), requestDurationFamily, inferenceSlaSeries);
    assert.ok(histogram);
    assert.equal(histogram.count, samples.length);
    const sorted = samples.sort((a, b) => a - b);
    const errors: string[] = [];
    for (const q of [0.5, 0.95, 0.99]) {
      const exact = sorted[Math.ceil(q * sorted.length) - 1];
      const estimate = histogramQuantile(q, histogram)!;
      const error = estimate / exact - 1;
      errors.push(`p${q * 100} ${(exact * 1000).toFixed(2)} ms → ${(estimate * 1000).toFixed(2)} ms (${(error * 100).toFixed(2)} %)`);
      assert.ok(Math.abs(error) < 0.05, `p${q * 100}: exact ${exact}, interpolated ${estimate}`);
    }
    t.diagnostic(errors.join('; '));
  });
}
