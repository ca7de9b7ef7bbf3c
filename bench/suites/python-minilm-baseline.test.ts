// The Python text-embedding baseline computes what the reference fixture says (it must be a fair, correct opponent),
// over OIP v2 JSON and binary BYTES and TEI's /embed.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { builtinModelsDir } from '../../server/model-source.js';
import { tokenizerFor } from './contenders.js';
import { minilmModel, referenceFixturePath } from './minilm-workload.js';
import { ensurePythonEnv, startMinilmBaseline } from './python-baseline.js';

interface Fixture {
  cases: { text: string; embedding: number[] }[];
}

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return dot / Math.sqrt(na * nb);
}

function binaryBytesRequest(texts: string[]): { body: Buffer; headerLength: number } {
  const blobs = texts.map((t) => Buffer.from(t, 'utf8'));
  const data = Buffer.concat(blobs.flatMap((b) => [Buffer.from(Uint32Array.of(b.length).buffer), b]));
  const header = Buffer.from(
    JSON.stringify({ inputs: [{ name: 'text', shape: [texts.length], datatype: 'BYTES', parameters: { binary_data_size: data.length } }], parameters: { binary_data_output: true } }),
  );
  return { body: Buffer.concat([header, data]), headerLength: header.length };
}

const modelPath = path.join(builtinModelsDir(), `${minilmModel}.onnx`);
const fetched = existsSync(modelPath) && existsSync(tokenizerFor(modelPath));

test('the Python MiniLM baseline matches the reference embeddings', { timeout: 600_000, skip: fetched ? false : `${minilmModel} is not fetched (npm run models:fetch)` }, async (t) => {
  const env = await ensurePythonEnv();
  const server = await startMinilmBaseline(env, { modelPath, tokenizerPath: tokenizerFor(modelPath), modelName: minilmModel, mode: 'direct', workers: 1, intraOpThreads: 1 });
  t.after(() => server.stop());
  const fixture = JSON.parse(readFileSync(referenceFixturePath(), 'utf8')) as Fixture;
  const infer = `${server.url}/v2/models/${minilmModel}/infer`;

  let worst = 1;
  // Batches of 16 texts of different lengths: padding to the longest must not change any embedding.
  for (let start = 0; start < fixture.cases.length; start += 16) {
    const cases = fixture.cases.slice(start, start + 16);
    const res = await fetch(infer, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ inputs: [{ name: 'text', shape: [cases.length], datatype: 'BYTES', data: cases.map((c) => c.text) }] }),
    });
    const text = await res.text();
    assert.equal(res.status, 200, text);
    const { outputs } = JSON.parse(text) as { outputs: { name: string; shape: number[]; data: number[] }[] };
    assert.deepEqual([outputs[0].name, outputs[0].shape], ['embedding', [cases.length, 384]]);
    cases.forEach((c, i) => (worst = Math.min(worst, cosine(outputs[0].data.slice(i * 384, (i + 1) * 384), c.embedding))));
  }
  assert.ok(worst >= 0.9999, `min cosine to the reference ${worst}`);

  const { body, headerLength } = binaryBytesRequest([fixture.cases[0].text, fixture.cases[1].text]);
  const binary = await fetch(infer, { method: 'POST', headers: { 'inference-header-content-length': String(headerLength) }, body: new Uint8Array(body) });
  assert.equal(binary.status, 200);
  const raw = Buffer.from(await binary.arrayBuffer());
  const replyHeader = Number(binary.headers.get('inference-header-content-length'));
  const floats = new Float32Array(raw.buffer.slice(raw.byteOffset + replyHeader, raw.byteOffset + raw.length));
  assert.equal(floats.length, 2 * 384);
  assert.ok(cosine(floats.subarray(384), fixture.cases[1].embedding) >= 0.9999);

  const tei = await fetch(`${server.url}/embed`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ inputs: fixture.cases[0].text }) });
  const vectors = (await tei.json()) as number[][];
  assert.equal(vectors.length, 1);
  assert.ok(cosine(vectors[0], fixture.cases[0].embedding) >= 0.9999);
  const tooLong = await fetch(`${server.url}/embed`, { method: 'POST', body: JSON.stringify({ inputs: 'word '.repeat(300), truncate: false }) });
  assert.equal(tooLong.status, 413);
  assert.equal(((await tooLong.json()) as { error_type: string }).error_type, 'validation');
});
