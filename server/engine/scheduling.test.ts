import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { batchInputs, pickBatch, shouldWaitForCompany } from './scheduler.js';
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
      batching: { maxBatchSize: 16, maxQueueDelayMs: 3 },
    });
    assert.equal(executionPlan('pool', { ...knobs, workers: 8 }, 2).intraOpThreads, 1);
    assert.equal(executionPlan('pool', { ...knobs, intraOpThreads: 3 }, 2).intraOpThreads, 3);
  });
});
