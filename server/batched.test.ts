import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Agent } from 'undici';
import { createEngine } from './engine/create-engine.js';
import type { RunningServer } from './serve.js';
import { directRun, maxRelativeError, modelPath, seededFloats } from './test-support/models.js';
import { startTestServer } from './test-support/start.js';

describe('batched strategy', () => {
  let server: RunningServer;
  const agent = new Agent({ connections: 64 });
  before(async () => {
    server = await startTestServer({ model: 'builtin://mlp', strategy: 'batched', workers: 2, maxBatchSize: 32, maxQueueDelayMs: 5, maxQueue: 2000 });
  });
  after(async () => {
    await agent.close();
    await server.shutdown();
  });

  it('answers 1,000 concurrent distinct requests, each with its own row of the result', async () => {
    const n = 1000;
    const all = seededFloats(n * 32, 42);
    const expected = (await directRun('mlp', { features: { datatype: 'FP32', shape: [n, 32], data: all } })).logits.data as Float32Array;
    const url = `${server.url}/v2/models/mlp/infer`;
    const responses = await Promise.all(
      Array.from({ length: n }, async (_, i) => {
        const row = Array.from(all.subarray(i * 32, (i + 1) * 32));
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ id: `req-${i}`, inputs: [{ name: 'features', shape: [1, 32], datatype: 'FP32', data: row }] }),
          dispatcher: agent,
        } as RequestInit);
        return { i, status: res.status, batchRows: Number(res.headers.get('x-batch-rows')), body: (await res.json()) as any };
      }),
    );
    let batchedTogether = 0;
    for (const r of responses) {
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.id, `req-${r.i}`);
      assert.deepEqual(r.body.outputs[0].shape, [1, 4]);
      const err = maxRelativeError(r.body.outputs[0].data, expected.subarray(r.i * 4, r.i * 4 + 4));
      assert.ok(err < 1e-4, `request ${r.i} got another request's result (error ${err})`);
      if (r.batchRows > 1) batchedTogether++;
    }
    assert.ok(batchedTogether > n / 2, `only ${batchedTogether} of ${n} requests shared a run`);
  });

  it('refuses to start on a model without a dynamic batch dimension, saying why', async () => {
    await assert.rejects(
      createEngine({
        modelPath: modelPath('mlp-fixed-batch'),
        strategy: 'batched',
        workers: 1,
        maxBatchSize: 8,
        maxQueueDelayMs: 1,
        executionProvider: 'cpu',
        workerNice: 0,
        maxQueue: 10,
        queueTimeoutMs: 1000,
        cores: 2,
      }),
      /strategy 'batched' needs a dynamic batch dimension, but input 'features' has shape \[1, 32\].*use strategy 'pool'/,
    );
  });
});
