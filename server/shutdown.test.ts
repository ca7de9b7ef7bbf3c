import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startServeProcess } from './serve-process.js';
import { seededFloats } from './test-support/models.js';

describe('SIGTERM', () => {
  it('turns readiness false, finishes every accepted request, and exits 0', async () => {
    const server = await startServeProcess(['--model', 'builtin://audio-cnn', '--strategy', 'shared', '--shutdown-delay-ms', '1500']);
    try {
      const body = JSON.stringify({ inputs: [{ name: 'audio', shape: [4, 48000], datatype: 'FP32', data: Array.from(seededFloats(4 * 48000, 5)) }] });
      const requests = Array.from({ length: 8 }, () =>
        fetch(`${server.url}/v2/models/audio-cnn/infer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then(async (res) => ({
          status: res.status,
          body: await res.text(),
        }), (err: Error) => ({ status: 0, body: `${err.message}: ${String((err.cause as Error | undefined)?.message ?? err.cause)}` })),
      );
      // Wait until the server has taken work in, then ask it to stop.
      for (let i = 0; i < 200; i++) {
        const metrics = await (await fetch(`${server.url}/metrics`)).text();
        if (/^vernier_requests_in_flight [1-9]/m.test(metrics)) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      server.child.kill('SIGTERM');
      // Within the shutdown delay the listener stays open and readiness must report 503.
      let readyStatus = 0;
      for (let i = 0; i < 100 && readyStatus !== 503; i++) {
        readyStatus = (await fetch(`${server.url}/v2/health/ready`)).status;
        if (readyStatus !== 503) await new Promise((r) => setTimeout(r, 10));
      }
      assert.equal(readyStatus, 503, 'readiness should turn false once shutdown begins');
      const results = await Promise.all(requests);
      assert.deepEqual(
        results.map((r) => r.status),
        Array(8).fill(200),
        results.map((r) => r.body.slice(0, 200)).join('\n'),
      );
      assert.equal(await server.stop(), 0, server.output());
    } finally {
      await server.stop('SIGKILL');
    }
  });
});
