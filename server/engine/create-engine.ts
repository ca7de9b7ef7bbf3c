import type { ModelKind } from '../model-kind.js';
import { batchingObstacle, type ModelSignature } from '../model-signature.js';
import type { Executor } from './executor.js';
import { InlineExecutor } from './inline-executor.js';
import { Scheduler, type SchedulerOptions } from './scheduler.js';
import type { ExecutionProvider } from './session-options.js';
import { executionPlan, type ExecutionPlan, type Strategy, type StrategyKnobs } from './strategy.js';
import { WorkerExecutor } from './worker-executor.js';

export interface EngineOptions extends StrategyKnobs {
  modelPath: string;
  strategy: Strategy;
  executionProvider: ExecutionProvider;
  workerNice: number;
  maxQueue: number;
  queueTimeoutMs: number;
  cores: number;
  /** Text-embedding models: the most tokens a text is truncated to. */
  maxTokens?: number;
  onRun?: SchedulerOptions['onRun'];
}

export interface Engine {
  /** What clients see: for a text-embedding model, text in and embeddings out rather than the graph's tensors. */
  readonly signature: ModelSignature;
  readonly kind: ModelKind;
  readonly strategy: Strategy;
  readonly plan: ExecutionPlan;
  readonly scheduler: Scheduler;
  readonly loadSeconds: number;
}

export async function createEngine(options: EngineOptions): Promise<Engine> {
  const started = performance.now();
  const plan = executionPlan(options.strategy, options, options.cores, options.executionProvider);
  const settings = {
    modelPath: options.modelPath,
    intraOpThreads: plan.intraOpThreads,
    executionProvider: options.executionProvider,
    workerNice: options.workerNice,
    maxTokens: options.maxTokens,
  };
  const starts: Promise<Executor>[] = [];
  for (let i = 0; i < plan.executors; i++) {
    starts.push(plan.executor === 'inline' ? InlineExecutor.start(settings) : WorkerExecutor.start(settings));
  }
  if (plan.soloIntraOpThreads !== undefined) starts.push(WorkerExecutor.start({ ...settings, intraOpThreads: plan.soloIntraOpThreads }));
  const settled = await Promise.allSettled(starts);
  const executors = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  const close = () => Promise.all(executors.map((e) => e.close()));
  if (failure) {
    await close();
    throw failure.reason;
  }
  const { signature, kind } = executors[0];
  const obstacle = plan.batching ? batchingObstacle(signature) : undefined;
  if (obstacle) {
    await close();
    throw new Error(
      `strategy 'batched' needs a dynamic batch dimension, but ${obstacle}; re-export the model with a dynamic first dimension or use strategy 'pool'`,
    );
  }
  const solo = plan.soloIntraOpThreads === undefined ? undefined : executors.pop();
  const scheduler = new Scheduler(executors, {
    solo,
    maxQueue: options.maxQueue,
    queueTimeoutMs: options.queueTimeoutMs,
    batching: plan.batching,
    onRun: options.onRun,
  });
  return { signature, kind, strategy: options.strategy, plan, scheduler, loadSeconds: (performance.now() - started) / 1000 };
}
