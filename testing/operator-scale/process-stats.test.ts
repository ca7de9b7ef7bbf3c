// /proc status parsing, /metrics sums and the small statistics of the scale figures.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sumOfSamples } from './operator-metrics.js';
import { peakRss, rssBytesFromStatus } from './process-stats.js';
import { summarizeLatencies } from './summary-stats.js';

test('RSS from /proc/<pid>/status', () => {
  assert.equal(rssBytesFromStatus('Name:\tnode\nVmPeak:\t 1187240 kB\nVmRSS:\t  146432 kB\nRssAnon:\t 100000 kB\n'), 146432 * 1024);
  assert.throws(() => rssBytesFromStatus('Name:\tnode\n'), /VmRSS/);
});

test('peak RSS within a window', () => {
  const samples = [
    { at: 1_000, pid: 1, bytes: 10 },
    { at: 1_500, pid: 1, bytes: 30 },
    { at: 2_000, pid: 1, bytes: 20 },
  ];
  assert.equal(peakRss(samples, 1_000, 1_500), 10);
  assert.equal(peakRss(samples, 1_000, 3_000), 30);
  assert.equal(peakRss(samples, 5_000, 6_000), undefined);
});

test('a metric summed over its label sets, not over longer names that start the same', () => {
  const text = [
    '# HELP vernier_operator_reconcile_duration_seconds Time one reconcile took.',
    'vernier_operator_reconcile_duration_seconds_bucket{le="0.005",result="success"} 3',
    'vernier_operator_reconcile_duration_seconds_count{result="success"} 1203',
    'vernier_operator_reconcile_duration_seconds_count{result="error"} 7',
    'vernier_operator_work_queue_depth 0',
    'vernier_operator_work_queue_depth_max 99',
  ].join('\n');
  assert.equal(sumOfSamples(text, 'vernier_operator_reconcile_duration_seconds_count'), 1210);
  assert.equal(sumOfSamples(text, 'vernier_operator_work_queue_depth'), 0);
  assert.equal(sumOfSamples(text, 'absent'), 0);
});

test('latency summary: count, median, max; NaN when there is nothing to summarize', () => {
  assert.deepEqual(summarizeLatencies([120, 80, 300]), { count: 3, medianMs: 120, maxMs: 300 });
  assert.deepEqual(summarizeLatencies([4, 1, 3, 2]), { count: 4, medianMs: 2.5, maxMs: 4 });
  const empty = summarizeLatencies([]);
  assert.ok(empty.count === 0 && Number.isNaN(empty.medianMs) && Number.isNaN(empty.maxMs));
});
