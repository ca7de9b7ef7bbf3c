import { BATCH_INPUT_BUDGET_BYTES } from '../../crds/limits.js';
import type { BatchingPolicy } from './scheduler.js';
import type { ExecutionProvider } from './session-options.js';

import type { Strategy } from '../../crds/inferenceservice.js';

export type { Strategy };

export interface StrategyKnobs {
  workers: number;
  maxBatchSize: number;
  maxQueueDelayMs: number;
  /** Overrides the intra-op thread count derived from the cores and the workers. */
  intraOpThreads?: number;
}

/** How a strategy turns into executors: where sessions live, how many, how many threads each, and batching. */
export interface ExecutionPlan {
  executor: 'inline' | 'worker';
  executors: number;
  intraOpThreads: number;
  batching?: BatchingPolicy;
  /**
   * Intra-op threads of one more executor that runs only while nothing else does: a lone request gets every core,
   * as under `shared`, while under load the narrow executors run side by side (more throughput than one wide one).
   */
  soloIntraOpThreads?: number;
}

/** `provider` bounds batches: on CPU by their input bytes too (BATCH_INPUT_BUDGET_BYTES), for the arena's sake. */
export function executionPlan(strategy: Strategy, knobs: StrategyKnobs, cores: number, provider: ExecutionProvider = 'cpu'): ExecutionPlan {
  const perWorker = (n: number) => knobs.intraOpThreads ?? Math.max(1, Math.floor(cores / n));
  switch (strategy) {
    case 'inline':
      return { executor: 'inline', executors: 1, intraOpThreads: knobs.intraOpThreads ?? cores };
    case 'shared':
      return { executor: 'worker', executors: 1, intraOpThreads: knobs.intraOpThreads ?? cores };
    case 'pool':
      return { executor: 'worker', executors: knobs.workers, intraOpThreads: perWorker(knobs.workers) };
    case 'batched': {
      const intraOpThreads = perWorker(knobs.workers);
      return {
        executor: 'worker',
        executors: knobs.workers,
        intraOpThreads,
        batching: {
          maxBatchSize: knobs.maxBatchSize,
          maxQueueDelayMs: knobs.maxQueueDelayMs,
          // A GPU's memory is not the host's, and batches are what it is for.
          ...(provider === 'cpu' ? { maxInputBytes: BATCH_INPUT_BUDGET_BYTES } : {}),
        },
        // Only when the cores are divided: with one wide executor already, a second would add nothing.
        ...(knobs.intraOpThreads === undefined && intraOpThreads < cores ? { soloIntraOpThreads: cores } : {}),
      };
    }
  }
}
