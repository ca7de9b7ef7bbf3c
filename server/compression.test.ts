import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deflateSync, gunzipSync, gzipSync } from 'node:zlib';
import { request } from 'undici';
import { boundedDecompressors } from './compression.js';
import type { RunningServer } from './serve.js';
import { seededFloats } from './test-support/models.js';
import { startTestServer } from './test-support/start.js';

const limit = 64 * 1024;

/** A gzip body of `members` concatenated members, each 16 MiB of zeros in about 16 KiB. */
function gzipBomb(members: number): Buffer {
  const member = gzipSync(Buffer.alloc(16 * 1024 * 1024));
  return Buffer.concat(Array.from({ length: members }, () => member));
}

describe('compressed request and response bodies', () => {
  let server: RunningServer;
  let infer: string;
  const row = Array.from(seededFloats(32, 7));
  const jsonBody = JSON.stringify({ inputs: [{ name: 'features', shape: [1, 32], datatype: 'FP32', data: row }] });
  before(async () => {
    server = await startTestServer({ model: 'builtin://mlp', strategy: 'pool', workers: 1, maxBodyBytes: limit });
    infer = `${server.url}/v2/models/mlp/infer`;
  });
  after(() => server.shutdown());

  async function post(body: Buffer | string, headers: Record<string, string>) {
    const res = await request(infer, { method: 'POST', headers, body });
    const bytes = Buffer.from(await res.body.arrayBuffer());
    return { status: res.statusCode, headers: res.headers, bytes, text: bytes.toString('utf8') };
  }

  it('decodes gzip and deflate JSON bodies to the same answer as a plain one', async () => {
    const plain = await post(jsonBody, { 'content-type': 'application/json' });
    assert.equal(plain.status, 200, plain.text);
    for (const [encoding, body] of [
      ['gzip', gzipSync(jsonBody)],
      ['deflate', deflateSync(jsonBody)],
    ] as const) {
      const res = await post(body, { 'content-type': 'application/json', 'content-encoding': encoding });
      assert.equal(res.status, 200, `${encoding}: ${res.text}`);
      assert.deepEqual(JSON.parse(res.text).outputs, JSON.parse(plain.text).outputs);
    }
  });

  it('decodes a gzip body of the binary tensor extension', async () => {
    const data = seededFloats(32, 7);
    const header = Buffer.from(JSON.stringify({ inputs: [{ name: 'features', shape: [1, 32], datatype: 'FP32', parameters: { binary_data_size: data.byteLength } }] }));
    const body = gzipSync(Buffer.concat([header, Buffer.from(data.buffer)]));
    const res = await post(body, { 'content-type': 'application/octet-stream', 'content-encoding': 'gzip', 'inference-header-content-length': String(header.byteLength) });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(JSON.parse(res.text).outputs[0].shape, [1, 4]);
  });

  it('compresses the response when the client accepts gzip', async () => {
    const wide = JSON.stringify({ inputs: [{ name: 'features', shape: [64, 32], datatype: 'FP32', data: Array.from(seededFloats(64 * 32, 3)) }] });
    const res = await post(wide, { 'content-type': 'application/json', 'accept-encoding': 'gzip' });
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-encoding'], 'gzip');
    assert.deepEqual(JSON.parse(gunzipSync(res.bytes).toString('utf8')).outputs[0].shape, [64, 4]);
  });

  it('413 for a body whose decompressed size passes --max-body-bytes', async () => {
    const bomb = gzipBomb(3);
    assert.ok(bomb.length < limit, 'the compressed body itself must fit the limit');
    const res = await post(bomb, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    assert.equal(res.status, 413, res.text);
    assert.equal(res.headers['content-type'], 'application/json');
    assert.match(JSON.parse(res.text).error, /limit of 65536 bytes \(--max-body-bytes\)/);
  });

  it('400 naming the encoding for a body that does not decompress', async () => {
    const res = await post('this is not gzip', { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    assert.equal(res.status, 400, res.text);
    assert.match(JSON.parse(res.text).error, /gzip/);
  });

  it('415 naming the supported encodings for an unknown one', async () => {
    const res = await post(jsonBody, { 'content-type': 'application/json', 'content-encoding': 'br' });
    assert.equal(res.status, 415, res.text);
    assert.match(JSON.parse(res.text).error, /'br'.*gzip.*deflate/);
  });
});

describe('boundedDecompressors', () => {
  it('stops inflating once the output passes the limit', async () => {
    const gunzip = boundedDecompressors(limit).createGunzip();
    let inflated = 0;
    gunzip.on('data', (chunk: Buffer) => (inflated += chunk.length));
    const bomb = gzipBomb(8);
    gunzip.write(bomb);
    // Give zlib's thread pool time to run past the limit if nothing stopped it.
    await new Promise((r) => setTimeout(r, 300));
    gunzip.destroy();
    assert.ok(inflated > limit, `only ${inflated} bytes came out`);
    assert.ok(inflated <= limit + 64 * 1024, `${inflated} bytes inflated for a limit of ${limit}`);
  });
});
