import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { ComparePoint, WorkloadSummary } from './compare-summary.js';
import { cpuSplitLabel, minilmModel, prepareTextWorkload, publishedFigures, referenceHeader, referenceRows, textTargetVerdicts, workloadSentence } from './minilm-workload.js';

test('the text workload sends its sentence as one BYTES element, with the ids the reference fixture has for it', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'vernier-minilm-workload-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const workload = await prepareTextWorkload(dir);
  assert.equal(workload.ids[0], 101, '[CLS] first');
  assert.equal(workload.ids.at(-1), 102, '[SEP] last');
  assert.equal(workload.ids.length, 14);
  assert.deepEqual(JSON.parse(readFileSync(workload.payloadFile, 'utf8')), {
    inputs: [{ name: 'text', shape: [1], datatype: 'BYTES', data: [workloadSentence] }],
  });
});

const point = (contender: string, concurrency: number, extra: Partial<ComparePoint> = {}): ComparePoint => ({
  model: minilmModel,
  payload: 'json',
  contender,
  family: contender.startsWith('python') ? 'python' : 'vernier',
  mode: 'closed',
  concurrency,
  rate: null,
  capacityFraction: null,
  throughputRps: 100,
  requests: 500,
  meanMs: 10,
  minMs: 2,
  p50Ms: 9,
  p95Ms: 20,
  p99Ms: 30,
  maxMs: 40,
  errorRate: 0,
  errors: {},
  cpuPercent: 190,
  peakRssMiB: 300,
  cpuSplit: null,
  healthP99Ms: null,
  probePortP99Ms: null,
  httpThreadMicrosPerRequest: null,
  generatorHealthy: true,
  steal: 0,
  runs: 1,
  ...extra,
});

test("the reference's columns: our closed-loop points, the in-process limit, then the published figures", () => {
  const points = [point('vernier batched', 10), point('python fastapi', 10, { cpuSplit: [50.6, 49.4] }), point('python fastapi', 64, { mode: 'open', concurrency: null })];
  const rows = referenceRows(minilmModel, 'json', points, ['vernier batched', 'python fastapi'], { model: minilmModel, batchSize: 32, sessions: 2, intraOpThreads: 1, rowsPerSecond: 250 });
  for (const row of rows) assert.equal(row.length, referenceHeader.length);
  assert.deepEqual(rows[0], ['vernier batched', '190', '300', '500', '10', '100.0', '10.00', '2.00', '40.0', '20.00', '30.00', '-']);
  assert.equal(rows[1].at(-1), '51/49', 'the CPU split of a multi-process server');
  assert.match(rows[2][0], /^in-process onnxruntime \(batch 32 × 2 session/);
  assert.equal(rows.length, 3 + publishedFigures.length, 'open-loop points are left out');
  assert.deepEqual(rows.at(-1)!.slice(0, 6), ['published: TEI (8+ cores)', '-', '-', '-', '100-1,000', '1260.0']);
});

test('a CPU split is shown only for a server with more than one busy process', () => {
  assert.equal(cpuSplitLabel(null), '-');
  assert.equal(cpuSplitLabel([100]), '-');
  assert.equal(cpuSplitLabel([70.2, 29.8]), '70/30');
});

test('the text targets: 1.5× the best Python at a p99 no higher, 0.8× the in-process limit', () => {
  const summary = { model: minilmModel, payload: 'json', vernierOverPython: 1.6, vernierOverInProcess: 0.7 } as WorkloadSummary;
  const verdicts = textTargetVerdicts([summary, { ...summary, model: 'audio-cnn' }]);
  assert.deepEqual(
    verdicts.map((v) => [v.threshold, v.met]),
    [
      [1.5, true],
      [0.8, false],
    ],
  );
});
