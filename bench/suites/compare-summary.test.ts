import assert from 'node:assert/strict';
import { test } from 'node:test';
import { capacityOf, describeVerdict, loadLabel, markdownTable, summarizeWorkload, tableHeader, tableRows, targetVerdicts, type ComparePoint } from './compare-summary.js';

function point(contender: string, family: 'vernier' | 'python', throughputRps: number, p99Ms: number, extra: Partial<ComparePoint> = {}): ComparePoint {
  return {
    model: 'audio-cnn',
    payload: 'json',
    contender,
    family,
    mode: 'closed',
    concurrency: 20,
    rate: null,
    capacityFraction: null,
    throughputRps,
    requests: Math.round(throughputRps * 5),
    meanMs: p99Ms / 2,
    minMs: p99Ms / 4,
    p50Ms: p99Ms / 2,
    p95Ms: p99Ms * 0.9,
    p99Ms,
    maxMs: p99Ms * 1.5,
    errorRate: 0,
    errors: {},
    cpuPercent: 150,
    peakRssMiB: 200,
    cpuSplit: null,
    healthP99Ms: 4.2,
    probePortP99Ms: 1.1,
    httpThreadMicrosPerRequest: 120,
    generatorHealthy: true,
    steal: 0,
    runs: 1,
    ...extra,
  };
}

const limit = { model: 'audio-cnn', batchSize: 32, sessions: 1, intraOpThreads: 2, rowsPerSecond: 400 };

test('Vernier-best is the fastest Vernier point whose p99 is no higher than Python-best', () => {
  const points = [
    point('python fastapi', 'python', 100, 50),
    point('python fastapi+executor', 'python', 80, 40),
    point('vernier batched', 'vernier', 360, 45),
    point('vernier pool', 'vernier', 500, 80), // faster but at a worse p99 than Python's best
    point('vernier batched', 'vernier', 390, 60, { concurrency: 64 }),
  ];
  const s = summarizeWorkload('audio-cnn', 'json', points, limit);
  assert.equal(s.pythonBest?.throughputRps, 100);
  assert.equal(s.vernierBestAtPythonP99?.throughputRps, 360);
  assert.equal(s.vernierOverPython, 3.6);
  assert.equal(s.vernierBest?.throughputRps, 500);
  assert.equal(s.batchedOverInProcess, 390 / 400);
  assert.equal(s.atConcurrency20.ratio, 5);
});

test('points with more than 1 % errors never count as best', () => {
  const points = [point('python fastapi', 'python', 100, 50), point('vernier batched', 'vernier', 900, 10, { errorRate: 0.2 })];
  const s = summarizeWorkload('audio-cnn', 'json', points, limit);
  assert.equal(s.vernierBestAtPythonP99, null);
  assert.equal(s.vernierOverPython, null);
  const verdicts = targetVerdicts([s]);
  assert.deepEqual(
    verdicts.map((v) => v.met),
    [false, false],
  );
  assert.match(describeVerdict(verdicts[0]), /^NOT MET .* not measured$/);
});

test('targets say by how much they are met', () => {
  const points = [point('python fastapi', 'python', 100, 50), point('vernier batched', 'vernier', 350, 40)];
  const [throughput, limitTarget] = targetVerdicts([summarizeWorkload('audio-cnn', 'json', points, limit)]);
  assert.equal(throughput.met, true);
  assert.match(describeVerdict(throughput), /^MET .*3\.50× \(\+17% vs 3×\)$/);
  assert.equal(limitTarget.met, true);
  assert.equal(targetVerdicts([summarizeWorkload('mlp', 'json', points, limit)]).length, 0);
});

test('capacity is the best closed-loop throughput without errors', () => {
  const points = [
    point('vernier shared', 'vernier', 120, 9, { concurrency: 1 }),
    point('vernier shared', 'vernier', 300, 90, { concurrency: 64, errorRate: 0.5 }),
    point('vernier shared', 'vernier', 200, 40, { mode: 'open', concurrency: null, rate: 250 }),
  ];
  assert.equal(capacityOf(points), 120);
  assert.equal(capacityOf([]), 0);
  assert.equal(loadLabel({ mode: 'open', concurrency: null, rate: 54.3, capacityFraction: 0.9 }), 'open 90% (54/s)');
});

test('markdown tables escape pipes and right-align numbers', () => {
  assert.equal(markdownTable(['a', 'b', 'n'], [['x|y', 'z', '1.0']]), '| a | b | n |\n| --- | --- | ---: |\n| x\\|y | z | 1.0 |');
});

test('a table row carries health p99, the HTTP thread per request, steal and the ratio to the in-process limit', () => {
  const [row, limitRow] = tableRows('audio-cnn', 'json', [point('vernier batched', 'vernier', 300, 40)], ['vernier batched'], limit);
  const cell = (r: string[], name: string) => r[tableHeader.indexOf(name)];
  assert.equal(row.length, tableHeader.length);
  assert.equal(cell(row, 'health p99 ms'), '4.2');
  assert.equal(cell(row, 'HTTP thread µs/req'), '120');
  assert.equal(cell(row, 'steal %'), '0.0');
  assert.equal(cell(row, 'vs in-process'), '0.75×');
  const [stolen] = tableRows('audio-cnn', 'json', [point('vernier batched', 'vernier', 300, 40, { steal: 0.072, runs: 3 })], ['vernier batched'], limit);
  assert.equal(cell(stolen, 'steal %'), '7.2 (best of 3)');
  assert.equal(cell(limitRow, 'vs in-process'), '1.00×');
  assert.equal(cell(limitRow, 'steal %'), '-');
  const [stolenLimit] = tableRows('audio-cnn', 'json', [], ['vernier batched'], { ...limit, steal: 0.031 });
  assert.equal(cell(stolenLimit, 'steal %'), '3.1');
});
