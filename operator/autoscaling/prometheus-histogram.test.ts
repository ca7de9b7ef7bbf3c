import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Counter, Histogram, Registry } from 'prom-client';
import { inferenceRoute, inferenceSlaSeries, requestDurationFamily, versionedInferenceRoute } from './inference-requests.js';
import { everySeries, ExpositionError, extractHistogram, seriesWhere } from './prometheus-histogram.js';

const buckets = [0.001, 0.01, 0.1, 1];

/** A registry shaped like the server's: the request-duration histogram plus a metric that must be skipped. */
function serverLikeRegistry() {
  const registry = new Registry();
  const duration = new Histogram({
    name: requestDurationFamily,
    help: 'HTTP request duration, by route template, method and status code.',
    labelNames: ['route', 'method', 'status'],
    buckets,
    registers: [registry],
  });
  new Counter({ name: 'vernier_rejected_requests_total', help: 'Refused.', labelNames: ['reason'], registers: [registry] }).inc({ reason: 'queue_full' });
  return { registry, duration };
}

const infer = (status: string) => ({ route: inferenceRoute, method: 'POST', status });

test('one series of real prom-client output is read exactly', async () => {
  const { registry, duration } = serverLikeRegistry();
  for (const seconds of [0.0005, 0.002, 0.002, 0.05, 0.5, 3]) duration.observe(infer('200'), seconds);
  const h = extractHistogram(await registry.metrics(), requestDurationFamily);
  assert.ok(h);
  assert.deepEqual(h.buckets, [
    { le: 0.001, count: 1 },
    { le: 0.01, count: 3 },
    { le: 0.1, count: 4 },
    { le: 1, count: 5 },
    { le: Infinity, count: 6 },
  ]);
  assert.equal(h.count, 6);
  assert.ok(Math.abs(h.sum - 3.5545) < 1e-12);
});

test('label sets are summed over what the classifier keeps', async () => {
  const { registry, duration } = serverLikeRegistry();
  duration.observe(infer('200'), 0.005);
  duration.observe(infer('200'), 0.05);
  duration.observe(infer('400'), 0.0001);
  duration.observe(infer('503'), 0.0002);
  duration.observe(infer('504'), 0.5);
  duration.observe(infer('500'), 0.02);
  duration.observe({ route: '/v2/health/ready', method: 'GET', status: '200' }, 0.0001);
  const text = await registry.metrics();
  const cases: { name: string; h: ReturnType<typeof extractHistogram>; counts: number[]; count: number }[] = [
    { name: 'every series', h: extractHistogram(text, requestDurationFamily, everySeries), counts: [3, 4, 6, 7, 7], count: 7 },
    { name: '2xx of the inference route', h: extractHistogram(text, requestDurationFamily, seriesWhere((l) => l.route === inferenceRoute && l.status.startsWith('2'))), counts: [0, 1, 2, 2, 2], count: 2 },
    // 503 and 504 land above every finite bucket; 400, 500 and the probe are left out.
    { name: 'the SLA reading', h: extractHistogram(text, requestDurationFamily, inferenceSlaSeries), counts: [0, 1, 2, 2, 4], count: 4 },
  ];
  for (const c of cases) {
    assert.ok(c.h, c.name);
    assert.deepEqual(c.h.buckets.map((b) => b.count), c.counts, c.name);
    assert.deepEqual(c.h.buckets.map((b) => b.le), [...buckets, Infinity], c.name);
    assert.equal(c.h.count, c.count, c.name);
  }
});

test('a family absent is undefined; declared but not yet observed is empty', async () => {
  const { registry } = serverLikeRegistry();
  const text = await registry.metrics();
  assert.deepEqual(extractHistogram(text, requestDurationFamily), { buckets: [{ le: Infinity, count: 0 }], count: 0, sum: 0 });
  assert.equal(extractHistogram(text, 'vernier_no_such_histogram'), undefined);
  assert.throws(() => extractHistogram(text, 'vernier_rejected_requests_total'), ExpositionError, 'a counter is not a histogram');
});

test('escaped label values, any label order, timestamps and CRLF line ends are read', () => {
  const text = [
    '# HELP h A histogram.',
    '# TYPE h histogram',
    'h_bucket{path="a\\"b\\\\c\\nd,}=",le="0.5"} 1 1700000000000',
    'h_bucket{le="+Inf",path="a\\"b\\\\c\\nd,}="} 2',
    'h_sum{path="a\\"b\\\\c\\nd,}="} 1.25',
    'h_count{path="a\\"b\\\\c\\nd,}="} 2',
    'h_bucket{path="other",le="0.5"} 7\r',
    'h_bucket{path="other",le="+Inf",} 9\r',
    'h_count{path="other"} 9\r',
    'h_sum{path="other"} 4\r',
  ].join('\n');
  const seen: string[] = [];
  const h = extractHistogram(text, 'h', (labels) => {
    seen.push(labels.path);
    return labels.path === 'a"b\\c\nd,}=' ? 'latency' : 'skip';
  });
  assert.deepEqual(seen.sort(), ['a"b\\c\nd,}=', 'other']);
  assert.deepEqual(h, { buckets: [{ le: 0.5, count: 1 }, { le: Infinity, count: 2 }], count: 2, sum: 1.25 });
});

test('malformed lines of the family are errors; lines of other families are not read', () => {
  const cases: { name: string; lines: string[] }[] = [
    { name: 'no +Inf bucket', lines: ['h_bucket{le="1"} 1'] },
    { name: 'no le label', lines: ['h_bucket{x="1"} 1'] },
    { name: 'unterminated label value', lines: ['h_bucket{le="1} 1'] },
    { name: 'not a number', lines: ['h_bucket{le="1"} many', 'h_bucket{le="+Inf"} 1'] },
    { name: 'missing value', lines: ['h_bucket{le="+Inf"}'] },
    { name: 'not cumulative', lines: ['h_bucket{le="1"} 5', 'h_bucket{le="+Inf"} 4'] },
    { name: 'a repeated bucket', lines: ['h_bucket{le="+Inf"} 4', 'h_bucket{le="+Inf"} 4'] },
  ];
  for (const c of cases) assert.throws(() => extractHistogram(c.lines.join('\n'), 'h'), ExpositionError, c.name);
  const noise = ['other_bucket{le="1} broken', 'h_bucketed{le="1"} x', '# TYPE other histogram', 'h_bucket{le="+Inf"} 3'].join('\n');
  assert.equal(extractHistogram(noise, 'h')?.count, 3);
});

test('the route and family the operator selects are the ones the server registers', () => {
  const server = new URL('../../../server/', import.meta.url);
  const routes = existsSync(new URL('routes/', server)) ? readdirSync(new URL('routes/', server)).map((f) => `routes/${f}`) : [];
  const sources = ['app.ts', ...routes].filter((f) => f.endsWith('.ts')).map((f) => readFileSync(new URL(f, server), 'utf8'));
  for (const route of [inferenceRoute, versionedInferenceRoute]) {
    assert.ok(sources.some((text) => text.includes(`'${route}'`)), `the server no longer registers ${route}`);
  }
  assert.ok(readFileSync(new URL('metrics.ts', server), 'utf8').includes(`name: '${requestDurationFamily}'`));
});

test('requests on the versioned infer route count like the unversioned ones', () => {
  assert.equal(inferenceSlaSeries({ route: versionedInferenceRoute, method: 'POST', status: '200' }), 'latency');
  assert.equal(inferenceSlaSeries({ route: '/v2/health/ready', method: 'GET', status: '200' }), 'skip');
});
