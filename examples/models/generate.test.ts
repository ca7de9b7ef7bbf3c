import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import ort from 'onnxruntime-node';
import { seededRandom as mulberry32 } from '../../bench/random.js';
import { buildModel } from './builders.js';
import { MODEL_CATALOG, describeModel, type ModelDescription, type TensorSignature } from './catalog.js';
import { generateModels, writeModels } from './generate.js';
import { DataType } from './onnx-writer.js';

type Feeds = Record<string, ort.Tensor>;

const concreteShape = (sig: TensorSignature, batch: number): number[] =>
  sig.shape.map((d) => (d === 'batch' ? batch : d));

/** Seeded inputs that fit each element type. */
function randomFeeds(description: ModelDescription, batch: number, seed: number): Feeds {
  const random = mulberry32(seed);
  const feeds: Feeds = {};
  for (const sig of description.inputs) {
    const shape = concreteShape(sig, batch);
    const count = shape.reduce((a, b) => a * b, 1);
    switch (sig.type) {
      case 'float32':
        feeds[sig.name] = new ort.Tensor('float32', Float32Array.from({ length: count }, () => random() * 2 - 1), shape);
        break;
      case 'int64':
        feeds[sig.name] = new ort.Tensor('int64', BigInt64Array.from({ length: count }, () => BigInt(Math.floor(random() * 2000) - 1000)), shape);
        break;
      case 'int32':
        feeds[sig.name] = new ort.Tensor('int32', Int32Array.from({ length: count }, () => Math.floor(random() * 2)), shape);
        break;
      case 'uint8':
        feeds[sig.name] = new ort.Tensor('uint8', Uint8Array.from({ length: count }, () => Math.floor(random() * 256)), shape);
        break;
    }
  }
  return feeds;
}

