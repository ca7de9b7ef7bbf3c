// The servers `npm run bench:compare` puts side by side, each started on loopback for one model file and stopped by
// the suite: `vernier serve` with each strategy and the Python FastAPI baselines in their two forms (tensor models under
// uvicorn; text-embedding models under gunicorn with uvicorn workers, tokenizer.json beside the model).
import { startServeProcess } from '../../server/serve-process.js';
import type { Family } from './compare-summary.js';
import { startMinilmBaseline, startPythonBaseline, type BaselineMode, type PythonEnv } from './python-baseline.js';

export interface RunningContender {
  url: string;
  /** Vernier's probe port (--probe-port), where the operator points the kubelet's probes. */
  probeUrl?: string;
  /** Root of the process tree whose CPU and memory are measured. */
  pid: number;
  stop(): Promise<void>;
}

export interface ContenderSpec {
  name: string;
  family: Family;
  /** The settings it runs with, as reported. */
  knobs: Record<string, number | string>;
  /** Resolves once it serves the model; an abort while it starts stops it and rejects. */
  start(model: { path: string; name: string }, signal?: AbortSignal): Promise<RunningContender>;
}

export interface VernierKnobs {
  workers?: number;
  maxBatchSize?: number;
  maxQueueDelayMs?: number;
}

export function vernierContender(strategy: 'inline' | 'shared' | 'pool' | 'batched', knobs: VernierKnobs = {}): ContenderSpec {
  const flags: string[] = [];
  if (knobs.workers !== undefined) flags.push('--workers', String(knobs.workers));
  if (knobs.maxBatchSize !== undefined) flags.push('--max-batch-size', String(knobs.maxBatchSize));
  if (knobs.maxQueueDelayMs !== undefined) flags.push('--max-queue-delay-ms', String(knobs.maxQueueDelayMs));
  return {
    name: `vernier ${strategy}`,
    family: 'vernier',
    knobs: { strategy, ...knobs },
    async start(model, signal) {
      const server = await startServeProcess(['--model', model.path, '--name', model.name, '--strategy', strategy, '--probe-port', '0', ...flags], 120_000);
      const stop = async () => void (await server.stop());
      if (signal?.aborted) {
        await stop();
        signal.throwIfAborted();
      }
      return { url: server.url, probeUrl: server.probeUrl, pid: server.child.pid!, stop };
    },
  };
}

export function pythonContender(env: PythonEnv, mode: BaselineMode, workers: number): ContenderSpec {
  return {
    name: mode === 'direct' ? 'python fastapi' : 'python fastapi+executor',
    family: 'python',
    knobs: { server: 'uvicorn', workers, inference: mode === 'direct' ? 'session.run in the async endpoint' : 'session.run in the default thread executor' },
    async start(model, signal) {
      const server = await startPythonBaseline(env, { modelPath: model.path, modelName: model.name, mode, workers }, { signal });
      return { url: server.url, pid: server.child.pid!, stop: server.stop };
    },
  };
}

/** The tokenizer that the model fetch puts beside a text model: NAME-tokenizer.json next to NAME.onnx. */
export function tokenizerFor(modelPath: string): string {
  return modelPath.replace(/\.onnx$/, '-tokenizer.json');
}

export function pythonTextContender(env: PythonEnv, mode: BaselineMode, workers: number): ContenderSpec {
  // One onnxruntime thread per worker process: with a worker per core, more threads would only contend.
  const intraOpThreads = 1;
  return {
    name: mode === 'direct' ? 'python fastapi' : 'python fastapi+executor',
    family: 'python',
    knobs: {
      server: 'gunicorn + uvicorn workers',
      workers,
      intraOpThreads,
      tokenizer: 'tokenizers (Rust)',
      inference: mode === 'direct' ? 'session.run in the async endpoint' : 'session.run in the default thread executor',
    },
    async start(model, signal) {
      const server = await startMinilmBaseline(env, { modelPath: model.path, tokenizerPath: tokenizerFor(model.path), modelName: model.name, mode, workers, intraOpThreads }, { signal });
      return { url: server.url, pid: server.child.pid!, stop: server.stop };
    },
  };
}
