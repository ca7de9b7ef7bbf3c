import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildReport } from './build-report.js';
import { parseBenchOptions } from '../contracts/bench-options.js';
import { BenchReport } from '../contracts/bench-report.js';
import type { LoadRunResult, LoadSpec } from './run-load.js';

const target: BenchReport['target'] = {
  url: 'http://127.0.0.1:1',
  model: 'm',
  request: { method: 'POST', path: '/v2/models/m/infer' },
  local: false,
  inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 4] }],
  payload: { encoding: 'json', source: 'generated', variants: 8, bytes: 100 },
};
const spec: LoadSpec = { mode: 'open', concurrency: 8, rate: 1000, arrival: 'constant', seed: 1, maxInFlight: 64, warmupSeconds: 0, durationSeconds: 2 };
/** One load thread, no CPU limit, not busy. */
const idle = { cpuPercent: 0, threads: 1, busiestThreadUtilization: 0.3, cpuLimitCores: null, throttledMs: null, eventLoopDelayP99Ms: 0, eventLoopDelayMaxMs: 0 };
const latency = { count: 1000, p50Ms: 5, p90Ms: 6, p95Ms: 7, p99Ms: 9, p999Ms: 12, maxMs: 13, minMs: 4, meanMs: 5.2, stdDevMs: 1 };

function run(overrides: Partial<LoadRunResult> = {}): LoadRunResult {
  return {
    totals: {
      completed: 2000,
      ok: 1000,
      errors: 1000,
      errorsByKind: { dropped: 1000 },
      errorSamples: [],
      latency,
      timeline: [],
      warmup: { completed: 0, errors: 0 },
      lastCompletionMs: 0,
    },
    durationSeconds: 2,
    startedAt: new Date('2025-01-01T00:00:00Z'),
    completedAt: new Date('2025-01-01T00:00:02Z'),
    openLoop: { scheduledSends: 2000, sentRequests: 1000, droppedSends: 1000, lateSends: 600, maxLagMs: 250, meanLagMs: 40, peakInFlight: 512 },
    sentRequests: 1000,
    generatorLoad: { ...idle, cpuPercent: 97, eventLoopDelayP99Ms: 30, eventLoopDelayMaxMs: 250 },
    ...overrides,
  };
}

test('a generator that fell behind, dropped sends and saturated its core says so', () => {
  const options = parseBenchOptions({ url: 'http://127.0.0.1:1', model: 'm', mode: 'open', rate: 1000, durationSeconds: 2, maxInFlight: 64 });
  const report = buildReport(options, target, spec, run());
  BenchReport.parse(report);
  assert.equal(report.generator.healthy, false);
  assert.equal(report.generator.lateSends, 600);
  assert.equal(report.generator.offeredRps, 1000);
  assert.equal(report.throughputRps, 500);
  assert.equal(report.errorRate, 0.5);
  assert.equal(report.warnings.length, 3);
  assert.match(report.warnings[0], /could not keep its schedule of 1000 req\/s: 600 of 2000 sends \(30 %\) left more than 5 ms late, 40 ms on average.*bounded by the generator/);
  assert.match(report.warnings[1], /1000 sends were dropped because 64 requests were already in flight/);
  assert.match(report.warnings[2], /used 97 % of a core over 1 load thread, near all it may use/);
});

