import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectedWaitMs, fitsWithin, MovingAverage, retryAfterSeconds } from './admission.js';
import type { Executor, RunResult } from './executor.js';
import { BATCH_INPUT_BUDGET_BYTES, BATCH_RUN_BUDGET_MS } from '../../crds/limits.js';
import { batchInputs, batchRowLimit, OverloadedError, pickBatch, Scheduler, shouldWaitForCompany } from './scheduler.js';
import { executionPlan } from './strategy.js';

describe('pickBatch', () => {
  it('takes requests in order up to the row limit', () => {
    const q = [1, 1, 1, 1, 1].map((rows) => ({ rows, key: 'a' }));
    assert.deepEqual(pickBatch(q, 3), [0, 1, 2]);
  });
  it('skips requests of another shape, and ones that would overflow the batch', () => {
    const q = [
      { rows: 2, key: 'a' },
      { rows: 1, key: 'b' },
      { rows: 3, key: 'a' },
      { rows: 1, key: 'a' },
    ];
    assert.deepEqual(pickBatch(q, 4), [0, 3]);
  });
  it('still runs a single request larger than the limit, alone', () => {
    assert.deepEqual(pickBatch([{ rows: 50, key: 'a' }, { rows: 1, key: 'a' }], 32), [0]);
    assert.deepEqual(pickBatch([], 32), []);
  });
});

describe('shouldWaitForCompany', () => {
  const policy = { maxBatchSize: 8, maxQueueDelayMs: 5 };
  it('never holds a request back when no run is in flight', () => {
    assert.equal(shouldWaitForCompany({ rows: 1, waitedMs: 0, runsInFlight: 0, policy }), false);
  });
  it('waits for a fuller batch while another run is in flight, up to the queue delay', () => {
    assert.equal(shouldWaitForCompany({ rows: 1, waitedMs: 1, runsInFlight: 1, policy }), true);
    assert.equal(shouldWaitForCompany({ rows: 1, waitedMs: 5, runsInFlight: 1, policy }), false);
  });
  it('runs a full batch at once', () => {
    assert.equal(shouldWaitForCompany({ rows: 8, waitedMs: 0, runsInFlight: 3, policy }), false);
  });
});

describe('batchRowLimit', () => {
  const rows32 = { maxBatchSize: 32 };
  it('keeps a batch to the run-time budget, between one row and maxBatchSize', () => {
    assert.equal(batchRowLimit(rows32, undefined, 4), 1, 'nothing measured yet: one row');
    assert.equal(batchRowLimit(rows32, BATCH_RUN_BUDGET_MS / 4, 4), 4);
    assert.equal(batchRowLimit(rows32, BATCH_RUN_BUDGET_MS / 4.5, 4), 4);
    assert.equal(batchRowLimit(rows32, BATCH_RUN_BUDGET_MS * 3, 4), 1);
    assert.equal(batchRowLimit(rows32, 0.01, 4), 32);
    assert.equal(batchRowLimit(rows32, 0, 4), 32);
  });
  it('keeps a batch to its input bytes when the policy bounds them, whatever the host speed', () => {
    const bounded = { maxBatchSize: 32, maxInputBytes: 768 * 1024 };
    assert.equal(batchRowLimit(bounded, 0.01, 192_000), 4, "four of audio-cnn's rows");
    assert.equal(batchRowLimit(bounded, BATCH_RUN_BUDGET_MS / 2, 192_000), 2, 'the run-time budget still holds');
    assert.equal(batchRowLimit(bounded, 0.01, 1_000_000), 1, 'a row above the bound runs alone');
    assert.equal(batchRowLimit(bounded, 0.01, 128), 32, 'small rows: maxBatchSize');
  });
});

describe('batchInputs', () => {
  it('describes the joined shape and keeps each request data as a part', () => {
    const a = { inputs: { x: { datatype: 'FP32', shape: [1, 2], data: new Float32Array([1, 2]) } }, rows: 1 };
    const b = { inputs: { x: { datatype: 'FP32', shape: [2, 2], data: new Float32Array([3, 4, 5, 6]) } }, rows: 2 };
    const joined = batchInputs([a, b]).x;
    assert.deepEqual(joined.shape, [3, 2]);
    assert.equal(joined.parts.length, 2);
    assert.deepEqual(batchInputs([b]).x.shape, [2, 2]);
  });
});

