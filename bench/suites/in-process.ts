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

/** How the sessions of an in-process measurement share the cores. */
export interface SessionLayout {
  sessions: number;
  intraOpThreads: number;
}

/**
 * Calls every runner back to back, all at once (a warmup of at most 1 s first), for `seconds`: the runs completed
 * and the rows per second they made at `batchSize` rows a run.
 */
export async function runBackToBack(runners: readonly (() => Promise<unknown>)[], batchSize: number, seconds: number): Promise<{ runs: number; rowsPerSecond: number }> {
  const loop = async (run: () => Promise<unknown>, until: number) => {
    let runs = 0;
    while (performance.now() < until && runs < 1_000_000) {
      await run();
      runs++;
    }
    return runs;
  };
  await Promise.all(runners.map((run) => loop(run, performance.now() + Math.min(1000, seconds * 200))));
  const started = performance.now();
  const counts = await Promise.all(runners.map((run) => loop(run, started + seconds * 1000)));
  const elapsed = (performance.now() - started) / 1000;
  const runs = counts.reduce((a, b) => a + b, 0);
  return { runs, rowsPerSecond: (runs * batchSize) / elapsed };
}

/** The best of one session using every core and one single-threaded session per core. */
export async function bestLayout(cores: number, measure: (layout: SessionLayout) => Promise<InProcessFigure>): Promise<InProcessFigure> {
  const wide = await measure({ sessions: 1, intraOpThreads: cores });
  if (cores === 1) return wide;
  const parallel = await measure({ sessions: cores, intraOpThreads: 1 });
  return parallel.rowsPerSecond > wide.rowsPerSecond ? parallel : wide;
}

/** Rows per second of `sessions` sessions each running back to back at one batch size, for `seconds`. */
export async function measureInProcess(modelPath: string, o: SessionLayout & { batchSize: number; seconds: number }): Promise<InProcessFigure> {
  const executors = await Promise.all(
    Array.from({ length: o.sessions }, () => WorkerExecutor.start({ modelPath, intraOpThreads: o.intraOpThreads, executionProvider: 'cpu', workerNice: 0 })),
  );
  try {
    const template = new Map<string, Float32Array>();
    const runners = executors.map((e) => () => e.run(inputsFor(e.signature, o.batchSize, template)));
    return { ...o, ...(await runBackToBack(runners, o.batchSize, o.seconds)) };
  } finally {
    await Promise.all(executors.map((e) => e.close()));
  }
}

export function inProcessLimit(modelPath: string, batchSize: number, cores: number, seconds: number): Promise<InProcessFigure> {
  return bestLayout(cores, (layout) => measureInProcess(modelPath, { ...layout, batchSize, seconds }));
}
