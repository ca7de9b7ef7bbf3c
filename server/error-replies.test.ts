import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunningServer } from './serve.js';
import { RawConnection } from './test-support/raw-http.js';
import { startTestServer } from './test-support/start.js';

/** Every error body is exactly {"error": "..."}, served as application/json with no parameters. */
function assertErrorReply(reply: { status: number; contentType: string | null | undefined; body: string }, status: number, message: RegExp): void {
  assert.equal(reply.status, status, reply.body);
  assert.equal(reply.contentType, 'application/json');
  const parsed = JSON.parse(reply.body) as Record<string, unknown>;
  assert.deepEqual(Object.keys(parsed), ['error'], reply.body);
  assert.equal(typeof parsed.error, 'string');
  assert.match(parsed.error as string, message);
}

async function send(url: string, init: RequestInit = {}) {
  const res = await fetch(url, init);
  return { status: res.status, contentType: res.headers.get('content-type'), body: await res.text() };
}

async function raw(url: string, request: string) {
  const connection = await RawConnection.open(url);
  try {
    connection.write(request);
    const res = await connection.response(5000);
    return { status: res.status, contentType: res.headers['content-type'], body: res.body };
  } finally {
    connection.destroy();
  }
}

describe('error replies', () => {
  let server: RunningServer;
  let infer: string;
  before(async () => {
    server = await startTestServer({ model: 'builtin://mlp', strategy: 'pool', workers: 1, maxBodyBytes: 64 * 1024, requestTimeoutMs: 1000 });
    infer = `${server.url}/v2/models/mlp/infer`;
  });
  after(() => server.shutdown());

  const json = { 'content-type': 'application/json' };

  it('413 for a body over --max-body-bytes', async () => {
    assertErrorReply(await send(infer, { method: 'POST', headers: json, body: 'x'.repeat(70_000) }), 413, /limit of 65536 bytes/);
  });

  it('400 for malformed and for empty JSON', async () => {
    assertErrorReply(await send(infer, { method: 'POST', headers: json, body: '{"inputs": [' }), 400, /JSON/);
    assertErrorReply(await send(infer, { method: 'POST', headers: json, body: '' }), 400, /empty/i);
  });

  it('400 from a route, for inputs that do not fit the model', async () => {
    const body = JSON.stringify({ inputs: [{ name: 'features', shape: [1, 16], datatype: 'FP32', data: Array(16).fill(0) }] });
    assertErrorReply(await send(infer, { method: 'POST', headers: json, body }), 400, /shape/);
  });

  it('404 for an unknown route and an unknown model', async () => {
    assertErrorReply(await send(`${server.url}/v1/models`), 404, /Open Inference Protocol v2/);
    assertErrorReply(await send(`${server.url}/v2/models/resnet`), 404, /unknown model 'resnet'/);
  });

  it('415 for a content encoding the server cannot decode', async () => {
    assertErrorReply(await send(infer, { method: 'POST', headers: { ...json, 'content-encoding': 'compress' }, body: '{}' }), 415, /compress.*gzip/);
  });

  it('400 for a URL that does not decode', async () => {
    assertErrorReply(await raw(server.url, 'GET /v2/models/%E0%A4%A HTTP/1.1\r\nHost: x\r\n\r\n'), 400, /URL/i);
  });

  it('400 for a malformed request and 431 for oversized headers', async () => {
    assertErrorReply(await raw(server.url, 'NOT HTTP\r\n\r\n'), 400, /malformed/);
    assertErrorReply(await raw(server.url, `GET /v2 HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`), 431, /headers/);
  });

  it('408 within a second of --request-timeout-ms for a trickled body', async () => {
    const connection = await RawConnection.open(server.url);
    const started = performance.now();
    connection.write('POST /v2/models/mlp/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{');
    // One byte every 100 ms, for at most 5 s.
    const trickle = setInterval(() => connection.write(' '), 100);
    try {
      const res = await connection.response(5000);
      const elapsed = performance.now() - started;
      assertErrorReply({ status: res.status, contentType: res.headers['content-type'], body: res.body }, 408, /1000 ms \(--request-timeout-ms\)/);
      assert.ok(elapsed >= 900 && elapsed < 2000, `the body timeout fired after ${elapsed.toFixed(0)} ms; expected about 1000`);
    } finally {
      clearInterval(trickle);
      connection.destroy();
    }
  });
});
