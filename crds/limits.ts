// Every bound that the InferenceService API and the processes it starts (`vernier serve`, `vernier bench`) share:
// one definition, so a value the API server accepts is never refused by the process it ends up in.
import { z } from 'zod';

export interface Range {
  min: number;
  max: number;
  /** Whole numbers only. */
  int?: boolean;
  /** The minimum itself is excluded (a rate must be above 0). */
  exclusiveMin?: boolean;
}

export const LIMITS = {
  /** Worker threads of the server, each with its own session. */
  workers: { min: 1, max: 64, int: true },
  maxBatchSize: { min: 1, max: 1024, int: true },
  maxQueueDelayMs: { min: 0, max: 1000 },
  maxQueue: { min: 1, max: 100_000, int: true },
  intraOpThreads: { min: 1, max: 64, int: true },
  /** Closed loop: requests kept in flight by the benchmark. */
  benchmarkConcurrency: { min: 1, max: 1024, int: true },
  /** Open loop: requests per second. */
  benchmarkRate: { min: 0, max: 1_000_000, exclusiveMin: true },
  benchmarkDurationSeconds: { min: 0, max: 3600, exclusiveMin: true },
  benchmarkWarmupSeconds: { min: 0, max: 600 },
  benchmarkTimeoutMs: { min: 1, max: 600_000, int: true },
  slaP99LatencyMs: { min: 0, max: 600_000, exclusiveMin: true },
  /** 0 states no throughput target. */
  slaMinThroughputRps: { min: 0, max: 1_000_000 },
  /** Time budget of the search for one replica's capacity. */
  capacitySeconds: { min: 10, max: 1800, int: true },
  /** Server pods. */
  replicas: { min: 1, max: 100, int: true },
  /** Text-embedding models: tokens a text is truncated to, special tokens included (BERT's position table holds 512). */
  textMaxTokens: { min: 2, max: 512, int: true },
} as const satisfies Record<string, Range>;

/** Text-embedding models' truncation when none is set: sentence-transformers' max_seq_length for all-MiniLM-L6-v2. */
export const DEFAULT_TEXT_MAX_TOKENS = 256;

/** A zod number within a range; `int` narrows to whole numbers where the API wants them even if the process does not. */
export function bounded(range: Range, int = range.int ?? false): z.ZodNumber {
  const base = int ? z.int() : z.number();
  const low = range.exclusiveMin ? base.gt(range.min) : base.min(range.min);
  return low.max(range.max);
}

/**
 * `batched`: a batch holds about this much inference at most (rows × the measured time per row). It bounds what
 * batching adds to the tail: a request that just misses a batch waits for one.
 */
export const BATCH_RUN_BUDGET_MS = 50;

/**
 * `batched` on CPU: a batch's inputs take at most this many bytes (a larger request still runs, alone). onnxruntime's
 * CPU arena grows to the largest batch a session runs, in powers of two, and keeps it; a bound in time alone admits
 * bigger batches on a faster host. Measured with bench:server on audio-cnn (192,000 bytes a row, 64 in flight): four
 * rows, peak RSS 1.3× `pool`'s; five, 1.55×; the ~7 rows of the time budget, 1.6×; throughput alike within the noise.
 */
export const BATCH_INPUT_BUDGET_BYTES = 768 * 1024;
