import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Agent, request } from 'undici';
import { startServeProcess } from './serve-process.js';
import { seededFloats } from './test-support/models.js';
import { RawConnection } from './test-support/raw-http.js';

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

/** The binary tensor extension body of one audio-cnn request: a JSON header, then the raw floats. */
function binaryAudioRequest(rows: number, seed: number): { body: Buffer; headers: Record<string, string> } {
  const data = seededFloats(rows * 48000, seed);
  const header = Buffer.from(JSON.stringify({ inputs: [{ name: 'audio', shape: [rows, 48000], datatype: 'FP32', parameters: { binary_data_size: data.byteLength } }] }));
  return {
    body: Buffer.concat([header, Buffer.from(data.buffer)]),
    headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(header.byteLength) },
  };
}

/** Waits until the server has taken in `count` inference requests: in flight now, or already answered. */
async function waitForAccepted(url: string, count: number): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    const metrics = await (await fetch(`${url}/metrics`)).text();
    const inFlight = Number(/^vernier_requests_in_flight (\d+)/m.exec(metrics)?.[1] ?? 0);
    const answered = [...metrics.matchAll(/^vernier_http_request_duration_seconds_count\{[^}]*route="\/v2\/models\/:model\/infer"[^}]*\} (\d+)/gm)];
    if (inFlight + answered.reduce((n, m) => n + Number(m[1]), 0) >= count) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`the server had not taken in ${count} requests within 10 s`);
}

/** Resolves once a new connection is refused: the listener has closed and the drain has begun. */
async function waitForListenerClosed(url: string): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    const opened = await RawConnection.open(url).then((c) => (c.destroy(), true), () => false);
    if (!opened) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('the listener was still open 10 s after SIGTERM');
}

describe('SIGTERM with keep-alive clients', () => {
  it('answers in-flight requests with Connection: close, refuses new ones with a JSON 503, and exits within delay + drain', async () => {
    const delayMs = 300;
    const drainMs = 6000;
    const server = await startServeProcess([
      // One single-threaded worker: two rows take about as long on any machine, so requests are still queued at SIGTERM.
      '--model', 'builtin://audio-cnn', '--strategy', 'pool', '--workers', '1', '--intra-op-threads', '1',
      '--shutdown-delay-ms', String(delayMs), '--drain-timeout-ms', String(drainMs),
    ]);
    const idlePool = new Agent({ connections: 20, keepAliveTimeout: 120_000, keepAliveMaxTimeout: 120_000 });
    const busyPool = new Agent({ connections: 50, keepAliveTimeout: 120_000, keepAliveMaxTimeout: 120_000 });
    const unfinished: RawConnection[] = [];
    try {
      // Twenty pooled keep-alive connections that sit idle through the shutdown.
      await Promise.all(Array.from({ length: 20 }, () => request(`${server.url}/v2/health/live`, { dispatcher: idlePool }).then((r) => r.body.text())));
      let signalledAt = Infinity;
      const { body, headers } = binaryAudioRequest(2, 11);
      const inFlight = Array.from({ length: 50 }, () =>
        request(`${server.url}/v2/models/audio-cnn/infer`, { method: 'POST', headers, body, dispatcher: busyPool }).then(async (res) => ({
          status: res.statusCode,
          connection: res.headers.connection,
          afterSignal: performance.now() - signalledAt > 100,
          text: await res.body.text(),
        })),
      );
      await waitForAccepted(server.url, 50);
      // Two connections that have begun a request: one finishes it during the drain, one never does.
      for (let i = 0; i < 2; i++) {
        const connection = await RawConnection.open(server.url);
        connection.write('POST /v2/models/audio-cnn/infer HTTP/1.1\r\nHost: x\r\n');
        unfinished.push(connection);
      }
      const exited = new Promise<number | null>((resolve) => server.child.once('exit', (code) => resolve(code)));
      signalledAt = performance.now();
      server.child.kill('SIGTERM');

      await waitForListenerClosed(server.url);
      unfinished[0].write('Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}');
      const late = await unfinished[0].response(3000);
      assert.equal(late.status, 503, late.body);
      assert.equal(late.headers['content-type'], 'application/json');
      assert.match(late.headers['retry-after'] ?? '', /^\d+$/);
      assert.match(JSON.parse(late.body).error, /shutting down/);

      const results = await Promise.all(inFlight);
      assert.deepEqual(results.map((r) => r.status), Array(50).fill(200), results.map((r) => r.text.slice(0, 200)).join('\n'));
      const answeredAfterSignal = results.filter((r) => r.afterSignal);
      assert.ok(answeredAfterSignal.length >= 10, `only ${answeredAfterSignal.length} answers came after SIGTERM`);
      assert.deepEqual(answeredAfterSignal.map((r) => r.connection), answeredAfterSignal.map(() => 'close'));

      const budgetMs = delayMs + drainMs + 3000;
      const code = await Promise.race([exited, new Promise<'late'>((r) => setTimeout(() => r('late'), budgetMs))]);
      const exitMs = performance.now() - signalledAt;
      assert.notEqual(code, 'late', `still running ${budgetMs} ms after SIGTERM (delay ${delayMs} + drain ${drainMs})`);
      assert.equal(code, 0, server.output());
      assert.ok(exitMs >= delayMs, `exited after ${exitMs.toFixed(0)} ms, before the shutdown delay`);
    } finally {
      for (const c of unfinished) c.destroy();
      await server.stop('SIGKILL');
      await Promise.all([idlePool.destroy(), busyPool.destroy()]);
    }
  });
});
