import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CompactBenchReport,
  parseTerminationMessage,
  terminationMessageLimitBytes,
  toCompactFailure,
  toCompactReport,
} from './compact-report.js';
import { BenchReport } from './bench-report.js';
import { sampleReport } from './test-support/sample-report.js';

const size = (x: unknown): number => Buffer.byteLength(JSON.stringify(x));

test('the sample report is valid and round-trips through JSON', () => {
  const report = sampleReport();
  assert.deepEqual(BenchReport.parse(JSON.parse(JSON.stringify(report))), report);
});

test('the compact report keeps the figures the operator needs and drops the timeline', () => {
  const report = sampleReport();
  const compact = toCompactReport(report);
  assert.equal(compact.version, 1);
  assert.equal(compact.p99Ms, 41.9);
  assert.equal(compact.throughputRps, 399.5);
  assert.equal(compact.requests, 12_000);
  assert.equal(compact.concurrency, 8);
  assert.deepEqual(compact.errors, { http_503: 8, timeout: 2 });
  assert.equal(compact.errorsOmitted, 0);
  assert.equal(compact.sla?.met, true);
  assert.equal(compact.capacity, null);
  assert.ok(!('timeline' in compact));
  assert.deepEqual(CompactBenchReport.parse(JSON.parse(JSON.stringify(compact))), compact);
});

test('thousands of error kinds with long names still fit in 4,096 bytes; the omitted ones are counted', () => {
  const errors = Object.fromEntries(Array.from({ length: 2_000 }, (_, i) => [`http_5${String(i).padStart(2, '0')}_${'x'.repeat(200)}`, 2_000 - i]));
  const report = sampleReport({ errors, target: { ...sampleReport().target, model: 'm'.repeat(5_000) } });
  const compact = toCompactReport(report);
  assert.ok(size(compact) <= terminationMessageLimitBytes, `${size(compact)} bytes`);
  const kept = Object.values(compact.errors);
  assert.ok(kept.length > 0 && kept.length <= 20);
  assert.equal(kept[0], 2_000, 'the most frequent kind is kept');
  const total = Object.values(errors).reduce((a, b) => a + b, 0);
  assert.equal(kept.reduce((a, b) => a + b, 0) + compact.errorsOmitted, total);
  assert.ok(Object.keys(compact.errors).every((k) => k.length <= 64));
  CompactBenchReport.parse(JSON.parse(JSON.stringify(compact)));
});

test('a sweep shows up as the capacity', () => {
  const report = sampleReport({
    sweep: {
      variable: 'concurrency',
      steps: [
        { load: 1, throughputRps: 50, p50Ms: 19, p99Ms: 25, errorRate: 0, requests: 500, passed: true, reason: null },
        { load: 2, throughputRps: 90, p50Ms: 21, p99Ms: 130, errorRate: 0, requests: 900, passed: false, reason: 'p99 130 ms > 100 ms' },
      ],
      capacityRps: 50,
      capacityLoad: 1,
      stoppedBecause: 'sla_missed',
    },
  });
  assert.deepEqual(toCompactReport(report).capacity, { variable: 'concurrency', rps: 50, load: 1, p99Ms: null, steps: 2, stoppedBecause: 'sla_missed' });
});

test('a capacity search carries the p99 at the capacity rate through the compact report', () => {
  const report = sampleReport({
    sweep: {
      variable: 'rate',
      steps: [
        { load: 90, throughputRps: 89.9, p50Ms: 11, p99Ms: 21.5, errorRate: 0, requests: 900, passed: true, reason: null },
        { load: 112.5, throughputRps: 96, p50Ms: 250, p99Ms: 610, errorRate: 0, requests: 1_000, passed: false, reason: 'p99 610 ms > 100 ms' },
        { load: 100.6, throughputRps: 96.2, p50Ms: 40, p99Ms: 180, errorRate: 0, requests: 1_000, passed: false, reason: 'p99 180 ms > 100 ms' },
        { load: 95.15, throughputRps: 95.1, p50Ms: 12, p99Ms: 33.2, errorRate: 0, requests: 950, passed: true, reason: null },
      ],
      capacityRps: 95.1,
      capacityLoad: 95.15,
      capacityP99Ms: 33.2,
      stoppedBecause: 'converged',
      search: { budgetSeconds: 120, elapsedSeconds: 51.3, probe: { concurrency: 32, durationSeconds: 5, throughputRps: 100, p99Ms: 330 }, missedLoad: 100.6 },
    },
  });
  assert.deepEqual(BenchReport.parse(JSON.parse(JSON.stringify(report))), report, 'the full report round-trips with its search');
  const text = JSON.stringify(toCompactReport(report));
  assert.ok(Buffer.byteLength(text) <= terminationMessageLimitBytes);
  const parsed = parseTerminationMessage(text) as CompactBenchReport;
  assert.deepEqual(parsed.capacity, { variable: 'rate', rps: 95.1, load: 95.15, p99Ms: 33.2, steps: 4, stoppedBecause: 'converged' });
});

test('reports written before the capacity p99 existed still parse', () => {
  const { p99Ms: _p99Ms, ...older } = { variable: 'rate' as const, rps: 95.1, load: 95.15, p99Ms: 33.2, steps: 4, stoppedBecause: 'sla_missed' as const };
  const compact = { ...toCompactReport(sampleReport()), capacity: older };
  const parsed = parseTerminationMessage(JSON.stringify(compact)) as CompactBenchReport;
  assert.equal(parsed.capacity?.rps, 95.1);
  assert.equal(parsed.capacity?.p99Ms, undefined);
  const fullSweep = { variable: 'rate', steps: [], capacityRps: null, capacityLoad: null, stoppedBecause: 'steps_exhausted' };
  assert.equal(BenchReport.parse({ ...sampleReport(), sweep: fullSweep }).sweep?.capacityP99Ms, undefined, 'a full report without it too');
});

test('termination messages parse as a report or as a failure, and a failure fits whatever its text', () => {
  const message = JSON.stringify(toCompactReport(sampleReport()));
  assert.equal((parseTerminationMessage(message) as CompactBenchReport).p50Ms, 18.2);
  const failure = toCompactFailure(`cannot reach ${'é'.repeat(10_000)}`);
  assert.ok(size(failure) <= terminationMessageLimitBytes);
  assert.deepEqual(parseTerminationMessage(JSON.stringify(failure)), failure);
  assert.throws(() => parseTerminationMessage('Error: boom'), /termination message is not JSON/);
});
