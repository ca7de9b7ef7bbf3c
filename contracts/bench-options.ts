// What a benchmark run should do: one zod schema shared by the CLI, the programmatic API and `vernier run`.
import { z } from 'zod';
import { bounded, LIMITS } from '../crds/limits.js';
import { MAX_ERROR_RATE } from './sla.js';

export const SlaTargets = z
  .object({
    /** p99 latency of successful requests must be at or below this. */
    p99LatencyMs: bounded(LIMITS.slaP99LatencyMs).optional(),
    /** Successful requests per second must be at or above this. */
    minThroughputRps: bounded(LIMITS.slaMinThroughputRps).optional(),
    /** Failed requests / all requests must be at or below this (0..1). */
    maxErrorRate: z.number().min(0).max(1).optional(),
  })
  .strict();
export type SlaTargets = z.infer<typeof SlaTargets>;

export const SweepOptions = z
  .object({
    /** Loads to try in order (concurrency in closed loop, req/s in open loop); default: doubling from the start load. */
    steps: z.array(z.number().positive()).min(1).max(64).optional(),
    /** Upper bound on the number of steps when they are generated. */
    maxSteps: z.number().int().min(1).max(64).default(10),
  })
  .strict();
export type SweepOptions = z.infer<typeof SweepOptions>;

export const DEFAULT_CAPACITY_SECONDS = 120;

export const CapacityOptions = z
  .object({
    /** Time budget of the whole search, warmup included. */
    seconds: bounded(LIMITS.capacitySeconds, false).default(DEFAULT_CAPACITY_SECONDS),
  })
  .strict();
export type CapacityOptions = z.infer<typeof CapacityOptions>;

const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL such as http://127.0.0.1:8080' });

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'] as const;
/** An HTTP header name (RFC 9110 token). */
export const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Load threads at most; more than the machine's cores only adds scheduling. */
export const MAX_THREADS = 256;

/** Words per generated sentence for text (BYTES) inputs: `N`, or `MIN-MAX` drawn uniformly. */
export const DEFAULT_TEXT_WORDS = '6-20';

/** The range `N` or `MIN-MAX` describes, or undefined when it is neither. Pure. */
export function wordRange(text: string): { min: number; max: number } | undefined {
  const m = /^([1-9]\d{0,3})(?:-([1-9]\d{0,3}))?$/.exec(text);
  if (!m) return undefined;
  const min = Number(m[1]);
  const max = m[2] === undefined ? min : Number(m[2]);
  return max >= min ? { min, max } : undefined;
}

