import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nextCapacityStep, type SearchContext } from './capacity-search.js';
import { formatReportTable } from './format.js';
import { runBenchmark } from './run-benchmark.js';
import type { StepProgress } from './run-load.js';
import type { JudgedStep } from './sweep.js';
import { CompactBenchReport, toCompactReport } from '../contracts/compact-report.js';
import type { SweepStopReason } from '../contracts/bench-report.js';
import { startBehavingServer } from './test-support/behaving-server.js';

function judged(load: number, failedBecause: SweepStopReason | null = null, throughputRps = load): JudgedStep {
  const passed = failedBecause === null;
  return { step: { load, throughputRps, p50Ms: 5, p99Ms: 9, errorRate: 0, requests: 1_000, passed, reason: passed ? null : 'missed' }, failedBecause };
}
const pass = (load: number) => judged(load);
const miss = (load: number, why: SweepStopReason = 'sla_missed') => judged(load, why, load * 0.9);
const roomy: SearchContext = { probeRps: 100, stepSeconds: 10, remainingSeconds: 1_000 };
const loadOf = (done: JudgedStep[], ctx = roomy): number | undefined => {
  const next = nextCapacityStep(done, ctx);
  return 'load' in next ? next.load : undefined;
};

test('the search starts just under the probed ceiling and moves 25 %, 50 %, then ×2 until the edge is bracketed', () => {
  assert.deepEqual(nextCapacityStep([], roomy), { load: 90, durationSeconds: 10 });
  assert.equal(loadOf([pass(90)]), 112.5);
  assert.equal(loadOf([pass(90), pass(112.5)]), 168.8);
  assert.equal(loadOf([pass(90), pass(112.5), pass(168.8)]), 337.6);
  assert.equal(loadOf([miss(90)]), 72);
  assert.equal(loadOf([miss(90), miss(72)]), 48);
  assert.equal(loadOf([miss(90), miss(72), miss(48)]), 24);
});

test('a bracket is bisected until the lowest miss is within 7 % of the highest pass; the miss says why it stopped', () => {
  assert.equal(loadOf([pass(90), miss(112.5)]), 100.6, 'geometric mean of 90 and 112.5');
  assert.equal(loadOf([pass(90), miss(112.5), pass(100.6)]), 106.4);
  assert.deepEqual(nextCapacityStep([pass(90), miss(112.5), pass(100.6), miss(106.4)], roomy), { stop: 'converged' });
  const outran = [pass(90), miss(112.5, 'generator_saturated'), pass(100.6), miss(106.4, 'generator_saturated')];
  assert.deepEqual(nextCapacityStep(outran, roomy), { stop: 'generator_saturated' }, 'a generator limit is not reported as the server’s');
  assert.deepEqual(nextCapacityStep([pass(90), miss(112.5, 'generator_saturated'), pass(100.6), miss(104)], roomy), { stop: 'converged' });
});

test('steps last at least 3 s and 200 requests, shrink to the budget left, and are not run when that does not fit', () => {
  assert.deepEqual(nextCapacityStep([], { ...roomy, probeRps: 20 }), { load: 18, durationSeconds: 11.11 }, '200 requests at 18 req/s');
  assert.deepEqual(nextCapacityStep([], { ...roomy, remainingSeconds: 5 }), { load: 90, durationSeconds: 4.76 }, '5 % kept for the last responses');
  // 12.5 % above the most the server has served: about 12.5 % of the step to drain the backlog afterwards.
  assert.deepEqual(nextCapacityStep([pass(90)], { ...roomy, remainingSeconds: 10 }), { load: 112.5, durationSeconds: 8.89 });
  assert.deepEqual(nextCapacityStep([], { ...roomy, remainingSeconds: 3 }), { stop: 'budget_spent' });
  assert.deepEqual(nextCapacityStep([], { ...roomy, probeRps: 2, remainingSeconds: 60 }), { stop: 'budget_spent' }, '200 requests at 1.8 req/s take 111 s');
});

test('the search finds the rate a serial server sustains within its SLA, inside its time budget', async (t) => {
  const server = await startBehavingServer({ delayMs: 10, serial: true }); // at most 100 req/s, less the server's own overhead
  t.after(() => server.close());
  const budgetSeconds = 12;
  const steps: StepProgress[] = [];
  const started = performance.now();
  const report = await runBenchmark(
    { url: server.url, model: 'm', timeoutMs: 2_000, sla: { p99LatencyMs: 100 }, capacity: { seconds: budgetSeconds } },
    { onProgress: (p) => p.step && steps.push(p.step) },
  );
  const wallSeconds = (performance.now() - started) / 1000;
  // What the server really serves, now that it is warm: a closed loop that keeps it busy.
  const ceiling = (await runBenchmark({ url: server.url, model: 'm', concurrency: 4, durationSeconds: 1 })).throughputRps;
  const sweep = report.sweep!;
  const search = sweep.search!;
  const rows = sweep.steps.map((s) => `${s.load}:${s.passed ? 'pass' : 'miss'}`).join(' ');
  t.diagnostic(`ceiling ${ceiling} req/s; capacity ${sweep.capacityRps} req/s at ${sweep.capacityLoad}; steps ${rows}; ${sweep.stoppedBecause} after ${search.elapsedSeconds} s (wall ${wallSeconds.toFixed(1)} s)`);

  assert.equal(sweep.variable, 'rate');
  assert.ok(['converged', 'budget_spent'].includes(sweep.stoppedBecause), sweep.stoppedBecause);
  assert.ok(sweep.capacityRps !== null, 'a rate met the SLA');
  assert.ok(Math.abs(sweep.capacityRps - ceiling) <= 0.15 * ceiling, `capacity ${sweep.capacityRps} req/s vs the server's ${ceiling} req/s`);
  assert.ok(search.elapsedSeconds <= budgetSeconds, `search took ${search.elapsedSeconds} s`);
  assert.ok(wallSeconds <= budgetSeconds + 1, `run took ${wallSeconds} s`);
  assert.ok(search.probe.throughputRps > 0);

  // The report's figures are the capacity step's.
  assert.equal(report.mode, 'open');
  assert.equal(report.load.rate, sweep.capacityLoad);
  assert.equal(report.latency.p99Ms, sweep.capacityP99Ms);
  assert.ok(report.latency.p99Ms <= 100);
  assert.equal(report.sla?.met, true);

  assert.equal(steps[0].kind, 'probe');
  assert.ok(steps.some((s) => s.kind === 'search' && s.variable === 'rate'), 'progress names the rate of each step');
  const table = formatReportTable(report);
  assert.match(table, /capacity search\nprobe {6}closed loop, concurrency 32/);
  assert.match(table, /capacity {3}[\d.]+ req\/s at rate [\d.]+ req\/s, p99 [\d.]+ ms \(stopped: (converged|budget spent); \d+ steps in/);

  const compact = CompactBenchReport.parse(JSON.parse(JSON.stringify(toCompactReport(report))));
  assert.deepEqual(compact.capacity, {
    variable: 'rate',
    rps: sweep.capacityRps,
    load: sweep.capacityLoad,
    p99Ms: sweep.capacityP99Ms,
    steps: sweep.steps.length,
    stoppedBecause: sweep.stoppedBecause,
  });
});
