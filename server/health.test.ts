import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServeProcess, type ServeProcess } from './serve-process.js';
import { seededFloats } from './test-support/models.js';

const rows = 48;

/** Sends one long audio-cnn inference and probes /v2/health/live (at probeUrl: the HTTP port's unless given) every 10 ms while it runs. */
async function probeDuringInference(server: ServeProcess, probeUrl = server.url) {
  const data = seededFloats(rows * 48000, 3);
  const header = Buffer.from(JSON.stringify({ inputs: [{ name: 'audio', shape: [rows, 48000], datatype: 'FP32', parameters: { binary_data_size: data.byteLength } }] }));
  const body = Buffer.concat([header, Buffer.from(data.buffer)]);
  let done = false;
  const inference = fetch(`${server.url}/v2/models/audio-cnn/infer`, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(header.byteLength) },
    body,
  }).then(async (res) => {
    done = true;
    await res.arrayBuffer();
    return { status: res.status, inferenceMs: Number(res.headers.get('x-inference-time-ms')) };
  });
  const healthLatencies: number[] = [];
  while (!done && healthLatencies.length < 2000) {
    const started = performance.now();
    const res = await fetch(`${probeUrl}/v2/health/live`);
    await res.text();
    // Every probe sent while the inference was outstanding counts, including one answered only after it.
    healthLatencies.push(performance.now() - started);
    await new Promise((r) => setTimeout(r, 10));
  }
  return { ...(await inference), worstHealthMs: Math.max(0, ...healthLatencies), probes: healthLatencies.length };
}

describe('health checks during a long inference', () => {
  const servers: ServeProcess[] = [];
  after(() => Promise.all(servers.map((s) => s.stop())));

  for (const strategy of ['shared', 'pool', 'batched']) {
    it(`${strategy}: health answers while the model runs`, async () => {
      const server = await startServeProcess(['--model', 'builtin://audio-cnn', '--strategy', strategy, '--workers', '1']);
      servers.push(server);
      const r = await probeDuringInference(server);
      assert.equal(r.status, 200);
      assert.ok(r.probes >= 3, `only ${r.probes} health probes fit in a ${r.inferenceMs} ms inference`);
      // Generous: the probe must come back in well under half the inference time.
      assert.ok(r.worstHealthMs < r.inferenceMs / 2, `health took ${r.worstHealthMs.toFixed(1)} ms during a ${r.inferenceMs.toFixed(1)} ms inference`);
    });
  }

  it('inline: health is blocked for as long as the model runs (the naive baseline)', async () => {
    const server = await startServeProcess(['--model', 'builtin://audio-cnn', '--strategy', 'inline']);
    servers.push(server);
    const r = await probeDuringInference(server);
    assert.equal(r.status, 200);
    assert.ok(r.worstHealthMs > r.inferenceMs / 2, `health took only ${r.worstHealthMs.toFixed(1)} ms during a ${r.inferenceMs.toFixed(1)} ms inline inference`);
  });

  it('inline with --probe-port: the probe port answers while the model blocks the HTTP thread', async () => {
    const server = await startServeProcess(['--model', 'builtin://audio-cnn', '--strategy', 'inline', '--probe-port', '0']);
    servers.push(server);
    assert.ok(server.probeUrl, `no probe URL in: ${server.output()}`);
    const r = await probeDuringInference(server, server.probeUrl);
    assert.equal(r.status, 200);
    assert.ok(r.probes >= 3, `only ${r.probes} probes fit in a ${r.inferenceMs} ms inference`);
    assert.ok(r.worstHealthMs < r.inferenceMs / 4, `the probe port took ${r.worstHealthMs.toFixed(1)} ms during a ${r.inferenceMs.toFixed(1)} ms inline inference`);
  });
});

describe('the probe port (--probe-port)', () => {
  let server: ServeProcess;
  before(async () => {
    server = await startServeProcess(['--model', 'builtin://mlp', '--probe-port', '0', '--shutdown-delay-ms', '3000']);
  });
  after(() => server.stop('SIGKILL'));

  const get = async (url: string, init?: RequestInit) => {
    const res = await fetch(url, init);
    return { status: res.status, body: await res.json() };
  };

  it('answers liveness and readiness as the HTTP port does, and nothing else', async () => {
    for (const path of ['/v2/health/live', '/v2/health/ready']) {
      assert.deepEqual(await get(`${server.probeUrl}${path}`), await get(`${server.url}${path}`));
    }
    assert.deepEqual(await get(`${server.probeUrl}/v2/health/ready`), { status: 200, body: { ready: true } });
    const metrics = await get(`${server.probeUrl}/metrics`);
    assert.equal(metrics.status, 404);
    assert.match(metrics.body.error, /only GET \/v2\/health\/live and \/v2\/health\/ready; \/metrics is on the HTTP port/);
    assert.equal((await get(`${server.probeUrl}/v2/health/live`, { method: 'POST' })).status, 405);
  });

  it('turns not ready as soon as shutdown begins, and stays live while draining', async () => {
    server.child.kill('SIGTERM');
    const deadline = Date.now() + 2000;
    let ready = await get(`${server.probeUrl}/v2/health/ready`);
    while (ready.status === 200 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      ready = await get(`${server.probeUrl}/v2/health/ready`);
    }
    assert.deepEqual(ready, { status: 503, body: { error: 'server is shutting down' } });
    assert.deepEqual(await get(`${server.probeUrl}/v2/health/live`), { status: 200, body: { live: true } });
  });
});
