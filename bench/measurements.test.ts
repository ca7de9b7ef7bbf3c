import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LatencyHistogram } from './histogram.js';
import { Measurements } from './measurements.js';

const ok = { ok: true } as const;
const fail = (kind: string) => ({ ok: false as const, kind, message: `${kind} happened` });

test('histogram percentiles of 1..1000 ms are within HDR resolution', () => {
  const h = new LatencyHistogram();
  for (let ms = 1; ms <= 1000; ms++) h.recordMs(ms);
  const s = h.summary();
  assert.equal(s.count, 1000);
  for (const [got, want] of [
    [s.p50Ms, 500],
    [s.p90Ms, 900],
    [s.p99Ms, 990],
    [s.p999Ms, 999],
    [s.maxMs, 1000],
    [s.minMs, 1],
    [s.meanMs, 500.5],
  ]) {
    assert.ok(Math.abs(got - want) <= want * 0.001 + 0.001, `${got} vs ${want}`);
  }
  assert.ok(s.p999Ms <= s.maxMs);
  h.destroy();
});

test('an empty histogram reports zeros', () => {
  const h = new LatencyHistogram();
  assert.deepEqual(Object.values(h.summary()), Array(10).fill(0));
  h.destroy();
});

test('warmup requests are counted apart; measured ones by outcome and kind', () => {
  const m = new Measurements(1_000);
  m.record(500, 900, ok); // sent during warmup
  m.record(990, 1_100, fail('timeout')); // sent during warmup, answered after
  m.record(1_000, 1_020, ok);
  m.record(1_010, 1_050, ok);
  m.record(1_020, 1_060, fail('http_503'));
  m.record(1_030, 1_070, fail('http_503'));
  const t = m.totals();
  assert.deepEqual(t.warmup, { completed: 2, errors: 1 });
  assert.equal(t.completed, 4);
  assert.equal(t.ok, 2);
  assert.deepEqual(t.errorsByKind, { http_503: 2 });
  assert.deepEqual(t.errorSamples, [{ kind: 'http_503', message: 'http_503 happened' }]);
  assert.equal(t.latency.count, 2);
  assert.ok(Math.abs(t.latency.maxMs - 40) < 0.1);
  m.destroy();
});

test('the timeline has one entry per second, empty seconds included, with the p99 of each second', () => {
  const m = new Measurements(0);
  for (let i = 0; i < 100; i++) m.record(i, i + 10, ok); // second 0: 10 ms each
  m.record(3_000, 3_500, ok); // second 3: one slow request after two silent seconds
  m.record(3_600, 3_700, fail('connection'));
  m.record(900, 950, fail('dropped')); // a late report for second 0
  const timeline = m.totals().timeline;
  assert.deepEqual(
    timeline.map((s) => [s.second, s.requests, s.ok, s.errors]),
    [
      [0, 101, 100, 1],
      [1, 0, 0, 0],
      [2, 0, 0, 0],
      [3, 2, 1, 1],
    ],
  );
  assert.ok(Math.abs(timeline[0].p99Ms! - 10) < 0.1);
  assert.equal(timeline[1].p99Ms, null);
  assert.ok(Math.abs(timeline[3].p99Ms! - 500) < 5);
  m.destroy();
});
