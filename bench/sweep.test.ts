import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runBenchmark } from './run-benchmark.js';
import { fixedSteps, judgeStep, sweepSteps, type JudgedStep } from './sweep.js';
import { sampleReport } from '../contracts/test-support/sample-report.js';
import { startBehavingServer } from './test-support/behaving-server.js';

test('generated steps double from 1 (concurrency) or from the start rate', () => {
  assert.deepEqual(sweepSteps('closed', undefined, { maxSteps: 5 }), [1, 2, 4, 8, 16]);
  assert.deepEqual(sweepSteps('open', 25, { maxSteps: 3 }), [25, 50, 100]);
  assert.deepEqual(sweepSteps('closed', undefined, { steps: [3, 6, 9], maxSteps: 10 }), [3, 6, 9]);
});

test('given steps run in order until one fails, which says why the sweep stopped', () => {
  const plan = fixedSteps([1, 2, 4]);
  const ran = (load: number, failedBecause: JudgedStep['failedBecause'] = null): JudgedStep => ({
    step: { load, throughputRps: load * 10, p50Ms: 1, p99Ms: 2, errorRate: 0, requests: 100, passed: failedBecause === null, reason: failedBecause },
    failedBecause,
  });
  assert.equal(plan.count, 3);
  assert.deepEqual(plan.next([]), { load: 1 });
  assert.deepEqual(plan.next([ran(1)]), { load: 2 });
  assert.deepEqual(plan.next([ran(1), ran(2, 'errors')]), { stop: 'errors' });
  assert.deepEqual(plan.next([ran(1), ran(2), ran(4)]), { stop: 'steps_exhausted' });
});

test('a step fails on a missed latency target, on errors, or on a generator that fell behind; not on low throughput', () => {
  const targets = { p99LatencyMs: 100, minThroughputRps: 1_000 };
  const lowThroughput = sampleReport({
    errors: {},
    requests: { total: 100, ok: 100, errors: 0, warmup: { completed: 0, errors: 0 } },
    sla: { met: false, checks: [{ target: 'minThroughputRps', threshold: 1_000, measured: 400, met: false }] },
  });
  assert.deepEqual(judgeStep(lowThroughput, targets), { passed: true, reason: null, stoppedBecause: null });

  const slow = sampleReport({ sla: { met: false, checks: [{ target: 'p99LatencyMs', threshold: 100, measured: 130, met: false }] } });
  assert.deepEqual(judgeStep(slow, targets), { passed: false, reason: 'p99 130 ms > 100 ms', stoppedBecause: 'sla_missed' });

  const failing = sampleReport(); // 10 errors, latency met
  const judged = judgeStep(failing, targets);
  assert.equal(judged.stoppedBecause, 'errors');
  assert.match(judged.reason!, /10 errors \(http_503 8, timeout 2\)/);
  assert.equal(judgeStep(failing, { ...targets, maxErrorRate: 0.01 }).passed, true, 'errors within an error-rate target are allowed');

  const jittery = sampleReport({ mode: 'open', errors: {}, requests: { total: 1_000, ok: 1_000, errors: 0, warmup: { completed: 0, errors: 0 } } });
  jittery.generator = { ...jittery.generator, scheduledSends: 1_000, lateSends: 200, meanLagMs: 3, maxLagMs: 30 };
  assert.equal(judgeStep(jittery, targets).passed, true, 'late sends with a small average lag are jitter, not saturation');
  const behind = { ...jittery, generator: { ...jittery.generator, meanLagMs: 120, maxLagMs: 400 } };
  assert.deepEqual(judgeStep(behind, targets), {
    passed: false,
    reason: 'the generator could not keep the schedule (200 of 1000 sends late, 120 ms on average)',
    stoppedBecause: 'generator_saturated',
  });
});

test('closed-loop sweep stops where latency grows past the SLA and reports the best passing step', async (t) => {
  // Each request takes 20 ms per request in flight: concurrency 1 → 20 ms, 2 → 40, 4 → 80, 8 → 160.
  const server = await startBehavingServer({ delayMs: (inFlight) => 20 * inFlight });
  t.after(() => server.close());
  const report = await runBenchmark({
    url: server.url,
    model: 'm',
    durationSeconds: 0.6,
    sla: { p99LatencyMs: 130 },
    sweep: { steps: [1, 2, 4, 8, 16, 32] },
  });
  const sweep = report.sweep!;
  assert.equal(sweep.variable, 'concurrency');
  assert.equal(sweep.stoppedBecause, 'sla_missed');
  const failed = sweep.steps.at(-1)!;
  assert.equal(failed.passed, false);
  assert.ok(sweep.steps.slice(0, -1).every((s) => s.passed), 'every step before the last passed');
  // With 130 ms as the target, 8 (160 ms) must fail; a noisy machine may already fail 4 (80 ms).
  assert.ok([4, 8].includes(failed.load), `broke at ${failed.load}`);
  assert.ok(sweep.steps.length <= 4, 'no step after the break point');
  const passing = sweep.steps.filter((s) => s.passed);
  assert.equal(sweep.capacityRps, Math.max(...passing.map((s) => s.throughputRps)));
  assert.equal(report.load.concurrency, sweep.capacityLoad);
  assert.equal(report.throughputRps, sweep.capacityRps);
  assert.equal(report.sla?.met, true);
});

test('open-loop sweep finds the rate a serial server can sustain', async (t) => {
  const server = await startBehavingServer({ delayMs: 20, serial: true }); // at most 50 req/s
  t.after(() => server.close());
  const report = await runBenchmark({
    url: server.url,
    model: 'm',
    mode: 'open',
    rate: 20,
    durationSeconds: 0.8,
    timeoutMs: 2_000,
    sla: { p99LatencyMs: 150 },
    sweep: { steps: [20, 40, 80, 160] },
  });
  const sweep = report.sweep!;
  assert.equal(sweep.variable, 'rate');
  // At 80 req/s the queue grows by 30 requests a second (600 ms of work per second): p99 far above 150 ms.
  const failed = sweep.steps.find((s) => !s.passed)!;
  assert.ok([40, 80].includes(failed.load), `broke at ${failed.load}`);
  assert.ok(sweep.capacityLoad !== null && sweep.capacityLoad < failed.load);
  assert.ok(sweep.capacityRps! <= 52, `capacity ${sweep.capacityRps} req/s cannot exceed what a serial 20 ms server does`);
});

test('no passing step: the first step is reported and capacity is null', async (t) => {
  const server = await startBehavingServer({ delayMs: 30 });
  t.after(() => server.close());
  const report = await runBenchmark({ url: server.url, model: 'm', requests: 10, sla: { p99LatencyMs: 5 }, sweep: { steps: [1, 2] } });
  assert.equal(report.sweep!.capacityRps, null);
  assert.equal(report.sweep!.steps.length, 1);
  assert.equal(report.load.concurrency, 1);
  assert.match(report.warnings.join('\n'), /no step met the SLA/);
});
