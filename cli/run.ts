// `vernier run FILE`: the operator's loop on one machine, no cluster — serve the manifest's model with its strategy,
// benchmark it with its settings, and print the status the operator would write.
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { V1Deployment } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { describeCapacity, formatReportTable, runBenchmark } from '../bench/index.js';
import { watchProcessTree, type ProcessUsage } from '../bench/process-usage.js';
import { fixed, formatTable } from '../bench/table.js';
import { BenchArgs, benchArgsFor, benchOptionsFromArgs, capacitySearchArgs, DEFAULT_CAPACITY_SECONDS, encodeServeArgs, serveOptionsFor, toCompactReport, type BenchReport } from '../contracts/index.js';
import { ConditionType, PROVIDER_TYPES, specHash, STRATEGIES, type InferenceService, type InferenceServiceSpec, type InferenceServiceStatus } from '../crds/index.js';
import { benchmarkOutcome } from '../operator/status/benchmark.js';
import { computeStatus } from '../operator/status/compute.js';
import { readyCondition } from '../operator/status/ready.js';
import { startServeProcess } from '../server/serve-process.js';
import { parseDuration } from '../contracts/options-codec.js';
import { readInferenceService } from './manifest.js';

const usage = `usage: vernier run FILE.yaml [--fail-on-sla] [--compare] [--capacity] [--duration S] [--warmup S] [--provider TYPE] [--json OUT.json]

Serves the InferenceService's model locally with its concurrency strategy, runs its benchmark against it,
and prints the status block the operator would write, with the SLA verdict.

  --fail-on-sla   exit 3 when the SLA is missed
  --compare       run the benchmark once per strategy (${STRATEGIES.join(', ')}) and print one table
  --capacity      then search for one replica's capacity: the highest open-loop rate the server serves within
                  the SLA's p99 (spec.benchmark.capacitySeconds, ${DEFAULT_CAPACITY_SECONDS} s by default)
  --duration S    override spec.benchmark.durationSeconds (30, 30s, 2m)
  --warmup S      override spec.benchmark.warmupSeconds (5, 5s)
  --provider TYPE override spec.provider.type (${PROVIDER_TYPES.join(', ')}): --provider cpu measures an
                  nvidia-t4 manifest on this machine's CPU, where there is no GPU or no CUDA build of onnxruntime
  --json FILE     also write the status and the full benchmark report(s) as JSON`;

export const SLA_MISSED_EXIT_CODE = 3;

export interface Measurement {
  spec: InferenceServiceSpec;
  report: BenchReport;
  server: ProcessUsage;
  url: string;
  /** The capacity search's report, with --capacity. */
  capacity?: BenchReport;
}

function withOverrides(spec: InferenceServiceSpec, duration?: string, warmup?: string): InferenceServiceSpec {
  const seconds = (flag: string, value: string, min: number) => {
    const n = parseDuration(value, 's');
    if (n === undefined || !Number.isInteger(n) || n < min) throw new Error(`--${flag} must be a whole number of seconds ≥ ${min} (e.g. 30, 30s, 2m), got '${value}'`);
    return n;
  };
  const benchmark = { ...spec.benchmark };
  if (duration !== undefined) benchmark.durationSeconds = seconds('duration', duration, 1);
  if (warmup !== undefined) benchmark.warmupSeconds = seconds('warmup', warmup, 0);
  return { ...spec, benchmark };
}

function withProvider(spec: InferenceServiceSpec, provider: string | undefined): InferenceServiceSpec {
  if (provider === undefined) return spec;
  if (!(PROVIDER_TYPES as readonly string[]).includes(provider)) {
    throw new Error(`--provider must be one of ${PROVIDER_TYPES.join(', ')}, got '${provider}'`);
  }
  return { ...spec, provider: { ...spec.provider, type: provider as InferenceServiceSpec['provider']['type'] } };
}

/** `vernier serve` for the spec; a GPU spec that cannot start here fails saying how to measure it on the CPU instead. */
async function startServer(spec: InferenceServiceSpec) {
  try {
    return await startServeProcess(encodeServeArgs(serveOptionsFor(spec)), 120_000);
  } catch (err) {
    if (spec.provider.type !== 'nvidia-t4') throw err;
    const said = ((err as Error).message.split('\n').filter((line) => line.trim() !== '').pop() ?? '').trim();
    throw new Error(
      `provider nvidia-t4 needs onnxruntime's CUDA execution provider, and vernier serve could not load it here ` +
        `(no NVIDIA GPU, or an onnxruntime-node installed without its CUDA libraries; the server said: ${said}). ` +
        `To measure the manifest on this machine's CPU instead, add --provider cpu.`,
      { cause: err },
    );
  }
}

/** The highest rate the local server serves within the SLA, searched with the benchmark's target, payload and SLA. */
async function searchCapacity(spec: InferenceServiceSpec, url: string): Promise<BenchReport> {
  const seconds = spec.benchmark.capacitySeconds;
  console.error(`vernier run: searching for the capacity of strategy ${spec.concurrency.strategy} for up to ${seconds} s`);
  return runBenchmark(benchOptionsFromArgs(BenchArgs.parse(capacitySearchArgs(benchArgsFor(spec, url), seconds))));
}

