// The physical limit: onnxruntime sessions run back to back in this process, with no HTTP, no queue, no batching
// logic in between. Sessions live in worker threads (the same ones the server uses), so several can run in parallel.
import { WorkerExecutor } from '../../server/engine/worker-executor.js';
import type { BatchInputs } from '../../server/engine/executor.js';
import type { ModelSignature } from '../../server/model-signature.js';

export interface InProcessFigure {
  batchSize: number;
  sessions: number;
  intraOpThreads: number;
  runs: number;
  rowsPerSecond: number;
}

function seededFloats(count: number, seed: number): Float32Array {
  const out = new Float32Array(count);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < count; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = ((x >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

/** Fresh inputs for one run (transfers detach them); FP32 only, dynamic dimensions past the first are 1. */
function inputsFor(signature: ModelSignature, batchSize: number, template: Map<string, Float32Array>): BatchInputs {
  const inputs: BatchInputs = {};
  for (const spec of signature.inputs) {
    if (spec.datatype !== 'FP32') throw new Error(`in-process measurement handles FP32 inputs only ('${spec.name}' is ${spec.datatype})`);
    const shape = spec.shape.map((d, i) => (i === 0 ? batchSize : d > 0 ? d : 1));
    let data = template.get(spec.name);
    if (!data) template.set(spec.name, (data = seededFloats(shape.reduce((a, b) => a * b, 1), 7)));
    inputs[spec.name] = { datatype: 'FP32', shape, parts: [data.slice()] };
  }
  return inputs;
}

/** Rows per second of `sessions` sessions each running back to back at one batch size, for `seconds`. */
export async function measureInProcess(
  modelPath: string,
  o: { batchSize: number; sessions: number; intraOpThreads: number; seconds: number },
): Promise<InProcessFigure> {
  const executors = await Promise.all(
    Array.from({ length: o.sessions }, () => WorkerExecutor.start({ modelPath, intraOpThreads: o.intraOpThreads, executionProvider: 'cpu', workerNice: 0 })),
  );
  try {
    const template = new Map<string, Float32Array>();
    const loop = async (executor: WorkerExecutor, until: number) => {
      let runs = 0;
      while (performance.now() < until && runs < 1_000_000) {
        await executor.run(inputsFor(executor.signature, o.batchSize, template));
        runs++;
      }
      return runs;
    };
    await Promise.all(executors.map((e) => loop(e, performance.now() + Math.min(1000, o.seconds * 200))));
    const started = performance.now();
    const counts = await Promise.all(executors.map((e) => loop(e, started + o.seconds * 1000)));
    const elapsed = (performance.now() - started) / 1000;
    const runs = counts.reduce((a, b) => a + b, 0);
    return { ...o, runs, rowsPerSecond: (runs * o.batchSize) / elapsed };
  } finally {
    await Promise.all(executors.map((e) => e.close()));
  }
}

/** The best of one session using every core and one single-threaded session per core. */
export async function inProcessLimit(modelPath: string, batchSize: number, cores: number, seconds: number): Promise<InProcessFigure> {
  const wide = await measureInProcess(modelPath, { batchSize, sessions: 1, intraOpThreads: cores, seconds });
  if (cores === 1) return wide;
  const parallel = await measureInProcess(modelPath, { batchSize, sessions: cores, intraOpThreads: 1, seconds });
  return parallel.rowsPerSecond > wide.rowsPerSecond ? parallel : wide;
}
