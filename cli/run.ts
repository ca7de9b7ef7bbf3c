// `vernier run FILE`: the operator's loop on one machine, no cluster — serve the manifest's model with its strategy,
// benchmark it with its settings, and print the status the operator would write.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { BenchReport, formatReportTable, toCompactReport } from '../bench/index.js';
import { fixed, formatTable } from '../bench/table.js';
import { benchFlags, ConditionType, MAX_ERROR_RATE, PROVIDER_TYPES, Reason, serveFlags, specHash, STRATEGIES, type InferenceService, type InferenceServiceSpec } from '../crds/index.js';
import { benchmarkedCondition, benchmarkStatus, slaCondition, type ConditionDraft } from '../operator/status/measurement.js';
import { startServeProcess, vernierBin } from '../server/serve-process.js';
import { readInferenceService } from './manifest.js';
import { watchProcessTree, type ProcessUsage } from './process-usage.js';

const usage = `usage: vernier run FILE.yaml [--fail-on-sla] [--compare] [--duration S] [--warmup S] [--provider TYPE] [--json OUT.json]

Serves the InferenceService's model locally with its concurrency strategy, runs its benchmark against it,
and prints the status block the operator would write, with the SLA verdict.

  --fail-on-sla   exit 3 when the SLA is missed
  --compare       run the benchmark once per strategy (${STRATEGIES.join(', ')}) and print one table
  --duration S    override spec.benchmark.durationSeconds
  --warmup S      override spec.benchmark.warmupSeconds
  --provider TYPE override spec.provider.type (${PROVIDER_TYPES.join(', ')}): --provider cpu measures an
                  nvidia-t4 manifest on this machine's CPU, where there is no GPU or no CUDA build of onnxruntime
  --json FILE     also write the status and the full benchmark report(s) as JSON`;

export const SLA_MISSED_EXIT_CODE = 3;

interface Measurement {
  spec: InferenceServiceSpec;
  report: BenchReport;
  server: ProcessUsage;
  url: string;
}

function withOverrides(spec: InferenceServiceSpec, duration?: string, warmup?: string): InferenceServiceSpec {
  const seconds = (flag: string, value: string, min: number) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${flag} must be a whole number of seconds ≥ ${min}, got '${value}'`);
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
    return await startServeProcess(serveFlags(spec), 120_000);
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

function runBench(flags: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [vernierBin, 'bench', ...flags, '--quiet'], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`the benchmark failed (vernier bench exited with ${code}); its message is above`))));
  });
}

/** Starts `vernier serve` for the spec, benchmarks it with `vernier bench`, stops the server. */
async function measure(spec: InferenceServiceSpec, workDir: string): Promise<Measurement> {
  const server = await startServer(spec);
  try {
    const watch = watchProcessTree(server.child.pid!);
    const reportFile = path.join(workDir, `report-${spec.concurrency.strategy}.json`);
    await runBench([...benchFlags(spec, server.url), '--json', reportFile]);
    const usage = watch.stop();
    const report = BenchReport.parse(JSON.parse(await readFile(reportFile, 'utf8')));
    return { spec, report, server: usage, url: server.url };
  } finally {
    const code = await server.stop();
    if (code !== 0) console.error(`vernier run: the server exited with ${code}:\n${server.output()}`);
  }
}

function stamp(drafts: ConditionDraft[], generation: number, now: string) {
  return drafts.map((d) => ({ ...d, observedGeneration: generation, lastTransitionTime: now }));
}

/** The status the operator would write after this measurement (one local replica stands in for the Deployment). */
export function localStatus(isvc: InferenceService, m: Measurement) {
  const compact = toCompactReport(m.report);
  const generation = isvc.metadata.generation ?? 1;
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const ready: ConditionDraft = {
    type: ConditionType.Ready,
    status: 'True',
    reason: Reason.DeploymentAvailable,
    message: `local server process ready at ${m.url} (vernier run starts one replica)`,
  };
  return {
    observedGeneration: generation,
    conditions: stamp([ready, benchmarkedCondition(compact), slaCondition(compact, m.spec, MAX_ERROR_RATE)], generation, now),
    endpoint: `${m.url}/v2/models/${m.spec.model.name}`,
    replicas: 1,
    readyReplicas: 1,
    benchmark: benchmarkStatus(compact, m.spec, specHash(m.spec)),
  };
}

function verdictLine(status: ReturnType<typeof localStatus>): string {
  const sla = status.conditions.find((c) => c.type === ConditionType.SLAMet)!;
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
  const workDir = await mkdtemp(path.join(tmpdir(), 'vernier-run-'));
  try {
    const results = [];
    for (const s of specs) {
      console.error(`vernier run: ${isvc.metadata.name}: serving ${s.model.uri} with strategy ${s.concurrency.strategy}, benchmarking for ${s.benchmark.warmupSeconds} + ${s.benchmark.durationSeconds} s`);
      const measurement = await measure(s, workDir);
      const status = localStatus(isvc, measurement);
      results.push({ measurement, status });
      if (!values.compare) console.log(formatReportTable(measurement.report));
    }
    if (values.compare) {
      const slaMet = (st: ReturnType<typeof localStatus>) => st.conditions.some((c) => c.type === ConditionType.SLAMet && c.status === 'True');
      console.log(formatComparison(results.map((r) => ({ measurement: r.measurement, slaMet: slaMet(r.status) }))));
    } else {
      console.log(`\n# status the operator would write for InferenceService ${isvc.metadata.name}\n${stringify({ status: results[0].status }, { lineWidth: 0 })}`);
      console.log(verdictLine(results[0].status));
    }
    if (values.json) {
      await writeFile(values.json, JSON.stringify(results.map((r) => ({ strategy: r.measurement.spec.concurrency.strategy, status: r.status, report: r.measurement.report })), null, 2));
    }
    const missed = results.some((r) => r.status.conditions.some((c) => c.type === ConditionType.SLAMet && c.status !== 'True'));
    return values['fail-on-sla'] && missed ? SLA_MISSED_EXIT_CODE : 0;
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}
