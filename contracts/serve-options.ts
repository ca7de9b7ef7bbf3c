// `vernier serve`: every option, its bounds, default and help. Flags, --help and VERNIER_* variables derive from this.
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { BATCH_INPUT_BUDGET_BYTES, BATCH_RUN_BUDGET_MS, bounded, DEFAULT_TEXT_MAX_TOKENS, LIMITS } from '../crds/limits.js';
import { STRATEGIES } from '../crds/inferenceservice.js';
import { USAGE_EXIT_CODE, type CommandLine } from './options-codec.js';

const int = (min: number, max: number) => z.int().min(min).max(max);

export const EXECUTION_PROVIDERS = ['cpu', 'cuda'] as const;

/** How `vernier serve` ends; the operator reads the last two from a server container that stopped (operator/status/server-failure.ts). */
export const SERVE_EXIT_CODES = {
  ok: 0,
  error: 1,
  usage: USAGE_EXIT_CODE,
  // sysexits.h values: apart from Node's own codes and from 128 + signal.
  /** The model cannot be loaded or served as configured (EX_DATAERR). */
  badModel: 65,
  /** --execution-provider cuda, and CUDA cannot be used: no device, no driver, or no CUDA provider in the image (EX_UNAVAILABLE). */
  cudaUnavailable: 69,
} as const;
export const LOG_LEVELS = ['silent', 'error', 'warn', 'info', 'debug'] as const;
/** Text-embedding models' truncation: the default when none is set, and BERT's position table. */
export const TEXT_TOKENS = { default: DEFAULT_TEXT_MAX_TOKENS, max: LIMITS.textMaxTokens.max } as const;

export const ServeOptions = z.strictObject({
  model: z.string({ error: 'needs --model (builtin://NAME or a path to an .onnx file)' }).min(1),
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'model name may hold letters, digits, ".", "_" and "-"').optional(),
  strategy: z.enum(STRATEGIES).default('batched'),
  workers: bounded(LIMITS.workers).default(2),
  maxBatchSize: bounded(LIMITS.maxBatchSize).default(32),
  maxQueueDelayMs: bounded(LIMITS.maxQueueDelayMs).default(2),
  maxQueue: bounded(LIMITS.maxQueue).default(512),
  /** Text-embedding models: texts are truncated to this many tokens. */
  maxTokens: bounded(LIMITS.textMaxTokens).default(TEXT_TOKENS.default),
  /** Text-embedding models: the most texts one request may carry (TEI's --max-client-batch-size). */
  maxClientBatchSize: int(1, 4096).default(32),
  executionProvider: z.enum(EXECUTION_PROVIDERS).default('cpu'),
  intraOpThreads: bounded(LIMITS.intraOpThreads).optional(),
  cores: int(1, 1024).default(availableParallelism()),
  workerNice: int(0, 19).default(10),
  host: z.string().default('0.0.0.0'),
  port: int(0, 65535).default(8080),
  /** Liveness and readiness from a thread of their own, so probes are answered on time at any load (server/probes/). */
  probePort: int(0, 65535).optional(),
  maxBodyBytes: int(1024, 2 ** 31 - 1).default(32 * 1024 * 1024),
  requestTimeoutMs: int(1, 3_600_000).default(30_000),
  /** Time between readiness turning false and the listener closing, so load balancers stop sending first. */
  shutdownDelayMs: int(0, 600_000).default(0),
  drainTimeoutMs: int(0, 3_600_000).default(30_000),
  /** Keep-alive clients reconnect this often, so new replicas behind a Service get their share of the load. */
  maxConnectionAgeMs: int(0, 86_400_000).default(30_000),
  logLevel: z.enum(LOG_LEVELS).default('info'),
});
export type ServeOptions = z.infer<typeof ServeOptions>;
export type ServeOptionsInput = z.input<typeof ServeOptions>;

export const serveCommandLine: CommandLine<typeof ServeOptions> = {
  command: 'vernier serve',
  synopsis: [
    'usage: vernier serve --model builtin://audio-cnn [--strategy batched] [options]',
    '',
    'Serves one ONNX model over the Open Inference Protocol v2 (REST) with /metrics.',
  ].join('\n'),
  schema: ServeOptions,
  docs: {
    model: 'model to serve: builtin://NAME or a path to an .onnx file',
    name: 'name served at /v2/models/NAME (default: the file name)',
    strategy: `concurrency strategy: ${STRATEGIES.join(' | ')} (default batched)`,
    workers: `worker threads for pool and batched (${LIMITS.workers.min}-${LIMITS.workers.max}, default 2)`,
    maxBatchSize: `batched: most rows in one run (at most ${LIMITS.maxBatchSize.max}, default 32; runs also hold about ${BATCH_RUN_BUDGET_MS} ms of inference and, on CPU, ${BATCH_INPUT_BUDGET_BYTES / 1024} KiB of input at most)`,
    maxQueueDelayMs: 'batched: longest wait for a batch to fill (default 2)',
    maxQueue: 'requests allowed to wait; more get 503 + Retry-After (default 512)',
    maxTokens: `text-embedding models: tokens a text is truncated to, special tokens included (${LIMITS.textMaxTokens.min}-${LIMITS.textMaxTokens.max}, default ${TEXT_TOKENS.default})`,
    maxClientBatchSize: 'text-embedding models: most texts in one request (default 32)',
    executionProvider: `${EXECUTION_PROVIDERS.join(' | ')} (default cpu)`,
    intraOpThreads: 'onnxruntime threads per session (default: cores / workers)',
    cores: 'cores to plan threads for (default: available parallelism)',
    workerNice: 'nice value of inference threads, so HTTP and health checks come first (0-19, default 10)',
    host: 'address to listen on (default 0.0.0.0)',
    port: 'TCP port (default 8080)',
    probePort: 'a second TCP port answering only GET /v2/health/live and /v2/health/ready, from a thread of its own, so probes are answered on time however busy the server is; 0 picks a free port (default: none)',
    maxBodyBytes: 'largest request body in bytes, after gzip/deflate decompression (default 32 MiB)',
    requestTimeoutMs:
      'longest time to receive a request and to wait in the queue; a request expected to wait and run for more than half of it gets 503 + Retry-After at once (default 30000)',
    shutdownDelayMs: 'on SIGTERM, time not-ready (answers close their connections) before the listener closes (default 0)',
    drainTimeoutMs: 'on SIGTERM, longest wait for accepted requests to finish; then every connection is closed (default 30000)',
    maxConnectionAgeMs: "a keep-alive connection this old gets Connection: close on its next answer, so clients reconnect and spread over new replicas; 0 never (default 30000)",
    logLevel: `${LOG_LEVELS.join(' | ')} (default info)`,
  },
};
