import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { envName, resolveServeOptions } from './options.js';

describe('resolveServeOptions', () => {
  it('takes flags over environment variables over defaults', () => {
    const options = resolveServeOptions({ model: 'builtin://mlp', workers: '4' }, { VERNIER_WORKERS: '3', VERNIER_MAX_QUEUE: '9', VERNIER_STRATEGY: 'pool' });
    assert.equal(options.workers, 4);
    assert.equal(options.maxQueue, 9);
    assert.equal(options.strategy, 'pool');
    assert.equal(options.maxBatchSize, 32);
    assert.equal(options.port, 8080);
  });
  it('defaults to the batched strategy', () => {
    assert.equal(resolveServeOptions({ model: 'm.onnx' }, {}).strategy, 'batched');
  });
  it('lists every bad option with its flag and variable', () => {
    assert.throws(
      () => resolveServeOptions({ strategy: 'fastest', workers: '0' }, {}),
      (err: Error) =>
        /--model \(VERNIER_MODEL\): needs --model/.test(err.message) &&
        /--strategy \(VERNIER_STRATEGY\)/.test(err.message) &&
        /--workers \(VERNIER_WORKERS\)/.test(err.message),
    );
  });
  it('names environment variables in upper snake case', () => {
    assert.equal(envName('maxQueueDelayMs'), 'VERNIER_MAX_QUEUE_DELAY_MS');
  });
});
