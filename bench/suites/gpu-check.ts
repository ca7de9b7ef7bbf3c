// `npm run gpu:check`, for a machine with an NVIDIA GPU and driver: serves audio-cnn with the CUDA and the CPU execution
// providers, checks that their outputs agree (max abs diff), and prints throughput and p99 side by side at batch sizes
// 1, 8, 32 and 128 (rows per request). About 2 minutes. Says what is missing, and exits 1, when it cannot run.
import { execFileSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { cudaProviderPath } from '../../server/engine/load-failure.js';
import { startServeProcess, type ServeProcess } from '../../server/serve-process.js';
import { ModelMetadata, resolveInputShapes } from '../model-metadata.js';
import { runBenchmark } from '../run-benchmark.js';
import { fixed, formatTable } from '../table.js';

const MODEL = 'audio-cnn';
const BATCH_SIZES = [1, 8, 32, 128];
/** Float32 results of the same graph on two providers differ by rounding (cuDNN picks other algorithms); more is a bug. */
const MAX_ABS_DIFF = 1e-3;

export interface GpuFacts {
  /** The driver version nvidia-smi reports, undefined when there is no nvidia-smi or it sees no GPU. */
  driverVersion: string | undefined;
  cudaProviderInstalled: boolean;
}

/** What stands between this machine and the check, one line each with what to do; empty when it can run. */
export function gpuCheckObstacles(facts: GpuFacts): string[] {
  const obstacles: string[] = [];
  if (facts.driverVersion === undefined) {
    obstacles.push('no NVIDIA GPU visible: nvidia-smi is missing or lists no GPU (needs an NVIDIA GPU and its driver, 580 or newer for CUDA 13)');
  } else if (Number.parseInt(facts.driverVersion, 10) < 580) {
    obstacles.push(`NVIDIA driver ${facts.driverVersion} is too old: CUDA 13 needs 580 or newer`);
  }
  if (!facts.cudaProviderInstalled) {
    obstacles.push(
      "onnxruntime's CUDA provider is not installed next to onnxruntime-node's core library; fetch it (and CUDA 13 / cuDNN 9) with:\n" +
        '    dir=$(bash image/fetch-cuda.sh) && cp "$dir"/ort/* node_modules/onnxruntime-node/bin/napi-v6/linux/x64/ && export LD_LIBRARY_PATH="$dir/cuda"',
    );
  }
  return obstacles;
}

function driverVersion(): string | undefined {
  try {
    const out = execFileSync('nvidia-smi', ['--query-gpu=driver_version,name', '--format=csv,noheader'], { encoding: 'utf8', timeout: 20_000 });
    const first = out.trim().split('\n')[0];
    return first ? first.split(',')[0].trim() : undefined;
  } catch {
    return undefined;
  }
}

const serve = (provider: 'cpu' | 'cuda') =>
  startServeProcess(['--model', `builtin://${MODEL}`, '--execution-provider', provider, '--strategy', 'batched', '--workers', '1', '--max-batch-size', '128'], 180_000);

/** One deterministic request of `rows` rows, as Open Inference Protocol JSON. */
async function fixedRequest(url: string, rows: number): Promise<unknown> {
  const metadata = ModelMetadata.parse(await (await fetch(`${url}/v2/models/${MODEL}`)).json());
  let seed = 1;
  const next = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  const inputs = resolveInputShapes(metadata, rows).map((input) => {
    const size = input.shape.reduce((a, b) => a * b, 1);
    return { name: input.name, datatype: input.datatype, shape: input.shape, data: Array.from({ length: size }, next) };
  });
  return { inputs };
}

async function outputs(url: string, body: unknown): Promise<Map<string, number[]>> {
  const res = await fetch(`${url}/v2/models/${MODEL}/infer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`inference failed: HTTP ${res.status} ${await res.text()}`);
  const reply = (await res.json()) as { outputs: Array<{ name: string; data: number[] }> };
  return new Map(reply.outputs.map((o) => [o.name, o.data.map(Number)]));
}

/** The largest absolute difference between the two providers' outputs, per output. */
export function maxAbsDiff(a: Map<string, number[]>, b: Map<string, number[]>): Map<string, number> {
  const diffs = new Map<string, number>();
  for (const [name, values] of a) {
    const other = b.get(name);
    if (!other || other.length !== values.length) throw new Error(`output ${name} differs in shape between the providers`);
    diffs.set(name, Math.max(...values.map((v, i) => Math.abs(v - other[i]))));
  }
  return diffs;
}

async function measure(server: ServeProcess, batchSize: number) {
  const report = await runBenchmark({ url: server.url, model: MODEL, concurrency: 8, durationSeconds: 8, warmupSeconds: 2, payload: 'binary', batchSize, timeoutMs: 30_000 });
  return { rps: report.throughputRps, rowsPerSecond: report.throughputRps * batchSize, p99: report.latency.p99Ms, errors: report.errorRate };
}

async function main(): Promise<number> {
  const obstacles = gpuCheckObstacles({ driverVersion: driverVersion(), cudaProviderInstalled: existsSync(cudaProviderPath()) });
  if (obstacles.length > 0) {
    console.error(`gpu:check cannot run here:\n${obstacles.map((o) => `  - ${o}`).join('\n')}`);
    return 1;
  }
  const started = performance.now();
  const gpu = await serve('cuda');
  const cpu = await serve('cpu').catch(async (err: unknown) => {
    await gpu.stop();
    throw err;
  });
  try {
    const body = await fixedRequest(cpu.url, 4);
    const diffs = maxAbsDiff(await outputs(cpu.url, body), await outputs(gpu.url, body));
    const worst = Math.max(...diffs.values());
    console.log(`outputs, CUDA vs CPU, 4 rows: ${[...diffs].map(([name, d]) => `${name} max abs diff ${d.toExponential(2)}`).join(', ')}`);
    const rows: string[][] = [];
    for (const batchSize of BATCH_SIZES) {
      const c = await measure(cpu, batchSize);
      const g = await measure(gpu, batchSize);
      rows.push([String(batchSize), fixed(c.rowsPerSecond, 0), fixed(c.p99, 2), fixed(g.rowsPerSecond, 0), fixed(g.p99, 2), fixed(g.rowsPerSecond / c.rowsPerSecond, 1)]);
    }
    console.log(formatTable(['batch', 'CPU rows/s', 'CPU p99 ms', 'GPU rows/s', 'GPU p99 ms', 'GPU/CPU'], rows));
    console.log(`gpu:check: ${((performance.now() - started) / 1000).toFixed(0)} s; closed loop, 8 in flight, 8 s per cell, batched strategy (1 worker)`);
    if (worst > MAX_ABS_DIFF) {
      console.error(`gpu:check: the CUDA provider's outputs differ from the CPU's by ${worst} (more than ${MAX_ABS_DIFF})`);
      return 1;
    }
    return 0;
  } finally {
    await Promise.all([gpu.stop(), cpu.stop()]);
  }
}

if (process.argv[1] && pathToFileURL(realpathSync(process.argv[1])).href === import.meta.url) {
  main().then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      console.error(`gpu:check: ${(err as Error).message}`);
      process.exitCode = 1;
    },
  );
}
