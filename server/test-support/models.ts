import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { builtinModelsDir, resolveModelPath } from '../model-source.js';
import type { NamedTensors } from '../datatypes.js';

export const modelPath = (name: string) => path.join(builtinModelsDir(), `${name}.onnx`);

/** Seeded pseudo-random floats in [-1, 1) (mulberry32), so test inputs are distinct and reproducible. */
export function seededFloats(count: number, seed: number): Float32Array {
  let a = seed >>> 0;
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

/** The reference: the same model run directly by onnxruntime in this process, no server involved. */
export async function directRun(model: string, inputs: NamedTensors): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(modelPath(model), { intraOpNumThreads: 1 });
  try {
    const feeds: Record<string, ort.Tensor> = {};
    const typeOf: Record<string, string> = { FP32: 'float32', INT64: 'int64', INT32: 'int32', UINT8: 'uint8' };
    for (const [name, t] of Object.entries(inputs)) feeds[name] = new ort.Tensor(typeOf[t.datatype] as 'float32', t.data as Float32Array, t.shape);
    return (await session.run(feeds)) as Record<string, ort.Tensor>;
  } finally {
    await session.release();
  }
}

/** Largest difference relative to max(1, |expected|): float results of batched and unbatched runs differ in the last bits. */
export function maxRelativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / Math.max(1, Math.abs(expected[i])));
  }
  return worst;
}

/**
 * The file of a model that `npm run models:fetch` fetches. When it is missing this throws, naming that command, so
 * the tests that need it fail rather than skip.
 */
export const fetchedModelPath = (name: string) => resolveModelPath(`builtin://${name}`);
