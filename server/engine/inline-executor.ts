import type { ModelKind } from '../model-kind.js';
import type { ModelSignature } from '../model-signature.js';
import type { BatchInputs, Executor, RunResult } from './executor.js';
import { loadModelRunner, type ModelRunner } from './model-runner.js';
import type { SessionSettings } from './session-options.js';

/**
 * The naive server, kept as a measured baseline: session.run() on the event loop.
 * While it runs, nothing else in the process is served — health checks and /metrics included.
 */
export class InlineExecutor implements Executor {
  readonly alive = true;
  readonly signature: ModelSignature;
  readonly kind: ModelKind;

  private constructor(private readonly runner: ModelRunner) {
    this.signature = runner.model.signature;
    this.kind = runner.model.kind;
  }

  static async start(settings: SessionSettings): Promise<InlineExecutor> {
    const runner = await loadModelRunner(settings).catch((err: Error) => {
      throw new Error(`cannot load model ${settings.modelPath}: ${err.message}`, { cause: err });
    });
    return new InlineExecutor(runner);
  }

  async run(inputs: BatchInputs): Promise<RunResult> {
    const started = performance.now();
    const outputs = await this.runner.run(inputs);
    return { outputs, inferenceMs: performance.now() - started };
  }

  async close(): Promise<void> {
    await this.runner.release();
  }
}
