// all-MiniLM-L6-v2, fetched by `npm run models:fetch`, through real onnxruntime and over loopback HTTP. Without the
// fetched model these tests fail with the command that fetches it.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { packageRoot } from '../contracts/package-root.js';
import { STRATEGIES } from '../crds/inferenceservice.js';
import { loadModelRunner } from './engine/model-runner.js';
import { tokenizerBeside } from './model-kind.js';
import type { RunningServer } from './serve.js';
import { encodeBytesElements } from './text/bytes-elements.js';
import { TextTokenizer } from './text/tokenizer.js';
import { fetchedModelPath } from './test-support/models.js';
import { postJson, startTestServer } from './test-support/start.js';

const model = 'all-minilm-l6-v2';
const dim = 384;

interface ReferenceCase {
  text: string;
  ids: number[];
  embedding: number[];
}
const referenceFile = path.join(packageRoot(), 'testing', 'minilm-reference', 'reference.json');
const reference = (): { maxTokens: number; cases: ReferenceCase[] } => JSON.parse(readFileSync(referenceFile, 'utf8'));

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return dot / Math.sqrt(aa * bb);
}

/** The worst cosine over the cases, and which case it was. */
function worstCosine(embeddings: ArrayLike<number>[], cases: ReferenceCase[]): { cosine: number; text: string } {
  let worst = { cosine: Infinity, text: '' };
  cases.forEach((c, i) => {
    const cos = cosine(embeddings[i], c.embedding);
    if (cos < worst.cosine) worst = { cosine: cos, text: c.text };
  });
  return worst;
}

const rowsOf = (flat: ArrayLike<number>, rows: number) => Array.from({ length: rows }, (_, r) => Array.prototype.slice.call(flat, r * dim, (r + 1) * dim) as number[]);

describe('all-MiniLM-L6-v2 against the Python reference (testing/minilm-reference)', () => {
  it('tokenizes every case to exactly the ids of Python tokenizers', () => {
    const { maxTokens, cases } = reference();
    const tokenizer = TextTokenizer.fromFile(tokenizerBeside(fetchedModelPath(model))!);
    for (const c of cases) {
      const batch = tokenizer.batch([c.text], maxTokens);
      assert.deepEqual(Array.from(batch.inputIds, Number), c.ids, `ids of ${JSON.stringify(c.text.slice(0, 60))}`);
    }
  });

  it('embeds every case, in one padded batch, with cosine ≥ 0.9999 to Python onnxruntime', async () => {
    const { maxTokens, cases } = reference();
    const runner = await loadModelRunner({ modelPath: fetchedModelPath(model), intraOpThreads: 2, executionProvider: 'cpu', workerNice: 0, maxTokens });
    try {
      const texts = cases.map((c) => c.text);
      const outputs = await runner.run({ text: { datatype: 'BYTES', shape: [texts.length], parts: [encodeBytesElements(texts)] } });
      const worst = worstCosine(rowsOf(outputs.embedding.data as Float32Array, texts.length), cases);
      assert.ok(worst.cosine >= 0.9999, `cosine ${worst.cosine} for ${JSON.stringify(worst.text.slice(0, 60))}`);
    } finally {
      await runner.release();
    }
  });

  it('answers every case over HTTP (OIP v2 JSON, batched strategy) with cosine ≥ 0.9999', async () => {
    const { maxTokens, cases } = reference();
    const server = await startTestServer({ model: `builtin://${model}`, strategy: 'batched', workers: 2, maxTokens });
    try {
      const answers = await Promise.all(
        cases.map(async (c) => {
          const res = await postJson(`${server.url}/v2/models/${model}/infer`, { inputs: [{ name: 'text', shape: [1], datatype: 'BYTES', data: [c.text] }] });
          assert.equal(res.status, 200, JSON.stringify(res.body));
          return res.body.outputs[0].data as number[];
        }),
      );
      const worst = worstCosine(answers, cases);
      assert.ok(worst.cosine >= 0.9999, `cosine ${worst.cosine} for ${JSON.stringify(worst.text.slice(0, 60))}`);
    } finally {
      await server.shutdown();
    }
  });
});

const texts = ['A man is eating food.', 'Café, naïve, 東京 🙂', ''];

for (const strategy of STRATEGIES) {
  describe(`all-MiniLM-L6-v2 with strategy ${strategy}`, () => {
    let server: RunningServer;
    before(async () => {
      server = await startTestServer({ model: `builtin://${model}`, strategy, workers: 2 });
    });
    after(() => server.shutdown());

    it('gives the same unit-length embeddings over OIP v2 JSON, its binary extension and TEI /embed', async () => {
      const oip = await postJson(`${server.url}/v2/models/${model}/infer`, { inputs: [{ name: 'text', shape: [texts.length], datatype: 'BYTES', data: texts }] });
      assert.equal(oip.status, 200, JSON.stringify(oip.body));
      assert.deepEqual(oip.body.outputs[0].shape, [texts.length, dim]);
      const expected = rowsOf(oip.body.outputs[0].data, texts.length);
      for (const row of expected) assert.ok(Math.abs(Math.hypot(...row) - 1) < 1e-5);

      const data = Buffer.from(encodeBytesElements(texts));
      const header = Buffer.from(JSON.stringify({ inputs: [{ name: 'text', shape: [texts.length], datatype: 'BYTES', parameters: { binary_data_size: data.byteLength } }] }));
      const binary = await fetch(`${server.url}/v2/models/${model}/infer`, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(header.byteLength) },
        body: Buffer.concat([header, data]),
      });
      assert.equal(binary.status, 200);
      const fromBinary = rowsOf(((await binary.json()) as { outputs: { data: number[] }[] }).outputs[0].data, texts.length);

      const tei = await postJson(`${server.url}/embed`, { inputs: texts });
      assert.equal(tei.status, 200, JSON.stringify(tei.body));
      const single = await postJson(`${server.url}/embed`, { inputs: texts[0] });
      assert.equal(single.body.length, 1);
      for (let i = 0; i < texts.length; i++) {
        assert.ok(cosine(fromBinary[i], expected[i]) > 0.99999);
        assert.ok(cosine(tei.body[i], expected[i]) > 0.99999);
      }
      assert.ok(cosine(single.body[0], expected[0]) > 0.99999);
    });
  });
}