describe('executionPlan', () => {
  it('maps each strategy to executors, threads and batching', () => {
    const knobs = { workers: 2, maxBatchSize: 16, maxQueueDelayMs: 3 };
    assert.deepEqual(executionPlan('inline', knobs, 4), { executor: 'inline', executors: 1, intraOpThreads: 4 });
    assert.deepEqual(executionPlan('shared', knobs, 4), { executor: 'worker', executors: 1, intraOpThreads: 4 });
    assert.deepEqual(executionPlan('pool', knobs, 4), { executor: 'worker', executors: 2, intraOpThreads: 2 });
    assert.deepEqual(executionPlan('batched', knobs, 4), {
      executor: 'worker',
      executors: 2,
      intraOpThreads: 2,
      batching: { maxBatchSize: 16, maxQueueDelayMs: 3, maxInputBytes: BATCH_INPUT_BUDGET_BYTES },
      soloIntraOpThreads: 4,
    });
    // On a GPU, batches are bounded by rows and time only.
    assert.deepEqual(executionPlan('batched', knobs, 4, 'cuda').batching, { maxBatchSize: 16, maxQueueDelayMs: 3 });
    // No solo executor when one executor already has every core, or the threads are set by hand.
    assert.equal(executionPlan('batched', { ...knobs, workers: 1 }, 4).soloIntraOpThreads, undefined);
    assert.equal(executionPlan('batched', { ...knobs, intraOpThreads: 1 }, 4).soloIntraOpThreads, undefined);
    assert.equal(executionPlan('pool', { ...knobs, workers: 8 }, 2).intraOpThreads, 1);
    assert.equal(executionPlan('pool', { ...knobs, intraOpThreads: 3 }, 2).intraOpThreads, 3);
  });
});

/** An executor whose every run takes `ms`, for scheduling tests without a model. */
class SleepingExecutor implements Executor {
  readonly signature = { inputs: [], outputs: [] };
  readonly kind = { kind: 'tensor' } as const;
  readonly alive = true;
  constructor(public ms: number) {}
  async run(): Promise<RunResult> {
    await new Promise((r) => setTimeout(r, this.ms));
    return { outputs: {}, inferenceMs: this.ms };
  }
  async close(): Promise<void> {}
}

const oneRow = { x: { datatype: 'FP32', shape: [1, 1], data: new Float32Array(1) } };

describe('batches under the run-time budget', () => {
  it('hold as many rows as fit in the budget at the measured time per row', async () => {
    const perRowMs = BATCH_RUN_BUDGET_MS / 3.5;
    const rowTimed: Executor = Object.assign(new SleepingExecutor(0), {
      async run(inputs: { x: { shape: number[] } }) {
        const ms = inputs.x.shape[0] * perRowMs;
        await new Promise((r) => setTimeout(r, ms));
        return { outputs: {}, inferenceMs: ms };
      },
    });
    const scheduler = new Scheduler([rowTimed], { maxQueue: 100, queueTimeoutMs: 10_000, batching: { maxBatchSize: 32, maxQueueDelayMs: 0 } });
    try {
      assert.equal((await scheduler.submit(oneRow, 1)).batchRows, 1, 'the first run has nothing to go by: one row');
      const burst = await Promise.all(Array.from({ length: 9 }, () => scheduler.submit(oneRow, 1)));
      const sizes = burst.map((r) => r.batchRows);
      // Three rows fit the budget; timers that run late make rows look slower, never faster.
      assert.ok(Math.max(...sizes) <= 3 && Math.max(...sizes) >= 2, `batch sizes ${sizes.join(', ')}: up to three rows fit ${BATCH_RUN_BUDGET_MS} ms`);
    } finally {
      await scheduler.close();
    }
  });
});

describe('the solo executor', () => {
  it('runs a request that finds nothing running; runs beside others only on the narrow executors', async () => {
    const ran: string[] = [];
    const named = (name: string) =>
      Object.assign(new SleepingExecutor(30), {
        async run(this: SleepingExecutor) {
          ran.push(name);
          return SleepingExecutor.prototype.run.call(this);
        },
      });
    const scheduler = new Scheduler([named('narrow-1'), named('narrow-2')], { maxQueue: 100, queueTimeoutMs: 5000, solo: named('solo') });
    try {
      await scheduler.submit(oneRow, 1);
      assert.deepEqual(ran.splice(0), ['solo']);
      await Promise.all([1, 2, 3, 4].map(() => scheduler.submit(oneRow, 1)));
      // The first finds nothing running; the next two run beside it on the narrow ones; the fourth waits for one.
      assert.deepEqual(ran.splice(0, 3), ['solo', 'narrow-1', 'narrow-2']);
      assert.equal(ran.length, 1);
      assert.notEqual(ran[0], 'solo', 'the solo executor ran while others did');
      await scheduler.submit(oneRow, 1);
      assert.equal(ran.at(-1), 'solo', 'idle again: the next lone request gets every core');
    } finally {
      await scheduler.close();
    }
  });
});

