// Worker thread: owns one onnxruntime session, so session.run() never blocks the HTTP event loop.
import { parentPort, workerData } from 'node:worker_threads';
import { ownedCopy, type NamedTensors } from '../datatypes.js';
import type { ServedModel } from '../model-kind.js';
import type { BatchInputs } from './executor.js';
import { loadModelRunner, type ModelRunner } from './model-runner.js';
import type { SessionSettings } from './session-options.js';
import { lowerThreadPriority } from './thread-priority.js';

export type WorkerRequest = { id: number; inputs: BatchInputs };
export type WorkerReply =
  | { type: 'ready'; model: ServedModel }
  | { type: 'load-failed'; message: string }
  | { type: 'result'; id: number; outputs: NamedTensors; inferenceMs: number }
  | { type: 'run-failed'; id: number; message: string };

const port = parentPort!;
const settings = workerData as SessionSettings;

function transferable(outputs: NamedTensors): { outputs: NamedTensors; buffers: ArrayBuffer[] } {
  const owned: NamedTensors = {};
  const buffers: ArrayBuffer[] = [];
  for (const [name, t] of Object.entries(outputs)) {
    const data = ownedCopy(t.data);
    owned[name] = { ...t, data };
    buffers.push(data.buffer as ArrayBuffer);
  }
  return { outputs: owned, buffers };
}

async function main(): Promise<void> {
  lowerThreadPriority(settings.workerNice);
  let runner: ModelRunner;
  try {
    runner = await loadModelRunner(settings);
    port.postMessage({ type: 'ready', model: runner.model } satisfies WorkerReply);
  } catch (err) {
    port.postMessage({ type: 'load-failed', message: (err as Error).message } satisfies WorkerReply);
    return;
  }
  port.on('message', async (request: WorkerRequest) => {
    try {
      const started = performance.now();
      const results = await runner.run(request.inputs);
      const inferenceMs = performance.now() - started;
      const { outputs, buffers } = transferable(results);
      port.postMessage({ type: 'result', id: request.id, outputs, inferenceMs } satisfies WorkerReply, buffers);
    } catch (err) {
      port.postMessage({ type: 'run-failed', id: request.id, message: (err as Error).message } satisfies WorkerReply);
    }
  });
}

void main();