/** Starts `vernier serve` for the spec, benchmarks it in this process with the Job's own arguments, stops the server. */
async function measure(spec: InferenceServiceSpec, withCapacity: boolean): Promise<Measurement> {
  const server = await startServer(spec);
  try {
    const watch = watchProcessTree(server.child.pid!);
    const report = await runBenchmark(benchOptionsFromArgs(BenchArgs.parse(benchArgsFor(spec, server.url))));
    const serverUsage = watch.stop();
    const capacity = withCapacity ? await searchCapacity(spec, server.url) : undefined;
    return { spec, report, server: serverUsage, url: server.url, ...(capacity ? { capacity } : {}) };
  } finally {
    const code = await server.stop();
    if (code !== 0) console.error(`vernier run: the server exited with ${code}:\n${server.output()}`);
  }
}

/** The one local server process, described as the Deployment the operator would read. */
function localDeployment(generation: number): V1Deployment {
  return {
    metadata: { name: 'vernier run (local process)', generation },
    status: { observedGeneration: generation, replicas: 1, readyReplicas: 1, availableReplicas: 1, updatedReplicas: 1 },
  };
}

/** The status the operator would write after this measurement: its own pure functions, one local replica, the server's URL as endpoint. */
export function localStatus(isvc: InferenceService, m: Measurement, now = new Date()): InferenceServiceStatus {
  const generation = isvc.metadata.generation ?? 1;
  const deployment = localDeployment(generation);
  const hash = specHash(m.spec);
  const job = { state: 'succeeded' as const, jobName: 'vernier-run', report: toCompactReport(m.report) };
  const benchmark = benchmarkOutcome({ previous: undefined, spec: m.spec, hash, generation, ready: true, jobName: job.jobName, job });
  return computeStatus({ previous: undefined, generation, endpoint: m.url, deployment, ready: readyCondition(deployment, 1), benchmark, now });
}

function verdictLine(status: InferenceServiceStatus): string {
  const sla = status.conditions!.find((c) => c.type === ConditionType.SLAMet)!;
  return sla.status === 'True' ? `SLA met: ${sla.message}` : `SLA missed (${sla.reason}): ${sla.message}`;
}

export function formatComparison(rows: { measurement: Measurement; slaMet: boolean }[]): string {
  const header = ['strategy', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'errors', 'server CPU %', 'peak RSS MiB', 'SLA'];
  return formatTable(
    header,
    rows.map(({ measurement: m, slaMet }) => {
      const l = m.report.latency;
      return [
        m.spec.concurrency.strategy,
        fixed(m.report.throughputRps),
        fixed(l.p50Ms),
        fixed(l.p95Ms),
        fixed(l.p99Ms),
        fixed(l.maxMs),
        `${fixed(m.report.errorRate * 100, 2)} %`,
        fixed(m.server.cpuPercent, 0),
        fixed(m.server.peakRssMiB, 0),
        slaMet ? 'met' : 'missed',
      ];
    }),
  );
}

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'fail-on-sla': { type: 'boolean' },
      compare: { type: 'boolean' },
      capacity: { type: 'boolean' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      provider: { type: 'string' },
      json: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  if (positionals.length !== 1) {
    console.error(usage);
    return 2;
  }
  const isvc = await readInferenceService(positionals[0]);
  const spec = withProvider(withOverrides(isvc.spec, values.duration, values.warmup), values.provider);
  if (spec.provider.type !== isvc.spec.provider.type) {
    console.error(
      `vernier run: note: ${isvc.metadata.name} asks for provider ${isvc.spec.provider.type}; serving it on ${spec.provider.type} as --provider says, ` +
        `so the figures describe this machine, not a ${isvc.spec.provider.type} node.`,
    );
  }
  const specs = values.compare ? STRATEGIES.map((strategy) => ({ ...spec, concurrency: { ...spec.concurrency, strategy } })) : [spec];
  const results = [];
  for (const s of specs) {
    console.error(`vernier run: ${isvc.metadata.name}: serving ${s.model.uri} with strategy ${s.concurrency.strategy}, benchmarking for ${s.benchmark.warmupSeconds} + ${s.benchmark.durationSeconds} s`);
    const measurement = await measure(s, values.capacity ?? false);
    const status = localStatus(isvc, measurement);
    results.push({ measurement, status });
    if (!values.compare) console.log(formatReportTable(measurement.report));
  }
  if (values.compare) {
    const slaMet = (st: InferenceServiceStatus) => st.conditions!.some((c) => c.type === ConditionType.SLAMet && c.status === 'True');
    console.log(formatComparison(results.map((r) => ({ measurement: r.measurement, slaMet: slaMet(r.status) }))));
  } else {
    console.log(`\n# status the operator would write for InferenceService ${isvc.metadata.name}\n${stringify({ status: results[0].status }, { lineWidth: 0 })}`);
    console.log(verdictLine(results[0].status));
  }
  for (const { measurement: m } of results) {
    if (m.capacity?.sweep) console.log(`capacity${values.compare ? ` (${m.spec.concurrency.strategy})` : ''}: ${describeCapacity(m.capacity.sweep)}`);
  }
  if (values.json) {
    const entries = results.map(({ measurement: m, status }) => ({
      strategy: m.spec.concurrency.strategy,
      status,
      report: m.report,
      ...(m.capacity ? { capacity: m.capacity } : {}),
    }));
    await writeFile(values.json, JSON.stringify(entries, null, 2));
  }
  const missed = results.some((r) => r.status.conditions!.some((c) => c.type === ConditionType.SLAMet && c.status !== 'True'));
  return values['fail-on-sla'] && missed ? SLA_MISSED_EXIT_CODE : 0;
}