/** The fields of BenchOptions, before the cross-field rules and defaults: what `vernier bench`'s flags are built from. */
export const BenchOptionsFields = z
  .object({
    /** Base URL of the server; the model is at {url}/v2/models/{model}. */
    url: httpUrl,
    /** The model whose OIP v2 infer endpoint is loaded, with payloads generated from its metadata (unless `payloadFile`). */
    model: z.string().min(1, 'expected the model name served at /v2/models/{name}').optional(),
    /** Another path under the URL to load (e.g. /v2/health/ready, /embed) instead of the model's infer endpoint. */
    path: z.string().regex(/^\/\S*$/, 'expected a path starting with /, without spaces, e.g. /v2/health/ready').optional(),
    /** Default: POST when a body is sent (generated or from `payloadFile`), GET otherwise. */
    method: z.enum(HTTP_METHODS).optional(),
    /** Extra request headers; they override the payload's own (e.g. content-type). */
    headers: z
      .record(z.string().regex(HEADER_NAME, 'expected a header name (letters, digits, -)'), z.string().regex(/^[^\r\n\0]*$/, 'a header value cannot contain a line break'))
      .optional(),
    /** Load threads (each with its own connections and event loop); default: the cores this process may use. */
    threads: z.int().min(1).max(MAX_THREADS).optional(),
    /** closed: `concurrency` requests always in flight; open: requests sent at `rate` per second regardless of replies. */
    mode: z.enum(['closed', 'open']).default('closed'),
    concurrency: bounded(LIMITS.benchmarkConcurrency).default(8),
    /** Open loop: intended sends per second. */
    rate: bounded(LIMITS.benchmarkRate).optional(),
    arrival: z.enum(['constant', 'poisson']).default('constant'),
    /** Measured time (after warmup). Default 10 s when `requests` is not given either. */
    durationSeconds: bounded(LIMITS.benchmarkDurationSeconds).optional(),
    /** Measured requests (after warmup); with `durationSeconds` too, whichever ends first. */
    requests: z.number().int().positive().max(100_000_000).optional(),
    warmupSeconds: bounded(LIMITS.benchmarkWarmupSeconds).default(0),
    /** A request with no complete response within this long counts as a `timeout` error. */
    timeoutMs: bounded(LIMITS.benchmarkTimeoutMs).default(10_000),
    /** Keep trying to reach the server this long before failing (a Service whose endpoints are still propagating). */
    waitForServerSeconds: z.number().min(0).max(3_600).default(0),
    /** Open loop: at most this many requests in flight; sends beyond it are dropped and reported. */
    maxInFlight: z.number().int().min(1).max(65_536).default(1024),
    payload: z.enum(['json', 'binary']).default('json'),
    /** A body to send instead of generated data: a JSON infer request for a model, or any bytes for a `path`. No metadata is read. */
    payloadFile: z.string().min(1).optional(),
    /** How many distinct seeded bodies to pre-build and rotate through. */
    payloadVariants: z.number().int().min(1).max(64).default(8),
    /** Size of the first (dynamic) dimension of every input; dynamic dimensions are 1 otherwise. */
    batchSize: z.number().int().positive().max(65_536).optional(),
    seed: z.number().int().min(0).max(2 ** 32 - 1).default(1),
    /** Text (BYTES) inputs: words per generated sentence, N or MIN-MAX (drawn uniformly). */
    textWords: z
      .string()
      .refine((t) => wordRange(t) !== undefined, 'expected words per sentence as N or MIN-MAX with 1 ≤ MIN ≤ MAX ≤ 9999, e.g. 6-20')
      .default(DEFAULT_TEXT_WORDS),
    sla: SlaTargets.default({}),
    /** Raise the load step by step until the SLA breaks; the report is the last step that met it. */
    sweep: SweepOptions.optional(),
    /**
     * Search for the highest open-loop rate whose p99 stays within `sla.p99LatencyMs` (and errors within
     * `sla.maxErrorRate`, 0.01 unless set): one replica's capacity. `mode`, `concurrency`, `rate` and the
     * measured window are then the search's to choose.
     */
    capacity: CapacityOptions.optional(),
  })
  .strict();

export const BenchOptions = BenchOptionsFields.superRefine((o, ctx) => {
    if (o.model === undefined && o.path === undefined) {
      ctx.addIssue({ code: 'custom', path: ['model'], message: 'give the model to load its infer endpoint, or a path to load' });
    }
    if (o.model === undefined && o.batchSize !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['batchSize'], message: 'a batch size shapes payloads generated from a model: give the model' });
    }
    if (o.mode === 'open' && o.rate === undefined) {
      ctx.addIssue({ code: 'custom', path: ['rate'], message: 'open loop needs a rate (requests per second)' });
    }
    if (o.mode === 'closed' && o.sweep?.steps?.some((s) => !Number.isInteger(s))) {
      ctx.addIssue({ code: 'custom', path: ['sweep', 'steps'], message: 'closed-loop sweep steps are concurrencies: whole numbers' });
    }
    if (o.capacity) {
      if (o.sla.p99LatencyMs === undefined) {
        ctx.addIssue({ code: 'custom', path: ['sla', 'p99LatencyMs'], message: 'the capacity search looks for the highest rate within a p99 target: set one' });
      }
      if (o.sweep) ctx.addIssue({ code: 'custom', path: ['capacity'], message: 'a capacity search and a sweep exclude each other' });
      if (o.warmupSeconds > o.capacity.seconds / 2) {
        ctx.addIssue({ code: 'custom', path: ['warmupSeconds'], message: `warmup must leave at least half of the capacity budget (${o.capacity.seconds} s) to the search` });
      }
    }
  })
  .transform((o) => (o.durationSeconds === undefined && o.requests === undefined ? { ...o, durationSeconds: 10 } : o))
  // Errors must be judged for the search to tell a server that refuses load from one that serves it.
  .transform((o) => (o.capacity && o.sla.maxErrorRate === undefined ? { ...o, sla: { ...o.sla, maxErrorRate: MAX_ERROR_RATE } } : o));

export type BenchOptions = z.output<typeof BenchOptions>;
export type BenchOptionsInput = z.input<typeof BenchOptions>;

export class BenchOptionsError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'BenchOptionsError';
  }
}

/** Validates and defaults options; the error names each offending field and what was expected. */
export function parseBenchOptions(input: unknown): BenchOptions {
  const result = BenchOptions.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(options)'}: ${issue.message}`);
  throw new BenchOptionsError(`invalid benchmark options: ${problems.join('; ')}`, { cause: result.error });
}
