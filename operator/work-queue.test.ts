import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { backoffDelay } from './backoff.js';
import { KubeApiError } from './kube-client.js';
import { DEFAULT_BASE_DELAY_MS, DEFAULT_MAX_DELAY_MS, WorkQueue } from './work-queue.js';

/** Resolves when `check` holds, polling; fails after `timeoutMs` (generous: the machine is shared). */
async function until(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
}

test('backoff doubles from 5 ms and stops at 1000 s', () => {
  const delay = (failures: number) => backoffDelay(failures, DEFAULT_BASE_DELAY_MS, DEFAULT_MAX_DELAY_MS);
  assert.equal(delay(0), 0);
  assert.equal(delay(1), 5);
  assert.equal(delay(2), 10);
  assert.equal(delay(11), 5 * 1024);
  assert.equal(delay(30), 1_000_000);
  assert.equal(delay(10_000), 1_000_000);
});

test('keys added while waiting are de-duplicated', async (t) => {
  const runs: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const q = new WorkQueue({
    workers: 1,
    reconcile: async (key) => {
      runs.push(key);
      if (key === 'ns/block') await gate;
    },
  });
  t.after(() => q.shutdown(1000));
  q.start();
  q.add('ns/block');
  for (let i = 0; i < 10; i++) q.add('ns/a');
  q.add('ns/b');
  assert.equal(q.depth, 2, 'ten adds of one key wait as one');
  release();
  await until(() => runs.length === 3, 'three reconciles');
  assert.deepEqual(runs, ['ns/block', 'ns/a', 'ns/b']);
});

test('never two reconciles of one key at once; a change during a reconcile runs it again after', async (t) => {
  let active = 0;
  let maxActive = 0;
  let calls = 0;
  const q = new WorkQueue({
    workers: 4,
    reconcile: async () => {
      calls++;
      active++;
      maxActive = Math.max(maxActive, active);
      await sleep(20);
      active--;
    },
  });
  t.after(() => q.shutdown(1000));
  q.start();
  q.add('ns/x');
  await until(() => active === 1, 'the first reconcile to start');
  q.add('ns/x');
  q.add('ns/x');
  await until(() => calls === 2 && active === 0, 'the follow-up reconcile');
  await sleep(50);
  assert.equal(maxActive, 1);
  assert.equal(calls, 2, 'two adds during one reconcile cause one more run');
});

test('different keys run in parallel up to the worker count', async (t) => {
  let active = 0;
  let maxActive = 0;
  const q = new WorkQueue({
    workers: 3,
    reconcile: async () => {
      active++;
      maxActive = Math.max(maxActive, active);
      await sleep(30);
      active--;
    },
  });
  t.after(() => q.shutdown(1000));
  q.start();
  for (let i = 0; i < 6; i++) q.add(`ns/k${i}`);
  await until(() => q.depth === 0 && q.inFlight === 0, 'all six');
  assert.equal(maxActive, 3);
});

test('failures retry with growing per-key backoff; success resets it', async (t) => {
  const times: number[] = [];
  let failuresLeft = 4;
  const q = new WorkQueue({
    baseDelayMs: 10,
    reconcile: async () => {
      times.push(Date.now());
      if (failuresLeft-- > 0) throw new Error('API server unavailable');
    },
  });
  t.after(() => q.shutdown(1000));
  q.start();
  q.add('ns/flaky');
  await until(() => times.length === 5, 'four retries', 10_000);
  assert.equal(q.failuresOf('ns/flaky'), 0, 'success forgets the failures');
  const gaps = times.slice(1).map((t0, i) => t0 - times[i]);
  // Lower bounds only (timers never fire early); 10, 20, 40, 80 ms minus 2 ms of timer granularity.
  assert.ok(gaps[0] >= 8, `first retry after ≥ 10 ms, got ${gaps[0]}`);
  assert.ok(gaps[3] >= 78, `fourth retry after ≥ 80 ms, got ${gaps[3]}`);
  assert.ok(gaps[3] > gaps[0], `backoff grows: ${gaps.join(', ')}`);
});

test('requeueAfter runs the key again later; an earlier pending delay wins', async (t) => {
  const times: number[] = [];
  const q = new WorkQueue({
    reconcile: async () => {
      times.push(Date.now());
      return times.length === 1 ? { requeueAfterMs: 40 } : {};
    },
  });
  t.after(() => q.shutdown(1000));
  q.start();
  const start = Date.now();
  q.add('ns/poll');
  await until(() => times.length === 2, 'the requeue');
  assert.ok(times[1] - start >= 38, `requeued after ≥ 40 ms, got ${times[1] - start}`);
  q.addAfter('ns/later', 10_000);
  q.addAfter('ns/later', 5);
  assert.equal(q.delayedCount, 1);
  await until(() => times.length === 3, 'the earlier delay', 2_000);
});

test('shutdown waits for running reconciles and drops waiting ones', async () => {
  let finished = 0;
  const q = new WorkQueue({
    workers: 1,
    reconcile: async () => {
      await sleep(30);
      finished++;
    },
  });
  q.start();
  q.add('ns/a');
  q.add('ns/b');
  q.addAfter('ns/c', 10);
  await until(() => q.inFlight === 1, 'a to start');
  await q.shutdown(5_000);
  assert.equal(finished, 1, 'a finished, b and c were dropped');
  q.add('ns/d');
  assert.equal(q.depth, 0, 'nothing is accepted after shutdown');
});

test('a failure with Retry-After is not retried sooner, however short the backoff', async (t) => {
  const times: number[] = [];
  const q = new WorkQueue({
    baseDelayMs: 1,
    reconcile: async () => {
      times.push(Date.now());
      if (times.length === 1) throw new Error('reconcile failed', { cause: new KubeApiError('HTTP 429', 429, 'TooManyRequests', { retryAfterMs: 150 }) });
    },
  });
  t.after(() => q.shutdown(1000));
  q.start();
  q.add('ns/throttled');
  await until(() => times.length === 2, 'the retry');
  assert.ok(times[1] - times[0] >= 148, `retried after ≥ 150 ms, got ${times[1] - times[0]}`);
});

test('changed keys run before keys that are only re-confirmed, and a re-confirm that turns out changed moves up', async () => {
  const order: string[] = [];
  const queue = new WorkQueue({ workers: 1, reconcile: async (key) => void order.push(key) });
  for (const key of ['c1', 'c2', 'c3']) queue.add(key, 'confirm');
  queue.add('x', 'changed');
  queue.add('c3', 'changed');
  queue.add('x', 'confirm');
  assert.equal(queue.depth, 4, 'one entry per key');
  queue.start();
  await until(() => order.length === 4, 'all four keys to run');
  assert.deepEqual(order, ['x', 'c3', 'c1', 'c2']);
  await queue.shutdown();
});