describe('all-MiniLM-L6-v2: metadata, TEI options and refusals', () => {
  let server: RunningServer;
  let infer: string;
  const oip = (data: unknown[], shape = [data.length]) => postJson(infer, { inputs: [{ name: 'text', shape, datatype: 'BYTES', data }] });
  before(async () => {
    server = await startTestServer({ model: `builtin://${model}`, strategy: 'pool', workers: 1, maxClientBatchSize: 4 });
    infer = `${server.url}/v2/models/${model}/infer`;
  });
  after(() => server.shutdown());

  it('describes one BYTES text input and an FP32 [N, 384] embedding at /v2/models/{name}', async () => {
    const meta = (await (await fetch(`${server.url}/v2/models/${model}`)).json()) as Record<string, any>;
    assert.deepEqual(meta.inputs, [{ name: 'text', datatype: 'BYTES', shape: [-1] }]);
    assert.deepEqual(meta.outputs, [{ name: 'embedding', datatype: 'FP32', shape: [-1, dim] }]);
    assert.equal(meta.parameters.max_tokens, 256);
  });

  it('truncates over OIP, and over TEI only when asked (413 otherwise); normalize: false gives the pooled vector', async () => {
    const long = 'word '.repeat(400);
    assert.equal((await oip([long])).status, 200);
    const refused = await postJson(`${server.url}/embed`, { inputs: long });
    assert.equal(refused.status, 413);
    assert.deepEqual(refused.body, { error: '`inputs` must have less than 256 tokens. Given: 402', error_type: 'Validation' });
    const truncated = await postJson(`${server.url}/embed`, { inputs: long, truncate: true });
    assert.equal(truncated.status, 200);
    const raw = await postJson(`${server.url}/embed`, { inputs: long, truncate: true, normalize: false });
    assert.ok(Math.hypot(...raw.body[0]) > 1.5);
    assert.ok(cosine(raw.body[0], truncated.body[0]) > 0.99999);
  });

  it('refuses bad TEI requests with TEI status codes and error shape', async () => {
    const cases: [unknown, number, string, RegExp][] = [
      [{ inputs: [] }, 400, 'Empty', /`inputs` cannot be empty/],
      [{ inputs: ['a', 'b', 'c', 'd', 'e'] }, 413, 'Validation', /batch size 5 > maximum allowed batch size 4/],
      [{ inputs: ['a', 7] }, 422, 'Validation', /`inputs`\[1\] must be a string/],
      [{ inputs: 'a\ud800' }, 422, 'Validation', /lone surrogate/],
      [{ text: 'a' }, 422, 'Validation', /`inputs` must be a string or an array of strings/],
      [{ inputs: 'a', normalize: 'yes' }, 422, 'Validation', /`normalize` must be true or false/],
      ['not an object', 422, 'Validation', /must be a JSON object/],
    ];
    for (const [body, status, type, message] of cases) {
      const res = await postJson(`${server.url}/embed`, body);
      assert.equal(res.status, status, JSON.stringify(body));
      assert.equal(res.body.error_type, type);
      assert.match(res.body.error, message);
    }
    const malformed = await fetch(`${server.url}/embed`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"inputs": ' });
    assert.equal(malformed.status, 400);
    assert.equal(((await malformed.json()) as { error_type: string }).error_type, 'Validation');
  });

  it('refuses bad OIP BYTES inputs with a 4xx that says what is wrong', async () => {
    let res = await oip(['a', 5]);
    assert.equal(res.status, 400);
    assert.match(res.body.error, /input 'text': data\[1\] is 5, expected a string/);
    res = await oip(['\udc00']);
    assert.equal(res.status, 400);
    assert.match(res.body.error, /data\[0\] holds a lone surrogate/);
    res = await oip(['a', 'b', 'c', 'd', 'e']);
    assert.equal(res.status, 413);
    assert.match(res.body.error, /5 texts, more than the server's 4 \(--max-client-batch-size\)/);

    const data = Buffer.from([2, 0, 0, 0, 0xc3, 0x28]);
    const header = Buffer.from(JSON.stringify({ inputs: [{ name: 'text', shape: [1], datatype: 'BYTES', parameters: { binary_data_size: data.byteLength } }] }));
    const binary = await fetch(infer, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(header.byteLength) },
      body: Buffer.concat([header, data]),
    });
    assert.equal(binary.status, 400);
    assert.match(((await binary.json()) as { error: string }).error, /input 'text' \(BYTES, shape \[1\]\): element 0 is not valid UTF-8/);
  });
});

describe('all-MiniLM-L6-v2 not fetched', () => {
  it('stops the server with the command that fetches it', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'vernier-no-models-'));
    const before = process.env.VERNIER_MODELS_DIR;
    process.env.VERNIER_MODELS_DIR = empty;
    try {
      await assert.rejects(startTestServer({ model: `builtin://${model}` }), /all-minilm-l6-v2\.onnx is not in .*; run 'npm run models:fetch' to fetch it/);
    } finally {
      if (before === undefined) delete process.env.VERNIER_MODELS_DIR;
      else process.env.VERNIER_MODELS_DIR = before;
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
