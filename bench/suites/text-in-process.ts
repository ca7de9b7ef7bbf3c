// The physical limit for a text-embedding model: onnxruntime sessions running back to back in this process on token
// ids prepared once, with no HTTP, tokenizer, queue or pooling in between (those cost microseconds per sentence).
import * as ort from 'onnxruntime-node';
import { bestLayout, runBackToBack, type InProcessFigure, type SessionLayout } from './in-process.js';

/** The graph's three int64 inputs for `rows` copies of one sentence's ids (no padding needed: all rows are equal). */
export function tokenFeeds(ids: readonly number[], rows: number): Record<string, ort.Tensor> {
  const length = ids.length;
  const inputIds = new BigInt64Array(rows * length);
  for (let r = 0; r < rows; r++) for (let i = 0; i < length; i++) inputIds[r * length + i] = BigInt(ids[i]);
  const dims = [rows, length];
  return {
    input_ids: new ort.Tensor('int64', inputIds, dims),
    attention_mask: new ort.Tensor('int64', new BigInt64Array(rows * length).fill(1n), dims),
    token_type_ids: new ort.Tensor('int64', new BigInt64Array(rows * length), dims),
  };
}

/** Sentences per second of `sessions` sessions each running batches of one sentence back to back, for `seconds`. */
export async function measureTextInProcess(
  modelPath: string,
  ids: readonly number[],
  o: SessionLayout & { batchSize: number; seconds: number },
): Promise<InProcessFigure> {
  const sessions = await Promise.all(
    Array.from({ length: o.sessions }, () =>
      ort.InferenceSession.create(modelPath, { executionProviders: ['cpu'], intraOpNumThreads: o.intraOpThreads, interOpNumThreads: 1, graphOptimizationLevel: 'all' }),
    ),
  );
  try {
    const feeds = tokenFeeds(ids, o.batchSize);
    // session.run is asynchronous in onnxruntime-node, so several sessions run in parallel from this one thread.
    return { ...o, ...(await runBackToBack(sessions.map((session) => () => session.run(feeds)), o.batchSize, o.seconds)) };
  } finally {
    await Promise.all(sessions.map((s) => s.release()));
  }
}

export function textInProcessLimit(modelPath: string, ids: readonly number[], batchSize: number, cores: number, seconds: number): Promise<InProcessFigure> {
  return bestLayout(cores, (layout) => measureTextInProcess(modelPath, ids, { ...layout, batchSize, seconds }));
}
