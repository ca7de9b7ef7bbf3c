import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { Agent, request } from 'undici';
import type { RunningServer } from './serve.js';
import { seededFloats } from './test-support/models.js';
import { RawConnection } from './test-support/raw-http.js';
import { startTestServer } from './test-support/start.js';

/** Of the answers to inference requests with `status`, how many the server gave within `seconds` (its request-duration histogram). */
async function answeredWithin(url: string, status: number, seconds: number): Promise<{ within: number; all: number }> {
  const metrics = await (await fetch(`${url}/metrics`)).text();
  const series = (name: string) =>
    [...metrics.matchAll(new RegExp(`^vernier_http_request_duration_seconds_${name}\\{([^}]*)\\} (\\d+)`, 'gm'))]
      .filter((m) => m[1].includes('route="/v2/models/:model/infer"') && m[1].includes(`status="${status}"`))
      .map((m) => ({ le: Number(/le="([^"]+)"/.exec(m[1])?.[1]), count: Number(m[2]) }));
  const buckets = series('bucket').filter((b) => b.le <= seconds);
  return { within: buckets.at(-1)?.count ?? 0, all: series('count')[0]?.count ?? 0 };
}

describe('a burst far beyond capacity', () => {
  const timeoutMs = 2000;
  let server: RunningServer;
  const agent = new Agent({ connections: 100 });
  before(async () => {
    // audio-cnn with four rows a request runs for tens of milliseconds: a slow model for one worker.
    server = await startTestServer({ model: 'builtin://audio-cnn', strategy: 'pool', workers: 1, requestTimeoutMs: timeoutMs });
  });
  after(async () => {
    await agent.close();
    await server.shutdown();
  });

  const data = seededFloats(4 * 48000, 21);
  const header = Buffer.from(JSON.stringify({ inputs: [{ name: 'audio', shape: [4, 48000], datatype: 'FP32', parameters: { binary_data_size: data.byteLength } }] }));
  const body = Buffer.concat([header, Buffer.from(data.buffer)]);
  const headers = { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(header.byteLength) };

  async function infer() {
    const sent = performance.now();
    const res = await request(`${server.url}/v2/models/audio-cnn/infer`, { method: 'POST', headers, body, dispatcher: agent });
    const text = await res.body.text();
    return { status: res.statusCode, ms: performance.now() - sent, retryAfter: res.headers['retry-after'], contentType: res.headers['content-type'], text };
  }

  it('refuses at once what it cannot serve within the request timeout, serves the rest within it, then answers promptly', async () => {
    const warm = await infer();
    assert.equal(warm.status, 200, warm.text);
    const results = await Promise.all(Array.from({ length: 80 }, infer));
    const refused = results.filter((r) => r.status === 503);
    const admitted = results.filter((r) => r.status === 200);
    assert.equal(refused.length + admitted.length, results.length, `unexpected statuses: ${results.filter((r) => r.status !== 200 && r.status !== 503).map((r) => `${r.status} ${r.text}`).join('; ')}`);
    assert.ok(refused.length > 0, `none of ${results.length} requests was refused`);
    assert.ok(admitted.length > 0, 'every request was refused');
    // Timed by the server, from the request's headers to its answer: the client's clock also counts sending 80 bodies
    // at once from a machine that may be busy with other work. Most refusals come on arrival, before the body is read
    // (under 1 ms); a few only when the request reaches the queue, behind 60 MB of bodies arriving on two shared
    // cores (measured: 25-80 ms). Either is "at once" beside the 2 s a refusal after waiting would take.
    const fast = await answeredWithin(server.url, 503, 0.1);
    assert.ok(fast.all === refused.length && fast.within >= 0.9 * fast.all, `only ${fast.within} of ${fast.all} refusals took the server under 100 ms`);
    const inTime = await answeredWithin(server.url, 200, timeoutMs / 1000);
    assert.equal(inTime.within, inTime.all, `${inTime.all - inTime.within} of ${inTime.all} answers took the server longer than ${timeoutMs} ms`);
    for (const r of refused) {
      assert.match(r.retryAfter as string, /^[1-9]\d*$/);
      assert.equal(r.contentType, 'application/json');
      assert.match(JSON.parse(r.text).error, /overloaded/);
    }
    const next = await infer();
    assert.equal(next.status, 200, next.text);
    assert.ok(next.ms < 1000, `the first request after the burst took ${next.ms.toFixed(0)} ms`);
  });
});

describe('places in the queue', () => {
  let server: RunningServer;
  before(async () => {
    server = await startTestServer({ model: 'builtin://mlp', strategy: 'pool', workers: 1, maxQueue: 1, maxBodyBytes: 1024, requestTimeoutMs: 1000 });
  });
  after(() => server.shutdown());

  it('are given back by requests refused for their body, cut off by the body timeout, or abandoned', async () => {
    const infer = `${server.url}/v2/models/mlp/infer`;
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024));
    for (let i = 0; i < 3; i++) {
      const tooLarge = await fetch(infer, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(2000) });
      assert.equal(tooLarge.status, 413);
      await tooLarge.arrayBuffer();
      // Sent chunked, so that no Content-Length tells the server beforehand, and too long to be read in one go.
      const chunked = new ReadableStream({
        start(controller) {
          for (let at = 0; at < bomb.length; at += 16 * 1024) controller.enqueue(bomb.subarray(at, at + 16 * 1024));
          controller.close();
        },
      });
      const inflatesTooLarge = await fetch(infer, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
        body: chunked,
        duplex: 'half',
      } as RequestInit);
      assert.equal(inflatesTooLarge.status, 413);
      await inflatesTooLarge.arrayBuffer();
    }
    const head = 'POST /v2/models/mlp/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{';
    const abandoned = await RawConnection.open(server.url);
    abandoned.write(head);
    await new Promise((r) => setTimeout(r, 100));
    abandoned.destroy();
    const timedOut = await RawConnection.open(server.url);
    timedOut.write(head);
    assert.equal((await timedOut.response(3000)).status, 408);
    const body = JSON.stringify({ inputs: [{ name: 'features', shape: [1, 32], datatype: 'FP32', data: Array(32).fill(0.5) }] });
    const res = await fetch(infer, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    assert.equal(res.status, 200, await res.text());
  });
});
