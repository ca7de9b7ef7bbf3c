import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeCheck, slaVerdict } from './sla.js';

const figures = { p99Ms: 80, throughputRps: 120, errorRate: 0.01 };

test('no targets, no verdict', () => {
  assert.equal(slaVerdict({}, figures), null);
});

test('every target set gets a check with its threshold and measured value', () => {
  const verdict = slaVerdict({ p99LatencyMs: 100, minThroughputRps: 100, maxErrorRate: 0.05 }, figures);
  assert.deepEqual(verdict, {
    met: true,
    checks: [
      { target: 'p99LatencyMs', threshold: 100, measured: 80, met: true },
      { target: 'minThroughputRps', threshold: 100, measured: 120, met: true },
      { target: 'maxErrorRate', threshold: 0.05, measured: 0.01, met: true },
    ],
  });
});

test('one missed target misses the SLA; boundaries count as met', () => {
  const slow = slaVerdict({ p99LatencyMs: 50, minThroughputRps: 100 }, figures)!;
  assert.equal(slow.met, false);
  assert.deepEqual(slow.checks.map((c) => c.met), [false, true]);
  const exact = slaVerdict({ p99LatencyMs: 80, minThroughputRps: 120, maxErrorRate: 0.01 }, figures)!;
  assert.equal(exact.met, true);
  const slowThroughput = slaVerdict({ minThroughputRps: 121 }, figures)!;
  assert.equal(slowThroughput.met, false);
});

test('no successful request: the latency target is missed, not vacuously met', () => {
  const verdict = slaVerdict({ p99LatencyMs: 100 }, { p99Ms: null, throughputRps: 0, errorRate: 1 })!;
  assert.equal(verdict.met, false);
  assert.equal(verdict.checks[0].measured, null);
  assert.match(describeCheck(verdict.checks[0]), /no successful request/);
});

test('checks read as sentences', () => {
  const [p99, rps] = slaVerdict({ p99LatencyMs: 50, minThroughputRps: 100 }, figures)!.checks;
  assert.equal(describeCheck(p99), 'p99 80 ms > 50 ms');
  assert.equal(describeCheck(rps), 'throughput 120 req/s ≥ 100 req/s');
});
