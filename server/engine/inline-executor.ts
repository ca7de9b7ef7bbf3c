import * as ort from 'onnxruntime-node';
import { signatureFromOrt, type ModelSignature } from '../model-signature.js';
import type { BatchInputs, Executor, RunResult } from './executor.js';
import { fromOrtOutputs, toOrtFeeds } from './ort-tensors.js';
import { sessionOptions, type SessionSettings } from './session-options.js';

/**
 * The naive server, kept as a measured baseline: session.run() on the event loop.
 * While it runs, nothing else in the process is served — health checks and /metrics included.
 */
export class InlineExecutor implements Executor {
  readonly alive = true;

  private constructor(
    private readonly session: ort.InferenceSession,
    readonly signature: ModelSignature,
  ) {}

  static async start(settings: SessionSettings): Promise<InlineExecutor> {
    const session = await ort.InferenceSession.create(settings.modelPath, sessionOptions(settings)).catch((err: Error) => {
      throw new Error(`cannot load model ${settings.modelPath}: ${err.message}`, { cause: err });
    });
    return new InlineExecutor(session, signatureFromOrt(session.inputMetadata, session.outputMetadata));
  }

  async run(inputs: BatchInputs): Promise<RunResult> {
    const started = performance.now();
    const results = await this.session.run(toOrtFeeds(inputs));
    return { outputs: fromOrtOutputs(results), inferenceMs: performance.now() - started };
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
