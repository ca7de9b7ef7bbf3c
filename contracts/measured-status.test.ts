import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseInferenceServiceSpec } from '../crds/parse.js';
import type { CompactBenchReport } from './compact-report.js';
import { benchmarkedCondition, benchmarkStatus, figuresOfStatus, measuredStatus, verdictOn } from './measured-status.js';
import { slaTargetsFor, slaVerdict } from './sla.js';

const spec = parseInferenceServiceSpec({
  model: { name: 'audio-cnn', uri: 'builtin://audio-cnn' },
  concurrency: { strategy: 'pool' },
  sla: { p99LatencyMs: 100, minThroughputRps: 50 },
});

function report(overrides: Partial<CompactBenchReport> = {}): CompactBenchReport {
  return {
    version: 1,
    model: 'audio-cnn',
    mode: 'closed',
    concurrency: 20,
    rate: null,
    durationSeconds: 10.0004,
    requests: 812,
    ok: 812,
    errors: {},
    errorsOmitted: 0,
    errorRate: 0,
    throughputRps: 81.23456,
    p50Ms: 40.123,
    p90Ms: 60,
    p95Ms: 70.555,
    p99Ms: 90.4444,
    p999Ms: 95,
    maxMs: 97.2,
    meanMs: 45,
    sla: null,
    generator: { healthy: true, lateSends: 0, maxLagMs: 0, droppedSends: 0, cpuPercent: 10 },
    capacity: null,
    startedAt: '2026-11-22T10:00:00.000Z',
    completedAt: '2026-11-22T10:00:12.345Z',
    ...overrides,
  };
}

describe('benchmarkStatus', () => {
  it('rounds the figures and records the strategy and spec hash', () => {
    const s = benchmarkStatus(report(), spec, '0123456789abcdef');
    assert.equal(s.p99Ms, 90.44);
    assert.equal(s.throughputRps, 81.2);
    assert.equal(s.strategy, 'pool');
    assert.equal(s.concurrency, 20);
    assert.equal(s.completedAt, '2026-11-22T10:00:12Z');
    assert.equal(s.specHash, '0123456789abcdef');
  });
});

/** SLAMet as the operator writes it for a report that carries no verdict of its own. */
const slaCondition = (r: CompactBenchReport) => measuredStatus(r, spec, '0123456789abcdef').slaMet;

describe('slaCondition', () => {
  it('is True when every target holds', () => {
    const c = slaCondition(report());
    assert.equal(c.status, 'True');
    assert.equal(c.reason, 'SLAMet');
    assert.match(c.message, /p99 90\.4 ms ≤ 100 ms, throughput 81\.2 ≥ 50 req\/s/);
  });
  it('names p99 first, and lists every missed target', () => {
    const c = slaCondition(report({ p99Ms: 412.3, throughputRps: 12 }));
    assert.equal(c.status, 'False');
    assert.equal(c.reason, 'P99AboveTarget');
    assert.match(c.message, /p99 412\.3 ms is above the 100 ms target; throughput 12\.0 req\/s is below the 50 req\/s target/);
  });
  it('reports low throughput alone as ThroughputBelowTarget', () => {
    assert.equal(slaCondition(report({ throughputRps: 49.9 })).reason, 'ThroughputBelowTarget');
  });
  it('refuses to call an SLA met when requests failed', () => {
    const c = slaCondition(report({ errorRate: 0.2, errors: { http_503: 150, timeout: 12 } }));
    assert.equal(c.reason, 'ErrorRateTooHigh');
    assert.match(c.message, /20\.00 % of requests failed \(most: http_503 × 150\)/);
  });
});

describe('benchmarkStatus concurrency', () => {
  it('is the closed loop concurrency, or the most requests in flight at once in an open loop', () => {
    assert.equal(benchmarkStatus(report(), spec, 'h').concurrency, 20);
    assert.equal(benchmarkStatus(report({ mode: 'open', rate: 200, concurrency: null, peakInFlight: 7 }), spec, 'h').concurrency, 7);
  });
});

describe('benchmarkedCondition', () => {
  it('summarises the measurement', () => {
    const c = benchmarkedCondition(report({ mode: 'open', rate: 200, concurrency: null }));
    assert.equal(c.reason, 'BenchmarkSucceeded');
    assert.match(c.message, /812 requests over 10\.0 s at 200 req\/s offered \(open loop\): p99 90\.4 ms/);
    assert.doesNotMatch(c.message, /caution/);
  });
  it('carries what may have disturbed the measurement into the status', () => {
    const warned = report({ warnings: ["the server runs on the generator's machine: the generator's own 40 % of a core…"] });
    assert.match(benchmarkedCondition(warned).message, /; caution: the server runs on the generator's machine/);
    assert.equal(benchmarkStatus(warned, spec, 'h').mode, 'closed');
  });
});

describe('one SLA verdict', () => {
  it('uses the verdict the benchmark wrote when the report has one', () => {
    const written = slaVerdict({ p99LatencyMs: 50 }, { p99Ms: 90.4444, throughputRps: 81, errorRate: 0 })!;
    const c = measuredStatus(report({ sla: written }), spec, 'h').slaMet;
    assert.equal(c.reason, 'P99AboveTarget');
    assert.match(c.message, /above the 50 ms target/);
  });
  it('applies the same rules to a report without one as bench does', () => {
    const r = report({ p99Ms: 120 });
    const bench = slaVerdict(slaTargetsFor(spec), { p99Ms: r.p99Ms, throughputRps: r.throughputRps, errorRate: r.errorRate });
    assert.deepEqual(verdictOn({ ...r }, spec), bench);
  });
  it('misses the latency target when no request succeeded, rather than judging a p99 of 0', () => {
    const c = measuredStatus(report({ ok: 0, p99Ms: 0, errorRate: 0, throughputRps: 0, requests: 0 }), spec, 'h').slaMet;
    assert.equal(c.status, 'False');
    assert.match(c.message, /no request succeeded/);
  });
  it('judges stored figures (status.benchmark) the same way', () => {
    const stored = benchmarkStatus(report({ p99Ms: 412.3 }), spec, 'h');
    assert.equal(verdictOn(figuresOfStatus(stored), spec).met, false);
  });
});
