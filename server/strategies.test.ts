import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { STRATEGIES as strategies } from '../crds/inferenceservice.js';
import type { RunningServer } from './serve.js';
import { directRun, maxRelativeError, seededFloats } from './test-support/models.js';
import { postJson, startTestServer } from './test-support/start.js';

const tolerance = 1e-4;

async function inferFloats(server: RunningServer, input: string, shape: number[], data: Float32Array) {
  const res = await postJson(`${server.url}/v2/models/${server.modelName}/infer`, {
    inputs: [{ name: input, shape, datatype: 'FP32', data: Array.from(data) }],
  });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res;
}

for (const strategy of strategies) {
  describe(`strategy ${strategy}`, () => {
    const servers: RunningServer[] = [];
    after(() => Promise.all(servers.map((s) => s.shutdown())));

    it('gives the same mlp outputs as onnxruntime run directly, for single rows and batches', async () => {
      const server = await startTestServer({ model: 'builtin://mlp', strategy, workers: 2 });
      servers.push(server);
      for (const rows of [1, 5]) {
        const data = seededFloats(rows * 32, 100 + rows);
        const res = await inferFloats(server, 'features', [rows, 32], data);
        const expected = await directRun('mlp', { features: { datatype: 'FP32', shape: [rows, 32], data } });
        const out = res.body.outputs[0];
        assert.equal(out.name, 'logits');
        assert.deepEqual(out.shape, [rows, 4]);
        assert.ok(maxRelativeError(out.data, expected.logits.data as Float32Array) < tolerance);
        for (const h of ['x-queue-time-ms', 'x-inference-time-ms', 'x-total-time-ms']) assert.ok(Number(res.headers.get(h)) >= 0, h);
      }
    });

    it('gives the same audio-cnn outputs as onnxruntime run directly', async () => {
      const server = await startTestServer({ model: 'builtin://audio-cnn', strategy, workers: 2 });
      servers.push(server);
      const data = seededFloats(2 * 48000, 7);
      const [res, expected] = await Promise.all([
        inferFloats(server, 'audio', [2, 48000], data),
        directRun('audio-cnn', { audio: { datatype: 'FP32', shape: [2, 48000], data } }),
      ]);
      assert.deepEqual(res.body.outputs[0].shape, [2, 10]);
      assert.ok(maxRelativeError(res.body.outputs[0].data, expected.scores.data as Float32Array) < tolerance);
    });
  });
}
