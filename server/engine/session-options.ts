import type { InferenceSession } from 'onnxruntime-node';

export type ExecutionProvider = 'cpu' | 'cuda';

export interface SessionSettings {
  modelPath: string;
  intraOpThreads: number;
  executionProvider: ExecutionProvider;
  /** Nice value for worker threads (0: same priority as the HTTP thread). */
  workerNice: number;
  /** Text-embedding models: texts are truncated to this many tokens (default: defaultMaxTokens). */
  maxTokens?: number;
}

export function sessionOptions(settings: SessionSettings): InferenceSession.SessionOptions {
  return {
    executionProviders: settings.executionProvider === 'cuda' ? ['cuda', 'cpu'] : ['cpu'],
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    intraOpNumThreads: settings.intraOpThreads,
    interOpNumThreads: 1,
    // Spinning intra-op threads would steal the CPU that the HTTP thread, the codec threads and the other workers need
    // (measured with decoding off the HTTP thread: binary bodies gained with spinning, JSON ones lost; see README).
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  };
}
