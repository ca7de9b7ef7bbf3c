import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DataType, encodeModel } from '../examples/models/onnx-writer.js';
import type { RunningServer } from './serve.js';
import { postJson, startTestServer } from './test-support/start.js';

const features = (data: unknown = Array(32).fill(0.5)) => ({ inputs: [{ name: 'features', shape: [1, 32], datatype: 'FP32', data }] });

async function errorOf(res: Response): Promise<string> {
  return ((await res.json()) as { error: string }).error;
}

describe('the protocol over HTTP', () => {
  let server: RunningServer;
  let infer: string;
  before(async () => {
    server = await startTestServer({ model: 'builtin://mlp', strategy: 'inline' });
    infer = `${server.url}/v2/models/mlp/infer`;
  });
  after(() => server.shutdown());

  it('serves version 1, the one the metadata lists, on the versioned routes', async () => {
    const unversioned = (await (await fetch(`${server.url}/v2/models/mlp`)).json()) as { versions: string[] };
    assert.deepEqual(unversioned.versions, ['1']);
    const versioned = await fetch(`${server.url}/v2/models/mlp/versions/1`);
    assert.equal(versioned.status, 200);
    assert.deepEqual(await versioned.json(), unversioned);
    const ready = await fetch(`${server.url}/v2/models/mlp/versions/1/ready`);
    assert.equal(ready.status, 200);
    const res = await postJson(`${server.url}/v2/models/mlp/versions/1/infer`, features());
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.model_version, '1');
    assert.deepEqual(res.body.outputs[0].shape, [1, 4]);
  });

  it('answers 404 naming the versions there are for an unknown version', async () => {
    for (const res of [
      await fetch(`${server.url}/v2/models/mlp/versions/2`),
      await fetch(`${server.url}/v2/models/mlp/versions/2/ready`),
      await fetch(`${server.url}/v2/models/mlp/versions/2/infer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(features()) }),
    ]) {
      assert.equal(res.status, 404);
      assert.match(await errorOf(res), /model 'mlp' has no version '2'; its versions are: 1/);
    }
    const otherModel = await fetch(`${server.url}/v2/models/resnet/versions/1`);
    assert.equal(otherModel.status, 404);
    assert.match(await errorOf(otherModel), /unknown model 'resnet'; this server serves 'mlp'/);
  });

  it('labels the versioned inference route by its template in the request metrics', async () => {
    await postJson(`${server.url}/v2/models/mlp/versions/1/infer`, features());
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.ok(metrics.includes('route="/v2/models/:model/versions/:version/infer"'), 'versioned infer route template missing');
    assert.ok(!metrics.includes('route="/v2/models/mlp/versions/1/infer"'), 'a concrete URL leaked into the route label');
  });

  it('answers 400, not 500, for data nested 10,000 deep, and for ragged data', async () => {
    // Written out by hand: JSON.stringify itself overflows the stack on data this deep.
    const deep = `${'['.repeat(10_000)}${Array(32).fill(0).join(',')}${']'.repeat(10_000)}`;
    const body = `{"inputs": [{"name": "features", "shape": [1, 32], "datatype": "FP32", "data": ${deep}}]}`;
    const res = await fetch(infer, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    assert.equal(res.status, 400);
    assert.match(await errorOf(res), /input 'features': data is nested deeper than shape \[1, 32\]/);
    const ragged = await postJson(infer, features([[1], Array(31).fill(0)]));
    assert.equal(ragged.status, 400);
    assert.match(ragged.body.error, /input 'features': data has 2 entries where shape \[1, 32\] needs 1/);
  });

  it('answers 400 for values beyond float32', async () => {
    const res = await postJson(infer, features([1e39, ...Array(31).fill(0)]));
    assert.equal(res.status, 400);
    assert.match(res.body.error, /input 'features': data\[0\] is 1e\+39, outside FP32's range/);
  });

  it('echoes an empty id and refuses a numeric one', async () => {
    const empty = await postJson(infer, { id: '', ...features() });
    assert.equal(empty.status, 200);
    assert.equal(empty.body.id, '');
    const numeric = await postJson(infer, { id: 7, ...features() });
    assert.equal(numeric.status, 400);
    assert.match(numeric.body.error, /'id' must be a string/);
  });

  it('names an input called toString as unknown', async () => {
    const res = await postJson(infer, { inputs: [{ ...features().inputs[0], name: 'toString' }] });
    assert.equal(res.status, 400);
    assert.match(res.body.error, /unknown input 'toString'; the model's inputs are: features/);
  });

  it('says what content type to use for JSON sent as text/plain', async () => {
    const res = await fetch(infer, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(features()) });
    assert.equal(res.status, 400);
    assert.match(await errorOf(res), /content type text\/plain.*application\/json.*application\/octet-stream/);
  });

  it('says to send a binary tensor body as application/octet-stream, not application/json', async () => {
    const header = Buffer.from(JSON.stringify({ inputs: [{ name: 'features', shape: [1, 32], datatype: 'FP32', parameters: { binary_data_size: 128 } }] }));
    const body = Buffer.concat([header, Buffer.from(new Float32Array(32).buffer)]);
    const res = await fetch(infer, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'inference-header-content-length': String(header.byteLength) },
      body,
    });
    assert.equal(res.status, 400);
    assert.match(await errorOf(res), /Inference-Header-Content-Length.*application\/octet-stream/);
    const right = await fetch(infer, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(header.byteLength) },
      body,
    });
    assert.equal(right.status, 200);
    // A header as long as the whole body is JSON alone, which application/json describes truly.
    const jsonOnly = Buffer.from(JSON.stringify(features()));
    const whole = await fetch(infer, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'inference-header-content-length': String(jsonOnly.byteLength) },
      body: jsonOnly,
    });
    assert.equal(whole.status, 200);
  });

  it("reads JSON sent with no content type, as KServe's REST client sends it", async () => {
    const res = await fetch(infer, { method: 'POST', body: Buffer.from(JSON.stringify(features())) });
    assert.equal(res.status, 200, await res.clone().text());
  });

  it('refuses an Inference-Header-Content-Length that is not a plain decimal integer', async () => {
    const header = Buffer.from(JSON.stringify({ inputs: [{ name: 'features', shape: [1, 32], datatype: 'FP32', parameters: { binary_data_size: 128 } }] }));
    const body = Buffer.concat([header, Buffer.from(new Float32Array(32).buffer)]);
    for (const contentType of ['application/octet-stream', 'application/json']) {
      for (const length of [`0x${header.byteLength.toString(16)}`, `${header.byteLength}.0`]) {
        const res = await fetch(infer, { method: 'POST', headers: { 'content-type': contentType, 'inference-header-content-length': length }, body });
        assert.equal(res.status, 400, `accepted ${length} as ${contentType}`);
        assert.match(await errorOf(res), /Inference-Header-Content-Length must be .* decimal integer/);
      }
    }
  });

  it('refuses an output requested twice', async () => {
    const res = await postJson(infer, { ...features(), outputs: [{ name: 'logits' }, { name: 'logits' }] });
    assert.equal(res.status, 400);
    assert.match(res.body.error, /output 'logits' is requested more than once/);
  });
});

/** y_log = log(x), y_inv = 1 / x: log(0) = -Infinity, log(-1) = NaN, 1 / 0 = Infinity. */
function nonFiniteModel(): Uint8Array {
  const io = (name: string) => ({ name, elemType: DataType.FLOAT, shape: ['batch', 4] });
  return encodeModel({
    irVersion: 8,
    opsetVersion: 17,
    producerName: 'vernier-tests',
    graph: {
      name: 'non-finite',
      nodes: [
        { opType: 'Log', name: 'log', inputs: ['x'], outputs: ['y_log'] },
        { opType: 'Reciprocal', name: 'inv', inputs: ['x'], outputs: ['y_inv'] },
      ],
      initializers: [],
      inputs: [io('x')],
      outputs: [io('y_log'), io('y_inv')],
    },
  });
}

describe('non-finite model outputs', () => {
  let server: RunningServer;
  let dir: string;
  const request = { inputs: [{ name: 'x', shape: [1, 4], datatype: 'FP32', data: [0, -1, 1, 2] }] };
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'vernier-non-finite-'));
    const file = path.join(dir, 'non-finite.onnx');
    writeFileSync(file, nonFiniteModel());
    server = await startTestServer({ model: file, strategy: 'inline' });
  });
  after(async () => {
    await server.shutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes them in JSON as the tokens NaN, Infinity and -Infinity', async () => {
    const res = await fetch(`${server.url}/v2/models/non-finite/infer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request) });
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.match(text, /"name":"y_log","datatype":"FP32","shape":\[1,4\],"data":\[-Infinity,NaN,0,0\.693147\d*\]/);
    assert.match(text, /"name":"y_inv","datatype":"FP32","shape":\[1,4\],"data":\[Infinity,-1,1,0\.5\]/);
  });

  it('carries them exactly as binary outputs', async () => {
    const raw = await fetch(`${server.url}/v2/models/non-finite/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...request, outputs: [{ name: 'y_inv', parameters: { binary_data: true } }] }),
    });
    const headerLength = Number(raw.headers.get('inference-header-content-length'));
    const body = Buffer.from(await raw.arrayBuffer());
    assert.deepEqual(Array.from(new Float32Array(body.buffer.slice(body.byteOffset + headerLength, body.byteOffset + body.byteLength))), [Infinity, -1, 1, 0.5]);
  });
});