test('late sends with a small average lag are reported as a busy machine, not a saturated generator', () => {
  const options = parseBenchOptions({ url: 'http://127.0.0.1:1', model: 'm', mode: 'open', rate: 1000, durationSeconds: 2 });
  const report = buildReport(
    options,
    target,
    spec,
    run({
      openLoop: { scheduledSends: 2000, sentRequests: 2000, droppedSends: 0, lateSends: 300, maxLagMs: 25, meanLagMs: 2, peakInFlight: 12 },
      generatorLoad: { ...idle, cpuPercent: 40, eventLoopDelayP99Ms: 1, eventLoopDelayMaxMs: 25 },
    }),
  );
  assert.equal(report.generator.healthy, true);
  assert.equal(report.warnings.length, 1);
  assert.match(report.warnings[0], /300 of 2000 sends \(15 %\) left more than 5 ms late \(2 ms on average, up to 25 ms\): the generator's machine is busy/);
});

test('a generator that kept up is healthy and has nothing to say', () => {
  const options = parseBenchOptions({ url: 'http://127.0.0.1:1', model: 'm', mode: 'open', rate: 1000, durationSeconds: 2 });
  const report = buildReport(
    options,
    target,
    spec,
    run({
      openLoop: { scheduledSends: 2000, sentRequests: 2000, droppedSends: 0, lateSends: 3, maxLagMs: 7, meanLagMs: 0.4, peakInFlight: 9 },
      generatorLoad: { ...idle, cpuPercent: 40, eventLoopDelayP99Ms: 1, eventLoopDelayMaxMs: 8 },
    }),
  );
  assert.equal(report.generator.healthy, true);
  assert.deepEqual(report.warnings, []);
  assert.equal(report.load.rate, 1000);
  assert.equal(report.load.concurrency, null);
});

test('no successful request: a warning, and a latency SLA that is missed', () => {
  const options = parseBenchOptions({ url: 'http://127.0.0.1:1', model: 'm', concurrency: 2, requests: 10, sla: { p99LatencyMs: 100 } });
  const closedSpec: LoadSpec = { ...spec, mode: 'closed', concurrency: 2 };
  const empty = { ...latency, count: 0, p50Ms: 0, p90Ms: 0, p95Ms: 0, p99Ms: 0, p999Ms: 0, maxMs: 0, minMs: 0, meanMs: 0, stdDevMs: 0 };
  const report = buildReport(
    options,
    target,
    closedSpec,
    run({
      totals: { ...run().totals, completed: 10, ok: 0, errors: 10, errorsByKind: { connection: 10 }, latency: empty },
      openLoop: null,
      generatorLoad: { ...idle, cpuPercent: 5, eventLoopDelayP99Ms: 0, eventLoopDelayMaxMs: 0 },
    }),
  );
  assert.equal(report.sla?.met, false);
  assert.match(report.warnings.join('\n'), /no request succeeded/);
});

test('the generator says when it shared the machine with the server, was throttled by its CPU limit, or saturated a thread', () => {
  const options = parseBenchOptions({ url: 'http://127.0.0.1:1', model: 'm', mode: 'open', rate: 1000, durationSeconds: 2 });
  const calm = { scheduledSends: 2000, sentRequests: 2000, droppedSends: 0, lateSends: 0, maxLagMs: 1, meanLagMs: 0.1, peakInFlight: 9 };
  const local = buildReport(options, { ...target, local: true }, spec, run({ openLoop: calm, generatorLoad: { ...idle, cpuPercent: 40, threads: 2 } }));
  assert.equal(local.generator.healthy, true, 'sharing the machine is a caveat, not a generator fault');
  assert.equal(local.warnings.length, 1);
  assert.match(local.warnings[0], /the server runs on the generator's machine: the generator's own 40 % of a core over 2 load threads came out of the cores the server runs on/);

  const limited = buildReport(options, target, spec, run({ openLoop: calm, generatorLoad: { ...idle, cpuPercent: 48, threads: 2, cpuLimitCores: 0.5, throttledMs: 300 } }));
  assert.equal(limited.generator.healthy, false);
  assert.equal(limited.generator.cpuLimitCores, 0.5);
  assert.match(limited.warnings.join('\n'), /used 48 % of a core over 2 load threads, near all it may use \(its CPU limit is 0.5 cores\)/);
  assert.match(limited.warnings.join('\n'), /CPU limit \(0.5 cores\) throttled it for 300 ms of the run/);

  const busy = buildReport(options, target, spec, run({ openLoop: calm, generatorLoad: { ...idle, cpuPercent: 100, threads: 4, busiestThreadUtilization: 0.99 } }));
  assert.equal(busy.generator.healthy, false);
  assert.match(busy.warnings.join('\n'), /a load thread was busy 99 % of the run.*raise --threads/);
});

test('closed loop: a maximum far above p99.9 is called out as a stall the percentiles hide', () => {
  const options = parseBenchOptions({ url: 'http://127.0.0.1:1', model: 'm', concurrency: 8, durationSeconds: 2 });
  const closedSpec: LoadSpec = { ...spec, mode: 'closed', concurrency: 8 };
  const closed = (max: number, p999: number) =>
    buildReport(options, target, closedSpec, run({ totals: { ...run().totals, latency: { ...latency, p999Ms: p999, maxMs: max } }, openLoop: null, generatorLoad: idle }));
  assert.match(closed(400, 3).warnings.join('\n'), /max 400 ms is 133× p99.9 \(3 ms\): the server stalled.*coordinated omission.*open loop/);
  assert.doesNotMatch(closed(13, 12).warnings.join('\n'), /stalled/, 'a tail close to p99.9 is no stall');
  assert.doesNotMatch(closed(5, 0.2).warnings.join('\n'), /stalled/, 'sub-millisecond jitter on a fast server is no stall');
  const open = buildReport(parseBenchOptions({ url: 'http://127.0.0.1:1', model: 'm', mode: 'open', rate: 1000, durationSeconds: 2 }), target, spec, run({ totals: { ...run().totals, latency: { ...latency, p999Ms: 3, maxMs: 400 } } }));
  assert.doesNotMatch(open.warnings.join('\n'), /stalled/, 'an open loop already counts the stall');
});

test('open loop: a server that answered every send meets a throughput target equal to the rate', () => {
  const options = parseBenchOptions({ url: 'http://127.0.0.1:1', model: 'm', mode: 'open', rate: 1000, durationSeconds: 2, sla: { p99LatencyMs: 100, minThroughputRps: 1000 } });
  const all = { ...run().totals, completed: 2000, ok: 2000, errors: 0, errorsByKind: {} };
  const calm = { scheduledSends: 2000, sentRequests: 2000, droppedSends: 0, lateSends: 0, maxLagMs: 1, meanLagMs: 0.1, peakInFlight: 9 };
  // The last replies came in after the window: over the longer window the throughput is just under the rate.
  const report = buildReport(options, target, spec, run({ totals: all, durationSeconds: 2.05, openLoop: calm, generatorLoad: idle }));
  assert.ok(report.throughputRps < 1000);
  assert.equal(report.sla?.met, true);
  assert.deepEqual(report.sla?.checks.find((c) => c.target === 'minThroughputRps')?.measured, 1000);
});