function floatRows(tensor: ort.Tensor): number[][] {
  const [rows, cols] = tensor.dims;
  const data = tensor.data as Float32Array;
  return Array.from({ length: rows }, (_, r) => Array.from(data.subarray(r * cols, (r + 1) * cols)));
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

describe('demo model generator', () => {
  let dir: string;
  let paths: string[];
  const sessions = new Map<string, ort.InferenceSession>();

  const session = async (name: string): Promise<ort.InferenceSession> => {
    let s = sessions.get(name);
    if (!s) {
      s = await ort.InferenceSession.create(join(dir, describeModel(name).file), { intraOpNumThreads: 1, interOpNumThreads: 1 });
      sessions.set(name, s);
    }
    return s;
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vernier-models-'));
    paths = await generateModels(dir);
  });

  after(async () => {
    for (const s of sessions.values()) await s.release();
    await rm(dir, { recursive: true, force: true });
  });

  it('writes one file per catalog entry', () => {
    assert.deepEqual(
      paths,
      MODEL_CATALOG.map((m) => join(dir, m.file)),
    );
  });

  for (const description of MODEL_CATALOG) {
    describe(description.name, () => {
      it('loads in onnxruntime with the catalog signature', async () => {
        const s = await session(description.name);
        const expected = (sigs: readonly TensorSignature[]) =>
          sigs.map((sig) => ({ name: sig.name, isTensor: true, type: sig.type, shape: [...sig.shape] }));
        assert.deepEqual(s.inputMetadata, expected(description.inputs));
        assert.deepEqual(s.outputMetadata, expected(description.outputs));
        assert.equal(description.dynamicBatch, description.inputs.every((sig) => sig.shape[0] === 'batch'));
      });

      const batches = description.dynamicBatch ? [1, 3] : [1];
      for (const batch of batches) {
        it(`runs at batch ${batch} with the declared output shapes and finite values`, async () => {
          const s = await session(description.name);
          const outputs = await s.run(randomFeeds(description, batch, 42 + batch));
          for (const sig of description.outputs) {
            const out = outputs[sig.name];
            assert.ok(out, `output '${sig.name}' present`);
            assert.equal(out.type, sig.type);
            assert.deepEqual(out.dims, concreteShape(sig, batch));
            if (sig.type === 'float32') {
              for (const v of out.data as Float32Array) assert.ok(Number.isFinite(v), `${sig.name} holds ${v}`);
            }
          }
        });
      }
    });
  }

  it('mlp gives distinct, non-zero logits for distinct rows', async () => {
    const out = (await (await session('mlp')).run(randomFeeds(describeModel('mlp'), 3, 7))).logits;
    const rows = floatRows(out);
    assert.ok(rows.flat().some((v) => Math.abs(v) > 1e-3), 'logits are not all zero');
    assert.notDeepEqual(rows[0], rows[1]);
    assert.notDeepEqual(rows[1], rows[2]);
  });

  it('mlp-fixed-batch has the mlp weights and refuses a batch of 3', async () => {
    const feeds = randomFeeds(describeModel('mlp'), 1, 11);
    const dynamic = await (await session('mlp')).run(feeds);
    const fixed = await (await session('mlp-fixed-batch')).run(feeds);
    assert.deepEqual(Array.from(fixed.logits.data as Float32Array), Array.from(dynamic.logits.data as Float32Array));
    const fixedSession = await session('mlp-fixed-batch');
    await assert.rejects(fixedSession.run(randomFeeds(describeModel('mlp'), 3, 11)), /Got: 3 Expected: 1/);
  });

  it('audio-cnn scores are probabilities that depend on the input', async () => {
    const out = (await (await session('audio-cnn')).run(randomFeeds(describeModel('audio-cnn'), 3, 5))).scores;
    const rows = floatRows(out);
    for (const row of rows) {
      for (const p of row) assert.ok(p >= 0 && p <= 1, `score ${p} within [0, 1]`);
      const sum = row.reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(sum - 1) < 1e-4, `scores sum to ${sum}, expected 1 ± 1e-4`);
    }
    assert.notDeepEqual(rows[0], rows[1]);
  });

  it('audio-cnn has 2.2M–2.4M parameters and a 9–10 MB file', async () => {
    const built = buildModel('audio-cnn');
    const counted = built.model.graph.initializers
      .filter((t) => t.dataType === DataType.FLOAT)
      .reduce((sum, t) => sum + t.dims.reduce((a, b) => a * b, 1), 0);
    assert.equal(counted, built.parameterCount);
    assert.ok(counted >= 2_200_000 && counted <= 2_400_000, `parameter count ${counted}`);
    const { size } = await stat(join(dir, 'audio-cnn.onnx'));
    assert.ok(size >= 9_000_000 && size <= 10_000_000, `file size ${size} bytes`);
  });

  it('multi-dtype sums each input per row and finds the first largest pixel', async () => {
    const ids = [1, 2, 3, 4, 5, 6, 7, 8, -1000, 250, 0, 7, -3, 12, 99, 1_000_000];
    const mask = [1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0, 1, 1, 0, 0, -2];
    const pixels = [...Array.from({ length: 16 }, (_, i) => i), 3, 200, 17, 255, 0, 255, 9, 1, 255, 4, 4, 4, 4, 4, 4, 4];
    const outputs = await (await session('multi-dtype')).run({
      ids: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [2, 8]),
      mask: new ort.Tensor('int32', Int32Array.from(mask), [2, 8]),
      pixels: new ort.Tensor('uint8', Uint8Array.from(pixels), [2, 16]),
    });
    // Row 0: Σ1..8 = 36, eight ones, Σ0..15 = 120, largest pixel 15 at index 15.
    // Row 1: -1000+250+7-3+12+99+1e6 = 999365; 1+1+1-2 = 1; 3+200+17+255+0+255+9+1+255+4·7 = 1023; first 255 at index 3.
    assert.deepEqual(Array.from(outputs.summary.data as Float32Array), [36, 8, 120, 999365, 1, 1023]);
    assert.deepEqual(outputs.summary.dims, [2, 3]);
    assert.deepEqual(Array.from(outputs.argmax.data as BigInt64Array), [15n, 3n]);
  });

  it('is deterministic: a second generation gives identical bytes', async () => {
    const second = await mkdtemp(join(tmpdir(), 'vernier-models-'));
    try {
      const secondPaths = await generateModels(second);
      for (const [i, path] of paths.entries()) {
        const [a, b] = await Promise.all([readFile(path), readFile(secondPaths[i])]);
        assert.ok(a.equals(b), `${path} and ${secondPaths[i]} differ`);
      }
    } finally {
      await rm(second, { recursive: true, force: true });
    }
  });

  it('leaves files with unchanged content untouched on a re-run', async () => {
    const before = await Promise.all(paths.map((p) => stat(p)));
    const rerun = await writeModels(dir);
    assert.deepEqual(
      rerun.map((m) => m.changed),
      paths.map(() => false),
    );
    const afterStats = await Promise.all(paths.map((p) => stat(p)));
    assert.deepEqual(
      afterStats.map((s) => s.mtimeMs),
      before.map((s) => s.mtimeMs),
    );
  });

  it('measures audio-cnn latency on one thread (reported, not asserted)', async (t) => {
    const s = await session('audio-cnn');
    const description = describeModel('audio-cnn');
    for (const [batch, runs] of [
      [1, 20],
      [32, 3],
    ] as const) {
      const feeds = randomFeeds(description, batch, 99);
      await s.run(feeds);
      const times: number[] = [];
      for (let i = 0; i < runs; i++) {
        const start = performance.now();
        const out = await s.run(feeds);
        times.push(performance.now() - start);
        assert.deepEqual(out.scores.dims, [batch, 10]);
      }
      t.diagnostic(`audio-cnn batch ${batch}, 1 intra-op thread: median ${median(times).toFixed(2)} ms over ${runs} runs`);
    }
  });
});
