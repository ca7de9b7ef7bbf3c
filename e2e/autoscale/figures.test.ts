import assert from 'node:assert/strict';
import { test } from 'node:test';
import { replicasFor, SHORT_LOOP } from './autoscaled-mlp.js';
import { replicaSeconds, replicasAt, secondsUntilReady, slaAttainment } from './figures.js';
import { parseLiveLine, parseReplicaLine, type ReplicaChange } from './observe.js';
import { loadSeconds, parseSegments, phaseStart, type Segment } from './segments.js';
import { FAILED_SEGMENT_MARKER, FAILURE_MARKER, SEGMENT_MARKER } from './step-load-runner.js';

const t0 = Date.parse('2026-01-01T00:00:00.000Z');

function segment(n: number, phase: number, startOffsetMs: number, timeline: [number, number, number | null][]): Segment {
  return {
    segment: n,
    phase,
    rate: phase === 1 ? 300 : 100,
    seconds: timeline.length,
    startedAt: new Date(t0 + startOffsetMs).toISOString(),
    completedAt: new Date(t0 + startOffsetMs + timeline.length * 1000).toISOString(),
    warmupSeconds: 0,
    timeline: timeline.map(([ok, errors, p99Ms], second) => ({ second, requests: ok + errors, ok, errors, p99Ms })),
    errors: {},
    generatorHealthy: true,
  };
}

test('segments go to the wall-clock second they started in; a shared second adds counts and keeps the higher p99', () => {
  const a = segment(0, 0, 200, [[100, 0, 10], [100, 0, 12], [20, 0, 50]]);
  const b = segment(1, 1, 2_300, [[290, 10, 30], [300, 0, 20]]);
  const seconds = loadSeconds([b, a]);
  assert.deepEqual(
    seconds.map((s) => [(s.at - t0) / 1000, s.phase, s.ok, s.errors, s.p99Ms]),
    [
      [0, 0, 100, 0, 10],
      [1, 0, 100, 0, 12],
      [2, 1, 310, 10, 50],
      [3, 1, 300, 0, 20],
    ],
  );
  assert.equal(phaseStart([a, b], 1), t0 + 2_300);
});

test("a segment's drain joins its last second rather than making a second of its own", () => {
  const drained = { ...segment(0, 0, 900, [[100, 0, 10], [100, 0, 12], [7, 1, 80]]), seconds: 2 };
  assert.deepEqual(
    loadSeconds([drained]).map((s) => [(s.at - t0) / 1000, s.requests, s.ok, s.errors, s.p99Ms]),
    [
      [0, 100, 100, 0, 10],
      [1, 108, 107, 1, 80],
    ],
  );
});

test('the log yields its segment lines, a segment that could not run as seconds without answers, and a failure throws', () => {
  const s = segment(0, 0, 0, [[10, 0, 5]]);
  const failed = { segment: 1, phase: 0, rate: 100, code: 1, startedAt: new Date(t0 + 1_000).toISOString(), completedAt: new Date(t0 + 2_500).toISOString() };
  const log = `vernier bench: something on stderr\n${FAILED_SEGMENT_MARKER}${JSON.stringify(failed)}\n${SEGMENT_MARKER}${JSON.stringify(s)}\n`;
  const parsed = parseSegments(log);
  assert.deepEqual(parsed[0], s);
  assert.deepEqual(
    loadSeconds(parsed).map((x) => [(x.at - t0) / 1000, x.requests, x.ok, x.p99Ms]),
    [[0, 10, 10, 5], [1, 100, 0, null], [2, 100, 0, null]],
  );
  assert.throws(() => parseSegments(`${log}${FAILURE_MARKER}{"segment":1,"code":1}\n`), /step-load pod failed: \{"segment":1/);
});

test('attainment counts seconds with requests whose p99 and error rate are within the SLA', () => {
  const seconds = loadSeconds([segment(0, 0, 0, [[100, 0, 50], [100, 0, 250], [99, 1, 80], [90, 10, 80], [0, 0, null]])]);
  assert.deepEqual(slaAttainment(seconds, 200, 0.01), { met: 2, counted: 4, share: 0.5 });
});

const changes: ReplicaChange[] = [
  { at: t0, replicas: 1, ready: 1 },
  { at: t0 + 10_000, replicas: 4, ready: 1 },
  { at: t0 + 14_000, replicas: 4, ready: 3 },
  { at: t0 + 16_000, replicas: 4, ready: 4 },
  { at: t0 + 40_000, replicas: 1, ready: 1 },
];

test('replica-seconds integrate the replicas asked for over time', () => {
  assert.equal(replicaSeconds(changes, t0, t0 + 50_000), 10 * 1 + 30 * 4 + 10 * 1);
  assert.equal(replicaSeconds(changes, t0 + 12_000, t0 + 15_000, (c) => c.ready), 2 * 1 + 1 * 3);
  assert.equal(replicasAt(changes, t0 + 15_000)?.ready, 3);
});

test('time to ready replicas counts from the step, and is undefined when they never came', () => {
  assert.equal(secondsUntilReady(changes, t0 + 5_000, 4), 11);
  assert.equal(secondsUntilReady(changes, t0 + 20_000, 4), 0);
  assert.equal(secondsUntilReady(changes, t0 + 5_000, 5), undefined);
});

test('watch lines parse, missing fields included', () => {
  assert.deepEqual(parseReplicaLine({ at: 1, text: '2/' }), { at: 1, replicas: 2, ready: 0 });
  assert.equal(parseReplicaLine({ at: 1, text: '' }), undefined);
  assert.deepEqual(parseLiveLine({ at: 2, text: 'True|712.5|93.1|4|4' }), { at: 2, latencyWithinSla: 'True', rps: 712.5, p99Ms: 93.1, pods: 4, desiredReplicas: 4 });
  assert.deepEqual(parseLiveLine({ at: 3, text: '||||' }), { at: 3, latencyWithinSla: '', rps: undefined, p99Ms: undefined, pods: undefined, desiredReplicas: undefined });
});

test('the replicas a load needs follow the autoscaler rule, within the bounds', () => {
  assert.equal(replicasFor(250, 250, SHORT_LOOP), 2);
  assert.equal(replicasFor(750, 250, SHORT_LOOP), 4);
  assert.equal(replicasFor(750, 250, { ...SHORT_LOOP, maxReplicas: 8 }), 5);
  assert.equal(replicasFor(0, 250, SHORT_LOOP), 1);
});
