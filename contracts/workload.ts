// How a spec becomes processes: the arguments of `vernier serve` and of `vernier bench`.
// The operator puts them in the Deployment and the Job; `vernier run` starts the same processes locally.
import { benchmarkLoad, type InferenceServiceSpec } from '../crds/index.js';
import { BenchArgs, benchCommandLine, type BenchArgsInput } from './bench-args.js';
import { encodeArgs } from './options-codec.js';
import { ServeOptions, type ServeOptionsInput } from './serve-options.js';
import { slaTargetsFor } from './sla.js';

/** The port `vernier serve` listens on in a pod. */
export const SERVER_PORT = 8080;
/** The port of `vernier serve --probe-port` in a pod: the kubelet's probes, answered off the HTTP thread. */
export const PROBE_PORT = 8081;
/** Where the operator mounts a model volume (pvc:// claims, downloaded https:// models) in the server pod. */
export const MODEL_MOUNT_PATH = '/mnt/model';
/** The file name a downloaded https:// model is saved under, inside MODEL_MOUNT_PATH. */
export const DOWNLOADED_MODEL_FILE = 'model.onnx';

/** The model reference the server loads: builtin:// as is; volumes at their mount path. */
export function serverModelRef(uri: string): string {
  if (uri.startsWith('builtin://')) return uri;
  if (uri.startsWith('pvc://')) {
    const path = uri.slice('pvc://'.length).split('/').slice(1).join('/');
    return `${MODEL_MOUNT_PATH}/${path}`;
  }
  return `${MODEL_MOUNT_PATH}/${DOWNLOADED_MODEL_FILE}`;
}

/** `vernier serve`'s options for a spec (without host and port, which depend on where it runs). */
export function serveOptionsFor(spec: InferenceServiceSpec): ServeOptionsInput {
  const c = spec.concurrency;
  return {
    model: serverModelRef(spec.model.uri),
    name: spec.model.name,
    strategy: c.strategy,
    workers: c.workers,
    maxBatchSize: c.maxBatchSize,
    maxQueueDelayMs: c.maxQueueDelayMs,
    maxQueue: c.maxQueue,
    executionProvider: spec.provider.type === 'nvidia-t4' ? 'cuda' : 'cpu',
    intraOpThreads: c.intraOpThreads,
    maxTokens: spec.model.maxTokens,
  };
}

export function encodeServeArgs(options: ServeOptionsInput): string[] {
  return encodeArgs(ServeOptions, options);
}

/** How long the benchmark Job retries a server it cannot reach yet. */
export const BENCH_WAIT_FOR_SERVER_SECONDS = 60;

/** `vernier bench`'s arguments that measure a spec's server at `url` against its SLA. */
export function benchArgsFor(spec: InferenceServiceSpec, url: string): BenchArgsInput {
  const b = spec.benchmark;
  const sla = slaTargetsFor(spec);
  const load = benchmarkLoad(spec);
  return {
    url,
    model: spec.model.name,
    ...(load.mode === 'open' ? { rate: load.rate } : { concurrency: load.concurrency }),
    duration: b.durationSeconds,
    warmup: b.warmupSeconds,
    payload: b.payload,
    timeoutMs: b.timeoutMs,
    // The Job starts once the Deployment is available, but the Service's endpoints may still be propagating.
    waitForServer: BENCH_WAIT_FOR_SERVER_SECONDS,
    slaP99Ms: sla.p99LatencyMs,
    slaMaxErrorRate: sla.maxErrorRate,
    slaMinRps: sla.minThroughputRps,
  };
}

export function encodeBenchArgs(args: BenchArgsInput): string[] {
  return encodeArgs(BenchArgs, args, benchCommandLine.docs);
}
