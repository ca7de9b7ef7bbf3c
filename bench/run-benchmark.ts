// The programmatic API: validate options, build payloads (from the model's metadata unless a file gives them), check
// one request, start the load threads, run (sweep, or search for the capacity), report.
import { setTimeout as sleep } from 'node:timers/promises';
import { BenchTargetError, TargetClient, describeError, errorMessageOf } from './client.js';
import { buildReport } from './build-report.js';
import { usableCores } from './cpu-budget.js';
import { encodeRequest } from './http1-wire.js';
import { isLocalTarget } from './local-target.js';
import { LoadThreads } from './load-threads.js';
import { resolveInputShapes, type ModelMetadata } from './model-metadata.js';
import { parseBenchOptions, wordRange, type BenchOptions, type BenchOptionsInput } from '../contracts/bench-options.js';
import { buildPayloads, emptyPayloadSet, readPayloadFile, readRawPayloadFile, type PayloadSet } from './payload.js';
import { resolveTarget, type ResolvedTarget } from './target.js';
import type { BenchReport } from '../contracts/bench-report.js';
import { CAPACITY_SEARCH, runCapacitySearch } from './capacity-search.js';
import { runLoad, type BenchProgress, type LoadSpec } from './run-load.js';
import { fixedSteps, runSweep, sweepSteps } from './sweep.js';

export type { BenchProgress, StepProgress } from './run-load.js';

export interface BenchHooks {
  /** Called about once a second while load runs. */
  onProgress?: (progress: BenchProgress) => void;
  /** Aborting stops the load, closes connections and rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** What every load request carries: a payload from the model's metadata, the --payload-file, or no body at all. */
async function preparePayloads(options: BenchOptions, target: ResolvedTarget, metadata: () => Promise<ModelMetadata>): Promise<PayloadSet> {
  if (options.payloadFile) {
    // An infer request for a model's infer endpoint is checked (and re-encoded for binary); any other path gets the bytes as they are.
    const infer = options.model !== undefined && options.path === undefined;
    return infer || options.payload === 'binary' ? readPayloadFile(options.payloadFile, options.payload) : readRawPayloadFile(options.payloadFile);
  }
  if (target.metadataPath === null) return emptyPayloadSet();
  const meta = await metadata();
  try {
    const inputs = resolveInputShapes(meta, options.batchSize);
    return buildPayloads(inputs, { encoding: options.payload, seed: options.seed, variants: options.payloadVariants, sentenceWords: wordRange(options.textWords) });
  } catch (err) {
    throw new BenchTargetError(`cannot build payloads for model '${options.model}': ${(err as Error).message}`, { cause: err });
  }
}

/** The probe's answer as a BenchTargetError, or undefined when the run can go ahead. */
function probeProblem(client: TargetClient, target: ResolvedTarget, result: Awaited<ReturnType<TargetClient['probe']>>): BenchTargetError | undefined {
  if ('error' in result) {
    if (result.kind === 'timeout') return undefined; // a slow server is what the run should measure
    return new BenchTargetError(`cannot reach the server at ${client.baseUrl} (${target.method} ${client.requestUrl}): ${describeError(result.error)}`, {
      cause: result.error,
      transient: true,
    });
  }
  if (result.status >= 400 && result.status < 500) {
    return new BenchTargetError(
      `the server rejected the benchmark request: ${target.method} ${client.requestUrl} answered ${errorMessageOf(result.status, result.text)} ` +
        `(check --payload, --batch-size, --payload-file, --method or --header against the endpoint)`,
    );
  }
  return undefined;
}

/** Retries `attempt` while it fails transiently, for up to `waitSeconds` (0: one attempt). */
async function onceReachable<T>(attempt: () => Promise<T>, waitSeconds: number, signal?: AbortSignal): Promise<T> {
  const deadline = performance.now() + waitSeconds * 1000;
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      if (!(err instanceof BenchTargetError) || !err.transient || performance.now() >= deadline) {
        if (err instanceof BenchTargetError && n > 1) err.message += ` (still failing after ${n} attempts over ${waitSeconds} s)`;
        throw err;
      }
      await sleep(Math.min(500, Math.max(0, deadline - performance.now())), undefined, { signal });
    }
  }
}

