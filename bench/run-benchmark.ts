// The programmatic API: validate options, read the model's metadata, build payloads, check one request, run (sweep, or
// search for the capacity), report.
import { setTimeout as sleep } from 'node:timers/promises';
import { BenchTargetError, InferClient, describeError, errorMessageOf } from './client.js';
import { buildReport } from './build-report.js';
import { resolveInputShapes, type ModelMetadata } from './model-metadata.js';
import { parseBenchOptions, type BenchOptions, type BenchOptionsInput } from '../contracts/bench-options.js';
import { buildPayloads, readPayloadFile, type Payload, type PayloadSet } from './payload.js';
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

async function preparePayloads(options: BenchOptions, metadata: ModelMetadata): Promise<PayloadSet> {
  if (options.payloadFile) return readPayloadFile(options.payloadFile, options.payload);
  try {
    const inputs = resolveInputShapes(metadata, options.batchSize);
    return buildPayloads(inputs, { encoding: options.payload, seed: options.seed, variants: options.payloadVariants });
  } catch (err) {
    throw new BenchTargetError(`cannot build payloads for model '${options.model}': ${(err as Error).message}`, { cause: err });
  }
}

/** One request before the run, so a payload the server rejects fails fast with the server's own message. */
async function preflight(client: InferClient, payload: Payload): Promise<void> {
  const result = await client.probe(payload);
  if ('error' in result) {
    if (result.kind === 'timeout') return; // a slow server is what the run should measure
    throw new BenchTargetError(`cannot reach the inference server at ${client.baseUrl} (POST ${client.inferUrl}): ${describeError(result.error)}`, {
      cause: result.error,
    });
  }
  if (result.status >= 400 && result.status < 500) {
    throw new BenchTargetError(
      `the server rejected the benchmark payload: POST ${client.inferUrl} answered ${errorMessageOf(result.status, result.text)} ` +
        `(check --payload, --batch-size or --payload-file against the model's inputs)`,
    );
  }
}

/** GET the model's metadata, retrying transient failures for up to `waitSeconds` (0: one attempt). */
async function metadataOnceReachable(client: InferClient, waitSeconds: number, signal?: AbortSignal): Promise<ModelMetadata> {
  const deadline = performance.now() + waitSeconds * 1000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await client.fetchMetadata();
    } catch (err) {
      if (!(err instanceof BenchTargetError) || !err.transient || performance.now() >= deadline) {
        if (err instanceof BenchTargetError && attempt > 1) err.message += ` (still failing after ${attempt} attempts over ${waitSeconds} s)`;
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

/** Connections the pool may open: one per request that can be in flight. */
function connectionsFor(options: BenchOptions, steps: number[] | null): number {
  if (options.capacity) return Math.max(options.maxInFlight, CAPACITY_SEARCH.probeConcurrency);
  if (options.mode === 'open') return options.maxInFlight;
  return Math.max(options.concurrency, ...(steps ?? []));
}

export async function runBenchmark(input: BenchOptionsInput, hooks: BenchHooks = {}): Promise<BenchReport> {
  const options = parseBenchOptions(input);
  const { signal } = hooks;
  signal?.throwIfAborted();
  const steps = options.sweep ? sweepSteps(options.mode, options.rate, options.sweep) : null;
  const client = new InferClient(options.url, options.model, { connections: connectionsFor(options, steps), timeoutMs: options.timeoutMs });
  const onAbort = (): void => void client.close();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const metadata = await metadataOnceReachable(client, options.waitForServerSeconds, signal);
    const payloads = await preparePayloads(options, metadata);
    await preflight(client, payloads.variants[0]);
    signal?.throwIfAborted();
    const target: BenchReport['target'] = {
      url: options.url,
      model: options.model,
      inputs: payloads.inputs,
      payload: { encoding: payloads.encoding, source: payloads.source, variants: payloads.variants.length, bytes: payloads.variants[0].body.length },
    };
    const runAt = async (spec: LoadSpec, step: BenchProgress['step']): Promise<BenchReport> => {
      const run = await runLoad(client, payloads.variants, spec, hooks, step);
      signal?.throwIfAborted();
      return buildReport(options, target, spec, run);
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
    await client.close();
  }
}
