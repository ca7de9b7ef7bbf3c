// How a spec becomes processes: the arguments of `vernier serve` and of `vernier bench`.
// The operator puts them in the Deployment and the Job; `vernier run` starts the same processes locally.
import type { InferenceServiceSpec } from './inferenceservice.js';

/** The port `vernier serve` listens on in a pod. */
export const SERVER_PORT = 8080;
/** Where the operator mounts a model volume (pvc:// claims, downloaded https:// models) in the server pod. */
export const MODEL_MOUNT_PATH = '/mnt/model';
/** The file name a downloaded https:// model is saved under, inside MODEL_MOUNT_PATH. */
export const DOWNLOADED_MODEL_FILE = 'model.onnx';
/** Failed requests beyond this fraction miss the SLA, whatever the latency: errors make latency figures meaningless. */
export const MAX_ERROR_RATE = 0.01;

/** The model reference the server loads: builtin:// as is; volumes at their mount path. */
export function serverModelRef(uri: string): string {
  if (uri.startsWith('builtin://')) return uri;
  if (uri.startsWith('pvc://')) {
    const path = uri.slice('pvc://'.length).split('/').slice(1).join('/');
    return `${MODEL_MOUNT_PATH}/${path}`;
  }
  return `${MODEL_MOUNT_PATH}/${DOWNLOADED_MODEL_FILE}`;
}

/** `vernier serve` flags for a spec (without --host/--port, which depend on where it runs). */
export function serveFlags(spec: InferenceServiceSpec): string[] {
  const c = spec.concurrency;
  const args = [
    '--model', serverModelRef(spec.model.uri),
    '--name', spec.model.name,
    '--strategy', c.strategy,
    '--workers', String(c.workers),
    '--max-batch-size', String(c.maxBatchSize),
    '--max-queue-delay-ms', String(c.maxQueueDelayMs),
    '--max-queue', String(c.maxQueue),
    '--execution-provider', spec.provider.type === 'nvidia-t4' ? 'cuda' : 'cpu',
  ];
  if (c.intraOpThreads !== undefined) args.push('--intra-op-threads', String(c.intraOpThreads));
  return args;
}

/** `vernier bench` flags that measure a spec's server at `url` against its SLA. */
/** How long the benchmark Job retries a server it cannot reach yet. */
export const BENCH_WAIT_FOR_SERVER_SECONDS = 60;

export function benchFlags(spec: InferenceServiceSpec, url: string): string[] {
  const b = spec.benchmark;
  const load = b.mode === 'open' ? ['--rate', String(b.rate)] : ['--concurrency', String(b.concurrency)];
  const args = [
    '--url', url,
    '--model', spec.model.name,
    ...load,
    '--duration', String(b.durationSeconds),
    '--warmup', String(b.warmupSeconds),
    '--payload', b.payload,
    '--timeout-ms', String(b.timeoutMs),
    // The Job starts once the Deployment is available, but the Service's endpoints may still be propagating.
    '--wait-for-server', String(BENCH_WAIT_FOR_SERVER_SECONDS),
    '--sla-p99-ms', String(spec.sla.p99LatencyMs),
    '--sla-max-error-rate', String(MAX_ERROR_RATE),
  ];
  if (spec.sla.minThroughputRps !== undefined && spec.sla.minThroughputRps > 0) args.push('--sla-min-rps', String(spec.sla.minThroughputRps));
  return args;
}
