import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { strategies } from './engine/strategy.js';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** Every option of `vernier serve`; each also comes from an environment variable (VERNIER_ + upper snake case). */
export const ServeOptions = z.object({
  model: z.string({ error: 'needs --model (builtin://NAME or a path to an .onnx file)' }).min(1),
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'model name may hold letters, digits, ".", "_" and "-"').optional(),
  strategy: z.enum(strategies),
  workers: int(1, 64).default(2),
  maxBatchSize: int(1, 4096).default(32),
  maxQueueDelayMs: z.coerce.number().min(0).max(10_000).default(2),
  maxQueue: int(1, 1_000_000).default(512),
  intraOpThreads: int(1, 256).optional(),
  executionProvider: z.enum(['cpu', 'cuda']).default('cpu'),
  cores: int(1, 1024).default(availableParallelism()),
  workerNice: int(0, 19).default(10),
  port: int(0, 65535).default(8080),
  host: z.string().default('0.0.0.0'),
  maxBodyBytes: int(1024, 2 ** 31 - 1).default(32 * 1024 * 1024),
  requestTimeoutMs: int(1, 3_600_000).default(30_000),
  /** Time between readiness turning false and the listener closing, so load balancers stop sending first. */
  shutdownDelayMs: int(0, 600_000).default(0),
  drainTimeoutMs: int(0, 3_600_000).default(30_000),
  logLevel: z.enum(['silent', 'error', 'warn', 'info', 'debug']).default('info'),
});
export type ServeOptions = z.infer<typeof ServeOptions>;

export const serveOptionHelp: Record<keyof ServeOptions, string> = {
  model: 'model to serve: builtin://NAME or a path to an .onnx file',
  name: 'name served at /v2/models/NAME (default: the file name)',
  strategy: `concurrency strategy: ${strategies.join(' | ')} (default batched)`,
  workers: 'worker threads for pool and batched (default 2)',
  maxBatchSize: 'batched: most rows in one run (default 32)',
  maxQueueDelayMs: 'batched: longest wait for a batch to fill (default 2)',
  maxQueue: 'requests allowed to wait; more get 503 + Retry-After (default 512)',
  intraOpThreads: 'onnxruntime threads per session (default: cores / workers)',
  executionProvider: 'cpu | cuda (default cpu)',
  cores: 'cores to plan threads for (default: available parallelism)',
  workerNice: 'nice value of inference threads, so HTTP and health checks come first (0-19, default 10)',
  port: 'TCP port (default 8080)',
  host: 'address to listen on (default 0.0.0.0)',
  maxBodyBytes: 'largest request body in bytes (default 32 MiB)',
  requestTimeoutMs: 'longest time to receive a request and to wait in the queue (default 30000)',
  shutdownDelayMs: 'on SIGTERM, time not-ready before the listener closes (default 0)',
  drainTimeoutMs: 'on SIGTERM, longest wait for accepted requests to finish (default 30000)',
  logLevel: 'silent | error | warn | info | debug (default info)',
};

export function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

export function envName(key: string): string {
  return `VERNIER_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

/** Options from flags, falling back to environment variables, then defaults. Throws a message listing every bad option. */
export function resolveServeOptions(flags: Record<string, string | undefined>, env: NodeJS.ProcessEnv): ServeOptions {
  const raw: Record<string, string> = {};
  for (const key of Object.keys(ServeOptions.shape)) {
    const value = flags[key] ?? env[envName(key)];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  raw.strategy ??= 'batched';
  const parsed = ServeOptions.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => {
      const key = String(i.path[0]);
      return `--${kebab(key)} (${envName(key)}): ${i.message}`;
    });
    throw new Error(`invalid options:\n  ${problems.join('\n  ')}`);
  }
  return parsed.data;
}
