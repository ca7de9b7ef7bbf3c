import assert from 'node:assert/strict';
import { test } from 'node:test';
import { benchCommandLine, benchOptionsFromArgs } from './bench-args.js';
import { parseBenchOptions } from './bench-options.js';
import { decodeArgs } from './options-codec.js';

const target = { url: 'http://127.0.0.1:8080', model: 'm' };

test('--capacity becomes a capacity search with its budget, and errors are judged (0.01 unless given)', () => {
  const args = decodeArgs(benchCommandLine, ['--url', target.url, '--model', 'm', '--capacity', '--sla-p99-ms', '50', '--capacity-seconds', '300']);
  assert.notEqual(args, 'help');
  const options = parseBenchOptions(benchOptionsFromArgs(args as Exclude<typeof args, 'help'>));
  assert.deepEqual(options.capacity, { seconds: 300 });
  assert.equal(options.sla.p99LatencyMs, 50);
  assert.equal(options.sla.maxErrorRate, 0.01);
  assert.equal(parseBenchOptions({ ...target, sla: { p99LatencyMs: 50, maxErrorRate: 0.2 }, capacity: {} }).sla.maxErrorRate, 0.2);
  assert.equal(parseBenchOptions({ ...target, sla: { p99LatencyMs: 50 }, capacity: {} }).capacity?.seconds, 120);
  assert.equal(parseBenchOptions({ ...target, sla: { p99LatencyMs: 50 } }).sla.maxErrorRate, undefined, 'other runs keep their targets as given');
});

test('a capacity search needs a p99 target, no sweep, and most of its budget for itself', () => {
  assert.throws(() => parseBenchOptions({ ...target, capacity: {} }), /sla\.p99LatencyMs: the capacity search looks for the highest rate within a p99 target/);
  assert.throws(() => parseBenchOptions({ ...target, sla: { p99LatencyMs: 50 }, capacity: {}, sweep: {} }), /capacity: a capacity search and a sweep exclude each other/);
  assert.throws(() => parseBenchOptions({ ...target, sla: { p99LatencyMs: 50 }, capacity: { seconds: 20 }, warmupSeconds: 11 }), /warmupSeconds: warmup must leave at least half/);
  assert.throws(() => parseBenchOptions({ ...target, sla: { p99LatencyMs: 50 }, capacity: { seconds: 5 } }), /capacity\.seconds/);
});