describe('admission by expected wait', () => {
  it('refuses at once what the queue cannot serve within the timeout, serves the rest within it, and recovers', async () => {
    const timeoutMs = 600;
    const scheduler = new Scheduler([new SleepingExecutor(20)], { maxQueue: 10_000, queueTimeoutMs: timeoutMs });
    try {
      await scheduler.submit(oneRow, 1);
      let settled = 0;
      const burst = Array.from({ length: 200 }, async () => {
        const sent = performance.now();
        try {
          await scheduler.submit(oneRow, 1);
          return { admitted: true, order: settled++, ms: performance.now() - sent, retryAfter: 0 };
        } catch (err) {
          assert.ok(err instanceof OverloadedError, String(err));
          return { admitted: false, order: settled++, ms: performance.now() - sent, retryAfter: err.retryAfterSeconds };
        }
      });
      const results = await Promise.all(burst);
      const admitted = results.filter((r) => r.admitted);
      const refused = results.filter((r) => !r.admitted);
      // Admission aims at half the timeout: about 15 runs of 20 ms, fewer when timers run late.
      assert.ok(admitted.length >= 3 && admitted.length <= 20, `${admitted.length} of 200 admitted`);
      assert.ok(Math.max(...refused.map((r) => r.order)) < Math.min(...admitted.map((r) => r.order)), 'a refusal waited for a run');
      assert.ok(Math.max(...admitted.map((r) => r.ms)) < timeoutMs + 50, `an admitted request took ${Math.max(...admitted.map((r) => r.ms)).toFixed(0)} ms`);
      assert.ok(refused.every((r) => r.retryAfter >= 1));
      const after = performance.now();
      await scheduler.submit(oneRow, 1);
      assert.ok(performance.now() - after < 100, 'the first request after the burst waited');
    } finally {
      await scheduler.close();
    }
  });

  it('raises the estimate to a run in flight that has taken longer than the average', async () => {
    const executor = new SleepingExecutor(20);
    const scheduler = new Scheduler([executor], { maxQueue: 10_000, queueTimeoutMs: 1000 });
    try {
      await scheduler.submit(oneRow, 1);
      executor.ms = 800;
      const slow = scheduler.submit(oneRow, 1);
      const waiting = scheduler.submit(oneRow, 1);
      await new Promise((r) => setTimeout(r, 300));
      // The averages say 20 ms a run, but the run in flight has taken 300 ms: one request waiting behind it, then the
      // newcomer's own run, pass half of the 1000 ms timeout.
      await assert.rejects(scheduler.submit(oneRow, 1), OverloadedError);
      await Promise.allSettled([slow, waiting]);
    } finally {
      await scheduler.close();
    }
  });

  it('admits a burst before any run has finished, up to maxQueue', async () => {
    const scheduler = new Scheduler([new SleepingExecutor(50)], { maxQueue: 5, queueTimeoutMs: 100 });
    try {
      const burst = Array.from({ length: 7 }, () => scheduler.submit(oneRow, 1).then(() => 'ok', (err: Error) => err.constructor.name));
      assert.deepEqual((await Promise.all(burst)).filter((r) => r === 'QueueFullError').length, 1);
    } finally {
      await scheduler.close();
    }
  });
});

describe('admission on arrival', () => {
  it('counts the requests admitted ahead whose bodies are still arriving, until they give their places up', async () => {
    const scheduler = new Scheduler([new SleepingExecutor(50)], { maxQueue: 10_000, queueTimeoutMs: 1000 });
    try {
      await scheduler.submit(oneRow, 1);
      const places: (() => void)[] = [];
      assert.throws(() => {
        for (let i = 0; i < 100; i++) places.push(scheduler.admit());
      }, OverloadedError);
      // Half of 1000 ms holds the run of about 50 ms and about nine more requests ahead.
      assert.ok(places.length >= 3 && places.length <= 10, `${places.length} admitted`);
      for (const giveUp of places) {
        giveUp();
        giveUp();
      }
      assert.doesNotThrow(() => scheduler.admit()());
    } finally {
      await scheduler.close();
    }
  });
});

describe('expectedWaitMs and fitsWithin', () => {
  it('spreads the queue ahead over the executors and adds the request own run', () => {
    const load = { queued: 10, executors: 2, perRequestMs: 8, runMs: 20 };
    assert.equal(expectedWaitMs(load), 40);
    assert.equal(fitsWithin(load, 60), true);
    assert.equal(fitsWithin(load, 59), false);
  });
  it('moves a moving average a fixed share towards each sample', () => {
    const avg = new MovingAverage(0.25);
    assert.equal(avg.value, undefined);
    avg.add(100);
    avg.add(200);
    assert.equal(avg.value, 125);
  });
  it('asks for a retry after the expected wait, in whole seconds, at least one', () => {
    assert.equal(retryAfterSeconds(0), 1);
    assert.equal(retryAfterSeconds(2100), 3);
  });
});
