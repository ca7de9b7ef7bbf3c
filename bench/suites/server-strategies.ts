// `npm run bench:server`: every concurrency strategy of `vernier serve` under the same closed-loop load, side by side
// in one run, with health-check latency under that load and the in-process onnxruntime limit at the same batch size.
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { watchProcessTree } from '../process-usage.js';
import { builtinModelsDir } from '../../server/model-source.js';
import { startServeProcess } from '../../server/serve-process.js';
import { runBenchmark } from '../run-benchmark.js';
import { fixed, formatTable } from '../table.js';
import { inProcessLimit, type InProcessFigure } from './in-process.js';

const strategies = ['inline', 'shared', 'pool', 'batched'] as const;

interface Row {
  model: string;
  payload: string;
  strategy: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  healthP99: number | null;
  cpu: number | null;
  rss: number | null;
  limit: InProcessFigure;
}

function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Probes /v2/health/live every 10 ms until stopped; the latencies are what a kubelet's probe would see. */
function probeHealth(url: string): { stop(): Promise<number[]> } {
  const latencies: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running && latencies.length < 100_000) {
      const started = performance.now();
      try {
        await (await fetch(`${url}/v2/health/live`, { signal: AbortSignal.timeout(10_000) })).arrayBuffer();
        latencies.push(performance.now() - started);
      } catch {
        latencies.push(10_000);
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return latencies;
    },
  };
}

async function measureStrategy(model: string, strategy: string, payload: 'json' | 'binary', o: { concurrency: number; seconds: number; workers: number }): Promise<Omit<Row, 'limit'>> {
  const server = await startServeProcess(['--model', `builtin://${model}`, '--strategy', strategy, '--workers', String(o.workers)], 120_000);
  try {
    const usage = watchProcessTree(server.child.pid!);
    const health = probeHealth(server.url);
    const report = await runBenchmark({ url: server.url, model, concurrency: o.concurrency, durationSeconds: o.seconds, warmupSeconds: 1, payload, timeoutMs: 30_000 });
    const healthLatencies = await health.stop();
    const { cpuPercent, peakRssMiB } = usage.stop();
    return {
      model,
      payload,
      strategy,
      rps: report.throughputRps,
      p50: report.latency.p50Ms,
      p99: report.latency.p99Ms,
      errors: report.errorRate,
      healthP99: percentile(healthLatencies, 99),
      cpu: cpuPercent,
      rss: peakRssMiB,
    };
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '8' },
      concurrency: { type: 'string', default: '16' },
      models: { type: 'string', default: 'audio-cnn,mlp' },
      payloads: { type: 'string', default: 'json,binary' },
    },
  });
  const seconds = Number(values.seconds);
  const concurrency = Number(values.concurrency);
  const cores = availableParallelism();
  const workers = cores;
  const rows: Row[] = [];
  console.error(`bench:server · ${cores} cores · closed loop, concurrency ${concurrency}, ${seconds} s per run · pool/batched with ${workers} workers`);
  for (const model of values.models.split(',')) {
    const modelPath = path.join(builtinModelsDir(), `${model}.onnx`);
    const single = await inProcessLimit(modelPath, 1, cores, Math.max(2, seconds / 2));
    const batched = await inProcessLimit(modelPath, Math.min(concurrency, 32), cores, Math.max(2, seconds / 2));
    console.error(`  ${model}: in-process onnxruntime ${fixed(single.rowsPerSecond)} rows/s at batch 1, ${fixed(batched.rowsPerSecond)} rows/s at batch ${batched.batchSize}`);
    for (const payload of values.payloads.split(',') as ('json' | 'binary')[]) {
      for (const strategy of strategies) {
        const row = await measureStrategy(model, strategy, payload, { concurrency, seconds, workers });
        rows.push({ ...row, limit: strategy === 'batched' ? batched : single });
        console.error(`  ${model} ${payload} ${strategy}: ${fixed(row.rps)} req/s, p99 ${fixed(row.p99)} ms, health p99 ${fixed(row.healthP99)} ms`);
      }
    }
  }
  const header = ['model/payload/strategy', 'req/s', 'p50 ms', 'p99 ms', 'errors %', 'health p99 ms', 'CPU %', 'peak RSS MiB', 'in-process rows/s (batch×sessions)', 'server / in-process'];
  console.log(
    formatTable(
      header,
      rows.map((r) => [
        `${r.model} ${r.payload} ${r.strategy}`,
        fixed(r.rps),
        fixed(r.p50, 2),
        fixed(r.p99, 2),
        fixed(r.errors * 100, 2),
        fixed(r.healthP99, 2),
        fixed(r.cpu, 0),
        fixed(r.rss, 0),
        `${fixed(r.limit.rowsPerSecond)} (${r.limit.batchSize}×${r.limit.sessions})`,
        fixed(r.rps / r.limit.rowsPerSecond, 2),
      ]),
    ),
  );
  console.log('\nTargets: batched ≥ 0.85 × in-process on audio-cnn; health p99 ≤ 5 ms for shared, pool and batched under this load.');
}

main().catch((err) => {
  console.error(`bench:server: ${(err as Error).message}`);
  process.exitCode = 1;
});