function loadSpecOf(options: BenchOptions): LoadSpec {
  return {
    mode: options.mode,
    concurrency: options.concurrency,
    rate: options.rate,
    arrival: options.arrival,
    seed: options.seed,
    maxInFlight: options.maxInFlight,
    warmupSeconds: options.warmupSeconds,
    durationSeconds: options.durationSeconds,
    requests: options.requests,
  };
}

/** Connections one thread may open: one per request it can have in flight. */
function connectionsPerThread(options: BenchOptions, steps: number[] | null, threads: number): number {
  if (options.capacity || options.mode === 'open') return options.maxInFlight;
  return Math.ceil(Math.max(options.concurrency, ...(steps ?? [])) / threads);
}

/** Threads worth starting: as asked (default the usable cores), but no more than a closed loop has users. */
function threadCount(options: BenchOptions, steps: number[] | null): number {
  const wanted = options.threads ?? usableCores();
  if (options.capacity || options.mode === 'open') return wanted;
  return Math.max(1, Math.min(wanted, Math.max(options.concurrency, ...(steps ?? []))));
}

export async function runBenchmark(input: BenchOptionsInput, hooks: BenchHooks = {}): Promise<BenchReport> {
  const options = parseBenchOptions(input);
  const { signal } = hooks;
  signal?.throwIfAborted();
  const steps = options.sweep ? sweepSteps(options.mode, options.rate, options.sweep) : null;
  const target = resolveTarget(options);
  const client = new TargetClient(target, options.timeoutMs);
  const onAbort = (): void => void client.close();
  signal?.addEventListener('abort', onAbort, { once: true });
  let threads: LoadThreads | undefined;
  try {
    const wait = options.waitForServerSeconds;
    const payloads = await preparePayloads(options, target, () => onceReachable(() => client.fetchMetadata(), wait, signal));
    const first = payloads.variants[0] ?? null;
    await onceReachable(async () => {
      const problem = probeProblem(client, target, await client.probe(first));
      if (problem) throw problem;
    }, wait, signal);
    signal?.throwIfAborted();
    const count = threadCount(options, steps);
    const requests = (payloads.variants.length > 0 ? payloads.variants : [null]).map((p) =>
      encodeRequest({ method: target.method, path: target.path, host: target.host, headers: { ...p?.headers, ...target.headers }, body: p?.body ?? null }),
    );
    threads = new LoadThreads({
      origin: target.origin,
      requests,
      threads: count,
      maxConnectionsPerThread: connectionsPerThread(options, steps, count),
      timeoutMs: options.timeoutMs,
      noBody: target.method === 'HEAD',
    });
    const reportTarget: BenchReport['target'] = {
      url: options.url,
      model: options.model ?? '',
      request: { method: target.method, path: target.path },
      local: isLocalTarget(options.url),
      inputs: payloads.inputs,
      payload: { encoding: payloads.encoding, source: payloads.source, variants: payloads.variants.length, bytes: first?.body.length ?? 0 },
    };
    const loadThreads = threads;
    const runAt = async (spec: LoadSpec, step: BenchProgress['step']): Promise<BenchReport> => {
      const run = await runLoad(loadThreads, spec, hooks, step);
      signal?.throwIfAborted();
      return buildReport(options, reportTarget, spec, run);
    };
    const spec = loadSpecOf(options);
    if (options.capacity) return await runCapacitySearch(options.capacity.seconds, options.sla, spec, runAt);
    if (!steps) return await runAt(spec, null);
    const variable = options.mode === 'closed' ? 'concurrency' : 'rate';
    return await runSweep(options.mode, fixedSteps(steps), options.sla, ({ load }, index) => {
      const stepSpec = variable === 'concurrency' ? { ...spec, concurrency: load } : { ...spec, rate: load };
      return runAt(stepSpec, { kind: 'sweep', index, count: steps.length, load, variable });
    });
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await Promise.all([client.close(), threads?.close()]);
  }
}
