// Several threads' measurements merge into exactly what one thread recording everything would have measured.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mergeSnapshots } from './merge-measurements.js';
import { Measurements } from './measurements.js';
import { seededRandom } from './random.js';

const ok = { ok: true } as const;

test('histograms merged across threads equal one histogram of every request, bucket for bucket', () => {
  const random = seededRandom(7);
  const one = new Measurements(0);
  const threads = [new Measurements(0), new Measurements(0), new Measurements(0)];
  const events = Array.from({ length: 30_000 }, (_, i) => {
    const sentAt = (i / 30_000) * 4_000;
    // A long tail: most requests around 2 ms, one in a hundred up to 400 ms.
    const latency = random() < 0.01 ? 50 + random() * 350 : 1 + random() * 2;
    const outcome = i % 997 === 0 ? { ok: false as const, kind: i % 2 ? 'timeout' : 'http_503', message: 'failed' } : ok;
    return { i, sentAt, completedAt: sentAt + latency, outcome };
  });
  // Each thread records in the order its replies come in, as a real one does.
  for (const e of events.sort((a, b) => a.completedAt - b.completedAt)) {
    one.record(e.sentAt, e.completedAt, e.outcome);
    threads[e.i % 3].record(e.sentAt, e.completedAt, e.outcome);
  }
  const merged = mergeSnapshots(threads.map((m) => m.snapshot()));
  const single = one.totals();
  assert.deepEqual(merged.latency, single.latency, 'every percentile, min, max, mean and count');
  assert.deepEqual(merged.timeline, single.timeline, 'per-second counts and p99s');
  assert.deepEqual(merged.errorsByKind, single.errorsByKind);
  assert.equal(merged.completed, single.completed);
  assert.equal(merged.ok, single.ok);
  assert.equal(merged.lastCompletionMs, single.lastCompletionMs);
  for (const m of [one, ...threads]) m.destroy();
});

test('a thread that measured nothing merges as nothing', () => {
  const busy = new Measurements(0);
  const idle = new Measurements(0);
  for (let i = 0; i < 100; i++) busy.record(i, i + 5, ok);
  const merged = mergeSnapshots([busy.snapshot(), idle.snapshot()]);
  assert.equal(merged.latency.count, 100);
  assert.deepEqual(merged.timeline.map((s) => s.requests), [100]);
  busy.destroy();
  idle.destroy();
});
