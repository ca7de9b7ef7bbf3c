import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunningServer } from './serve.js';
import { seededFloats } from './test-support/models.js';
import { postJson, startTestServer } from './test-support/start.js';

describe('bad input and limits', () => {
  let server: RunningServer;
  let infer: string;
  before(async () => {
    server = await startTestServer({ model: 'builtin://mlp', strategy: 'pool', workers: 1, maxBodyBytes: 64 * 1024 });
    infer = `${server.url}/v2/models/mlp/infer`;
  });
  after(() => server.shutdown());

  it('400 with the input, expected and received shape on a shape mismatch', async () => {
    const res = await postJson(infer, { inputs: [{ name: 'features', shape: [1, 16], datatype: 'FP32', data: Array(16).fill(0) }] });
    assert.equal(res.status, 400);
    assert.match(res.body.error, /input 'features': shape \[1, 16\] does not match the model's \[-1, 32\]/);
  });

  it('400 on a datatype mismatch and on malformed JSON', async () => {
    const wrongType = await postJson(infer, { inputs: [{ name: 'features', shape: [1, 32], datatype: 'INT32', data: Array(32).fill(0) }] });
    assert.equal(wrongType.status, 400);
    assert.match(wrongType.body.error, /datatype INT32 does not match the model's FP32/);
    const res = await fetch(infer, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"inputs": [' });
    assert.equal(res.status, 400);
    assert.ok(((await res.json()) as { error: string }).error.length > 0);
  });

  it('treats "__proto__" and "constructor" keys in a JSON body as inert data', async () => {
    const body =
      '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}, "inputs": [' +
      `{"name": "features", "shape": [1, 32], "datatype": "FP32", "data": [${Array(32).fill(0.5).join(',')}], "__proto__": {"shape": [9]}}]}`;
    const res = await fetch(infer, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    assert.equal(res.status, 200, await res.clone().text());
    const reply = (await res.json()) as { outputs: { shape: number[] }[] };
    assert.deepEqual(reply.outputs[0].shape, [1, 4]);
    assert.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype must be untouched');
  });

  it('404 for an unknown model or route, naming what is served', async () => {
    const res = await postJson(`${server.url}/v2/models/resnet/infer`, { inputs: [] });
    assert.equal(res.status, 404);
    assert.match(res.body.error, /unknown model 'resnet'; this server serves 'mlp'/);
    const meta = await fetch(`${server.url}/v2/models/resnet`);
    assert.equal(meta.status, 404);
    const route = await fetch(`${server.url}/v1/models`);
    assert.equal(route.status, 404);
    assert.match(((await route.json()) as { error: string }).error, /Open Inference Protocol v2/);
  });

  it('413 naming the limit when the body is too large', async () => {
    const res = await postJson(infer, { inputs: [{ name: 'features', shape: [400, 32], datatype: 'FP32', data: Array.from(seededFloats(400 * 32, 1)) }] });
    assert.equal(res.status, 413);
    assert.match(res.body.error, /limit of 65536 bytes \(--max-body-bytes\)/);
  });

  it('serves metadata, readiness and Prometheus metrics', async () => {
    const meta = (await (await fetch(`${server.url}/v2/models/mlp`)).json()) as any;
    assert.deepEqual(meta.inputs, [{ name: 'features', datatype: 'FP32', shape: [-1, 32] }]);
    assert.equal((await fetch(`${server.url}/v2/models/mlp/ready`)).status, 200);
    assert.equal((await fetch(`${server.url}/v2/health/ready`)).status, 200);
    const server2 = (await (await fetch(`${server.url}/v2`)).json()) as any;
    assert.equal(server2.name, 'vernier');
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    for (const name of [
      'vernier_http_request_duration_seconds_bucket{le="0.0005",route="/v2/models/:model/infer"',
      'vernier_queue_wait_seconds',
      'vernier_inference_duration_seconds',
      'vernier_batch_size',
      'vernier_queue_depth',
      'vernier_requests_in_flight',
      'vernier_model_load_seconds',
      'vernier_rejected_requests_total{reason="invalid"}',
      'nodejs_eventloop_lag_p99_seconds',
      'process_resident_memory_bytes',
    ]) {
      assert.ok(metrics.includes(name), `missing ${name}`);
    }
  });
});

describe('a full queue', () => {
  let server: RunningServer;
  before(async () => {
    server = await startTestServer({ model: 'builtin://audio-cnn', strategy: 'shared', maxQueue: 2 });
  });
  after(() => server.shutdown());

  it('answers 503 with Retry-After beyond the queue bound, and serves what it accepted', async () => {
    const body = { inputs: [{ name: 'audio', shape: [4, 48000], datatype: 'FP32', data: Array.from(seededFloats(4 * 48000, 9)) }] };
    const results = await Promise.all(Array.from({ length: 12 }, () => postJson(`${server.url}/v2/models/audio-cnn/infer`, body)));
    const refused = results.filter((r) => r.status === 503);
    const served = results.filter((r) => r.status === 200);
    assert.equal(refused.length + served.length, results.length, `unexpected statuses: ${results.map((r) => r.status)}`);
    assert.ok(refused.length > 0, 'no request was refused');
    assert.ok(served.length >= 3, `only ${served.length} served`);
    for (const r of refused) {
      assert.match(r.headers.get('retry-after') ?? '', /^[1-9]\d*$/, 'Retry-After: the expected wait in whole seconds');
      assert.match(r.body.error, /at capacity: 2 requests are already waiting/);
    }
  });
});
