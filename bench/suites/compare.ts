// `npm run bench:compare`: Vernier's strategies against a Python FastAPI + onnxruntime baseline and the in-process
// onnxruntime limit, on the same model files, with the same load generator, on this machine, in one interleaved run.
// all-MiniLM-L6-v2 (once `npm run models:fetch` has fetched it) is the text workload: see minilm-workload.ts.
// `--smoke` starts every contender once under a tiny load (mlp, JSON) and exits non-zero if one cannot start.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { packageRoot } from '../../contracts/package-root.js';
import { builtinModelsDir } from '../../server/model-source.js';
import { runBenchmark } from '../run-benchmark.js';
import { fixed, formatTable } from '../table.js';
import {
  capacityOf,
  consoleTable,
  describeVerdict,
  markdownTable,
  summarizeWorkload,
  summaryLines,
  tableHeader,
  tableRows,
  targetVerdicts,
  type ComparePoint,
  type InProcessLimit,
  type PayloadEncoding,
  type WorkloadSummary,
} from './compare-summary.js';
import { pythonContender, pythonTextContender, tokenizerFor, vernierContender, type ContenderSpec, type RunningContender, type VernierKnobs } from './contenders.js';
import { inProcessLimit } from './in-process.js';
import { rotated } from './rounds.js';
import { leastStolen, STEAL_WARNING_SHARE, watchSteal } from '../machine-ticks.js';
import { processTreeCpu, watchMainThread, watchProcessTree } from '../process-usage.js';
import { probeHealth } from './health-probe.js';
import {
  isTextWorkload,
  minilmConcurrencies,
  minilmModel,
  prepareTextWorkload,
  referenceHeader,
  referenceRows,
  textTargetVerdicts,
  type TextWorkload,
} from './minilm-workload.js';
import { textInProcessLimit } from './text-in-process.js';
import { ensurePythonEnv, type PythonEnv } from './python-baseline.js';
import { p99VsThroughputSvg } from './svg-plot.js';

export interface CompareSettings {
  smoke: boolean;
  models: string[];
  payloads: PayloadEncoding[];
  seconds: number;
  warmupSeconds: number;
  sweepSeconds: number;
  sweep: boolean;
  concurrencies: number[];
  openFractions: number[];
  inProcessBatchSizes: number[];
  /** Times a point (or a sweep candidate) is measured again while the hypervisor took more than STEAL_WARNING_SHARE of the CPU. */
  stealRetries: number;
  cores: number;
  outDir: string;
}

interface SweepTrial {
  model: string;
  contender: string;
  knobs: VernierKnobs;
  throughputRps: number;
  p99Ms: number;
  errorRate: number;
  chosen: boolean;
}

interface Failure {
  model: string;
  contender: string;
  what: string;
  message: string;
}

const log = (line: string) => console.error(line);
const repoRoot = packageRoot();
const requestTimeoutMs = 30_000;

/** Aborted on SIGINT/SIGTERM: the load stops and every server is stopped on the way out. */
const interrupt = new AbortController();

/** Rethrows when the run was interrupted, so a failure is not recorded as a finding and the run unwinds. */
function unlessInterrupted(err: unknown): void {
  if (interrupt.signal.aborted) throw err;
}

/** Every contender started by this process, so an interrupt stops them all. */
const running = new Set<RunningContender>();

async function startTracked(spec: ContenderSpec, model: { path: string; name: string }): Promise<RunningContender> {
  interrupt.signal.throwIfAborted();
  const contender = await spec.start(model, interrupt.signal);
  running.add(contender);
  if (interrupt.signal.aborted) {
    await stopTracked(contender);
    interrupt.signal.throwIfAborted();
  }
  return contender;
}

async function stopTracked(contender: RunningContender): Promise<void> {
  running.delete(contender);
  await contender.stop();
}

function stealRetriesOf(raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!(Number.isInteger(n) && n >= 0)) throw new Error(`--steal-retries is '${raw}', expected a whole number, 0 or more`);
  return n;
}

function stamp(date: Date): string {
  return date.toISOString().replace(/[:.]/g, '-').replace(/-\d{3}Z$/, 'Z');
}

export function parseSettings(argv: string[]): CompareSettings {
  const { values } = parseArgs({
    args: argv,
    options: {
      smoke: { type: 'boolean', default: false },
      seconds: { type: 'string' },
      warmup: { type: 'string' },
      'sweep-seconds': { type: 'string' },
      'no-sweep': { type: 'boolean', default: false },
      'steal-retries': { type: 'string' },
      models: { type: 'string' },
      payloads: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(
      [
        'usage: node dist/bench/suites/compare.js [--smoke] [--seconds 5] [--warmup 1] [--sweep-seconds 3] [--no-sweep] [--steal-retries 2]',
        `         [--models audio-cnn,mlp,${minilmModel}] [--payloads json,binary] [--out results/compare-<time>]`,
      ].join('\n'),
    );
    process.exit(0);
  }
  const smoke = values.smoke;
  const positive = (name: string, raw: string | undefined, fallback: number) => {
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!(Number.isFinite(n) && n > 0)) throw new Error(`--${name} is '${raw}', expected a positive number of seconds`);
    return n;
  };
  const payloads = (values.payloads ?? (smoke ? 'json' : 'json,binary')).split(',');
  for (const p of payloads) if (p !== 'json' && p !== 'binary') throw new Error(`--payloads: '${p}' is not json or binary`);
  const fetched = (m: string) => existsSync(path.join(builtinModelsDir(), `${m}.onnx`)) && existsSync(tokenizerFor(path.join(builtinModelsDir(), `${m}.onnx`)));
  const defaultModels = smoke ? 'mlp' : `audio-cnn,mlp${fetched(minilmModel) ? `,${minilmModel}` : ''}`;
  const models = (values.models ?? defaultModels).split(',').filter(Boolean);
  for (const m of models) {
    if (isTextWorkload(m) && !fetched(m)) throw new Error(`--models: ${m} is not in ${builtinModelsDir()} (run 'npm run models:fetch')`);
    if (!existsSync(path.join(builtinModelsDir(), `${m}.onnx`))) throw new Error(`--models: no ${m}.onnx in ${builtinModelsDir()} (run 'npm run models')`);
  }
  return {
    smoke,
    models,
    payloads: payloads as PayloadEncoding[],
    seconds: positive('seconds', values.seconds, smoke ? 1 : 5),
    warmupSeconds: values.warmup === undefined ? (smoke ? 0.5 : 1) : positive('warmup', values.warmup, 1),
    sweepSeconds: positive('sweep-seconds', values['sweep-seconds'], 3),
    sweep: !smoke && !values['no-sweep'],
    concurrencies: smoke ? [2] : [1, 20, 64],
    openFractions: smoke ? [] : [0.5, 0.9],
    inProcessBatchSizes: smoke ? [1] : [1, 8, 32],
    stealRetries: stealRetriesOf(values['steal-retries'], smoke ? 0 : 2),
    cores: availableParallelism(),
    outDir: values.out ?? path.join(repoRoot, 'results', `compare-${stamp(new Date())}`),
  };
}

async function measurePoint(
  spec: ContenderSpec,
  contender: RunningContender,
  o: {
    model: string;
    payload: PayloadEncoding;
    /** A fixed request body (the text workload's sentence) instead of one generated from the model's metadata. */
    payloadFile?: string;
    mode: 'closed' | 'open';
    concurrency?: number;
    rate?: number;
    capacityFraction?: number;
    seconds: number;
    warmupSeconds: number;
  },
): Promise<Omit<ComparePoint, 'runs'>> {
  interrupt.signal.throwIfAborted();
  const usage = watchProcessTree(contender.pid);
  const cpuBefore = processTreeCpu(contender.pid);
  const steal = watchSteal();
  // Vernier's HTTP thread is its process's main thread (tid = pid); Python's servers have no one such thread.
  const httpThread = spec.family === 'vernier' ? watchMainThread(contender.pid) : undefined;
  const health = probeHealth(contender.url);
  const probePort = contender.probeUrl ? probeHealth(contender.probeUrl) : undefined;
  const options = {
    url: contender.url,
    model: o.model,
    mode: o.mode,
    concurrency: o.concurrency ?? 1,
    rate: o.rate,
    maxInFlight: 512,
    durationSeconds: o.seconds,
    warmupSeconds: o.warmupSeconds,
    payload: o.payload,
    payloadFile: o.payloadFile,
    timeoutMs: requestTimeoutMs,
  };
  let healthP99Ms: number | null = null;
  let probePortP99Ms: number | null = null;
  let report: Awaited<ReturnType<typeof runBenchmark>>;
  try {
    report = await runBenchmark(options, { signal: interrupt.signal });
  } finally {
    ({ p99Ms: healthP99Ms } = await health.stop());
    probePortP99Ms = (await probePort?.stop())?.p99Ms ?? null;
  }
  const httpThreadMicrosPerRequest = httpThread?.stop(report.requests.total + report.requests.warmup.completed) ?? null;
  const { cpuPercent, peakRssMiB } = usage.stop();
  const cpuSplit = cpuSplitOf(cpuBefore, processTreeCpu(contender.pid));
  return {
    model: o.model,
    payload: o.payload,
    contender: spec.name,
    family: spec.family,
    mode: o.mode,
    concurrency: o.mode === 'closed' ? (o.concurrency ?? 1) : null,
    rate: o.rate ?? null,
    capacityFraction: o.capacityFraction ?? null,
    throughputRps: report.throughputRps,
    requests: report.requests.total,
    meanMs: report.latency.meanMs,
    minMs: report.latency.minMs,
    p50Ms: report.latency.p50Ms,
    p95Ms: report.latency.p95Ms,
    p99Ms: report.latency.p99Ms,
    maxMs: report.latency.maxMs,
    errorRate: report.errorRate,
    errors: report.errors,
    cpuPercent,
    peakRssMiB,
    cpuSplit,
    healthP99Ms,
    probePortP99Ms,
    httpThreadMicrosPerRequest,
    generatorHealthy: report.generator.healthy,
    steal: steal.stop(),
  };
}

/** What leastStolen calls before measuring `what` again. */
const sayMeasuredAgain =
  (what: string) =>
  (stolen: { steal: number }): void =>
    log(`  ${what}: the hypervisor took ${fixed(stolen.steal * 100, 0)} % of the CPU (over ${fixed(STEAL_WARNING_SHARE * 100, 0)} %): measured again`);

/** measurePoint again while the hypervisor took too much of the CPU (up to `retries` more times), keeping the least stolen. */
async function measureLeastStolen(what: string, retries: number, measureOnce: () => Promise<Omit<ComparePoint, 'runs'>>): Promise<ComparePoint> {
  const { result, runs } = await leastStolen(measureOnce, retries, sayMeasuredAgain(what));
  return { ...result, runs };
}

/** Each process's share of the CPU time between two readings, largest first, leaving out those under 2 %. */
function cpuSplitOf(before: Map<number, number>, after: Map<number, number>): number[] | null {
  const used = [...after].map(([pid, seconds]) => seconds - (before.get(pid) ?? 0));
  const total = used.reduce((a, b) => a + b, 0);
  if (total <= 0) return null;
  return used.map((u) => (u / total) * 100).filter((share) => share >= 2).sort((a, b) => b - a);
}

/** Knob candidates for the strategies that have knobs; the suite keeps the fastest at 20 in flight. */
function knobCandidates(cores: number): { strategy: 'pool' | 'batched'; knobs: VernierKnobs }[] {
  const workerCounts = [...new Set([Math.max(1, Math.floor(cores / 2)), cores, cores * 2])];
  return [
    ...workerCounts.map((workers) => ({ strategy: 'pool' as const, knobs: { workers } })),
    ...[...new Set([1, cores])].flatMap((workers) => [2, 5].map((maxQueueDelayMs) => ({ strategy: 'batched' as const, knobs: { workers, maxBatchSize: 32, maxQueueDelayMs } }))),
  ];
}

async function sweepKnobs(model: { path: string; name: string }, s: CompareSettings, trials: SweepTrial[], failures: Failure[], payloadFile?: string): Promise<Map<string, VernierKnobs>> {
  const chosen = new Map<string, VernierKnobs>();
  const defaults = new Map<string, VernierKnobs>([
    ['pool', { workers: s.cores }],
    ['batched', { workers: s.cores, maxBatchSize: 32, maxQueueDelayMs: 2 }],
  ]);
  if (!s.sweep) return defaults;
  const mine: SweepTrial[] = [];
  for (const candidate of knobCandidates(s.cores)) {
    const spec = vernierContender(candidate.strategy, candidate.knobs);
    try {
      const contender = await startTracked(spec, model);
      try {
        const what = `sweep ${model.name} ${spec.name} ${JSON.stringify(candidate.knobs)}`;
        const p = await measureLeastStolen(what, s.stealRetries, () =>
          measurePoint(spec, contender, { model: model.name, payload: 'json', payloadFile, mode: 'closed', concurrency: 20, seconds: s.sweepSeconds, warmupSeconds: 1 }),
        );
        mine.push({ model: model.name, contender: spec.name, knobs: candidate.knobs, throughputRps: p.throughputRps, p99Ms: p.p99Ms, errorRate: p.errorRate, chosen: false });
        log(`  ${what}: ${fixed(p.throughputRps)} req/s, p99 ${fixed(p.p99Ms, 1)} ms`);
      } finally {
        await stopTracked(contender);
      }
    } catch (err) {
      unlessInterrupted(err);
      failures.push({ model: model.name, contender: spec.name, what: `knob sweep ${JSON.stringify(candidate.knobs)}`, message: (err as Error).message });
    }
  }
  for (const strategy of ['pool', 'batched']) {
    const top = mine.filter((t) => t.contender === `vernier ${strategy}` && t.errorRate <= 0.01).sort((a, b) => b.throughputRps - a.throughputRps)[0];
    if (top) top.chosen = true;
    chosen.set(strategy, top?.knobs ?? defaults.get(strategy)!);
  }
  trials.push(...mine);
  return chosen;
}

async function measureInProcessLimit(model: { path: string; name: string }, s: CompareSettings, text?: TextWorkload): Promise<InProcessLimit> {
  let top: InProcessLimit | null = null;
  for (const batchSize of s.inProcessBatchSizes) {
    const seconds = Math.max(1, s.seconds / 2);
    const what = `in-process ${model.name} batch ${batchSize}`;
    // The limit every ratio divides by: measured under steal, it would flatter every server beside it.
    const { result: f } = await leastStolen(
      async () => {
        const steal = watchSteal();
        const limit = text ? await textInProcessLimit(model.path, text.ids, batchSize, s.cores, seconds) : await inProcessLimit(model.path, batchSize, s.cores, seconds);
        return { ...limit, steal: steal.stop() };
      },
      s.stealRetries,
      sayMeasuredAgain(what),
    );
    log(`  ${what}: ${fixed(f.rowsPerSecond)} rows/s (${f.sessions} session(s) × ${f.intraOpThreads} thread(s)), steal ${fixed(f.steal * 100, 0)} %`);
    if (!top || f.rowsPerSecond > top.rowsPerSecond) top = { model: model.name, batchSize, sessions: f.sessions, intraOpThreads: f.intraOpThreads, rowsPerSecond: f.rowsPerSecond, steal: f.steal };
  }
  return top!;
}

/** The loads one model is measured under. */
interface LoadPlan {
  concurrencies: number[];
  openFractions: number[];
  payloadFile?: string;
}

async function measureModel(
  model: { path: string; name: string },
  specs: ContenderSpec[],
  s: CompareSettings,
  plan: LoadPlan,
  points: ComparePoint[],
  failures: Failure[],
): Promise<void> {
  const started: { spec: ContenderSpec; contender: RunningContender }[] = [];
  try {
    for (const spec of specs) {
      try {
        started.push({ spec, contender: await startTracked(spec, model) });
      } catch (err) {
        unlessInterrupted(err);
        failures.push({ model: model.name, contender: spec.name, what: 'start', message: (err as Error).message });
        log(`  ${spec.name} could not start: ${(err as Error).message.split('\n')[0]}`);
      }
    }
    let round = 0;
    const measure = async (entry: (typeof started)[number], o: Omit<Parameters<typeof measurePoint>[2], 'model' | 'seconds' | 'warmupSeconds'>) => {
      try {
        const label = `${model.name} ${o.payload} ${entry.spec.name} ${o.mode === 'closed' ? `c=${o.concurrency}` : `${fixed(o.rate, 0)}/s`}`;
        const p = await measureLeastStolen(label, s.stealRetries, () =>
          measurePoint(entry.spec, entry.contender, { ...o, model: model.name, payloadFile: plan.payloadFile, seconds: s.seconds, warmupSeconds: s.warmupSeconds }),
        );
        points.push(p);
        log(`  ${label}: ${fixed(p.throughputRps)} req/s, p99 ${fixed(p.p99Ms, 2)} ms, errors ${fixed(p.errorRate * 100, 1)}%${p.errorRate > 0 ? ` ${JSON.stringify(p.errors)}` : ''}, steal ${fixed(p.steal * 100, 0)} %`);
      } catch (err) {
        unlessInterrupted(err);
        failures.push({ model: model.name, contender: entry.spec.name, what: `${o.payload} ${o.mode} ${o.concurrency ?? o.rate}`, message: (err as Error).message });
        log(`  ${model.name} ${o.payload} ${entry.spec.name}: failed: ${(err as Error).message.split('\n')[0]}`);
      }
    };
    for (const payload of s.payloads) {
      for (const concurrency of plan.concurrencies) {
        for (const entry of rotated(started, round++)) await measure(entry, { payload, mode: 'closed', concurrency });
      }
      for (const fraction of plan.openFractions) {
        for (const entry of rotated(started, round++)) {
          const capacity = capacityOf(points.filter((p) => p.model === model.name && p.payload === payload && p.contender === entry.spec.name));
          if (capacity <= 0) continue;
          await measure(entry, { payload, mode: 'open', rate: Math.max(1, Math.round(capacity * fraction * 10) / 10), capacityFraction: fraction });
        }
      }
    }
  } finally {
    for (const { contender } of started) await stopTracked(contender);
  }
}

/** The summary lines; the text workload's reference setting is c=10, so the c=20 line says nothing there. */
function linesOf(summary: WorkloadSummary): string[] {
  const lines = summaryLines(summary);
  return isTextWorkload(summary.model) ? lines.filter((l) => !l.startsWith('At closed c=20')) : lines;
}

/** How many points steal made the suite measure again, and how many stayed above the line even so. */
function stealRetryLine(points: ComparePoint[], retries: number): string {
  if (retries === 0) return '';
  const again = points.filter((p) => p.runs > 1).length;
  const above = points.filter((p) => p.steal > STEAL_WARNING_SHARE).length;
  return `; ${again} of ${points.length} points were measured again (up to ${retries} more times) for steal above ${fixed(STEAL_WARNING_SHARE * 100, 0)} % and kept their least stolen run, ${above} stayed above it`;
}

function machineDescription(cores: number): string {
  return `${cpus()[0]?.model ?? 'unknown CPU'}, ${cores} cores, ${fixed(totalmem() / 2 ** 30, 0)} GiB, Node ${process.version}`;
}

export async function runCompare(s: CompareSettings): Promise<{ exitCode: number; outDir: string }> {
  const startedAt = new Date();
  const loadBefore = loadavg();
  const runSteal = watchSteal();
  log(`bench:compare${s.smoke ? ' --smoke' : ''} · ${machineDescription(s.cores)} · load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`);
  log(`  ${s.seconds} s per point after ${s.warmupSeconds} s warmup; models ${s.models.join(', ')}; payloads ${s.payloads.join(', ')}`);
  let env: PythonEnv;
  try {
    env = await ensurePythonEnv(log);
  } catch (err) {
    throw new Error(`cannot set up the Python baseline: ${(err as Error).message}`, { cause: err });
  }
  const points: ComparePoint[] = [];
  const failures: Failure[] = [];
  const trials: SweepTrial[] = [];
  const limits: InProcessLimit[] = [];
  const contendersByModel: Record<string, { name: string; knobs: Record<string, number | string> }[]> = {};
  await mkdir(s.outDir, { recursive: true });
  for (const name of s.models) {
    const model = { path: path.join(builtinModelsDir(), `${name}.onnx`), name };
    log(`${name}:`);
    const text = isTextWorkload(name) ? await prepareTextWorkload(s.outDir) : undefined;
    if (text) log(`  one sentence per request: '${text.sentence}' (${text.ids.length} tokens)`);
    limits.push(await measureInProcessLimit(model, s, text));
    const knobs = await sweepKnobs(model, s, trials, failures, text?.payloadFile);
    const specs = [
      vernierContender('inline'),
      vernierContender('shared'),
      vernierContender('pool', knobs.get('pool')),
      vernierContender('batched', knobs.get('batched')),
      ...(['direct', 'executor'] as const).map((mode) => (text ? pythonTextContender(env, mode, s.cores) : pythonContender(env, mode, s.cores))),
    ];
    contendersByModel[name] = specs.map((c) => ({ name: c.name, knobs: c.knobs }));
    // The text workload is measured where the reference measured it (closed loop), to keep its run short.
    const plan: LoadPlan = text
      ? { concurrencies: s.smoke ? s.concurrencies : minilmConcurrencies, openFractions: [], payloadFile: text.payloadFile }
      : { concurrencies: s.concurrencies, openFractions: s.openFractions };
    await measureModel(model, specs, s, plan, points, failures);
  }
  const loadAfter = loadavg();

  const summaries: WorkloadSummary[] = [];
  for (const model of s.models) for (const payload of s.payloads) summaries.push(summarizeWorkload(model, payload, points, limits.find((l) => l.model === model) ?? null));
  const targets = [...(s.models.includes('audio-cnn') ? targetVerdicts(summaries) : []), ...textTargetVerdicts(summaries)];

  const machine = machineDescription(s.cores);
  const stolen = runSteal.stop();
  const loadLine =
    `load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')} at the start, ${loadAfter.map((l) => l.toFixed(2)).join(' ')} at the end; ` +
    `the hypervisor took ${fixed(stolen * 100, 1)} % of the CPU time (steal: what other guests got; the tables have it per point)` +
    stealRetryLine(points, s.stealRetries);
  const report = {
    version: 1,
    smoke: s.smoke,
    startedAt: startedAt.toISOString(),
    completedAt: new Date().toISOString(),
    machine: { description: machine, cores: s.cores, loadAverageStart: loadBefore, loadAverageEnd: loadAfter, steal: stolen, pythonEnv: env.dir },
    settings: s,
    contenders: contendersByModel,
    knobSweep: trials,
    inProcess: limits,
    points,
    summaries,
    targets,
    failures,
  };
  await writeFile(path.join(s.outDir, 'report.json'), JSON.stringify(report, null, 2) + '\n');

  const md: string[] = [`# Vernier vs Python vs in-process onnxruntime`, '', `Measured ${startedAt.toISOString()} on ${machine}; ${loadLine}.`, ''];
  md.push(`Closed loop at ${s.concurrencies.join(', ')} in flight; open loop at ${s.openFractions.map((f) => `${f * 100} %`).join(' and ') || 'no'} of each contender's capacity. ${s.seconds} s per point after ${s.warmupSeconds} s warmup. '*': the load generator reported strain.`, '');
  if (s.models.some(isTextWorkload)) md.push(`${minilmModel}: one sentence per request, closed loop at ${minilmConcurrencies.join(' and ')} in flight (the reference's 10, and 64).`, '');
  for (const summary of summaries) {
    const { model, payload } = summary;
    const names = (contendersByModel[model] ?? []).map((c) => c.name);
    const limit = limits.find((l) => l.model === model) ?? null;
    console.log(`\n${model} · ${payload}\n`);
    console.log(consoleTable(model, payload, points, names, limit));
    console.log('');
    for (const line of linesOf(summary)) console.log(`  ${line}`);
    md.push(`## ${model} · ${payload}`, '', markdownTable(tableHeader, tableRows(model, payload, points, names, limit)), '');
    if (isTextWorkload(model)) {
      const rows = referenceRows(model, payload, points, names, limit);
      console.log(`\n${model} · ${payload} in the reference's columns ('published': the reference's own figures, on its hardware)\n`);
      console.log(formatTable(referenceHeader, rows));
      md.push(`In the reference's columns ('published': the reference's own figures, on its hardware, for context):`, '', markdownTable(referenceHeader, rows), '');
    }
    for (const line of linesOf(summary)) md.push(`- ${line}`);
    md.push('');
    const series = names.map((name) => ({ name, points: points.filter((p) => p.model === model && p.payload === payload && p.contender === name) }));
    const svgName = `p99-vs-throughput-${model}-${payload}.svg`;
    await writeFile(path.join(s.outDir, svgName), p99VsThroughputSvg(`${model} · ${payload}: p99 against throughput`, series));
    md.push(`![p99 against throughput, ${model} ${payload}](${svgName})`, '');
  }
  md.push('## Knobs', '');
  for (const [model, list] of Object.entries(contendersByModel)) for (const c of list) md.push(`- ${model} · ${c.name}: ${JSON.stringify(c.knobs)}`);
  if (trials.length > 0) {
    md.push('', 'Knob sweep (closed loop, 20 in flight, JSON):', '');
    md.push(markdownTable(['model', 'contender', 'knobs', 'req/s', 'p99 ms', 'chosen'], trials.map((t) => [t.model, t.contender, JSON.stringify(t.knobs), fixed(t.throughputRps), fixed(t.p99Ms, 2), t.chosen ? 'yes' : ''])));
  }
  if (targets.length > 0) {
    md.push('', '## Targets', '');
    for (const v of targets) md.push(`- ${describeVerdict(v)}`);
  }
  if (failures.length > 0) {
    md.push('', '## Failures', '');
    for (const f of failures) md.push(`- ${f.model} · ${f.contender} · ${f.what}: ${f.message.split('\n')[0]}`);
  }
  await writeFile(path.join(s.outDir, 'tables.md'), md.join('\n') + '\n');

  if (trials.length > 0) {
    console.log('\nKnob sweep (closed loop, 20 in flight, JSON):\n');
    console.log(formatTable(['model / contender / knobs', 'req/s', 'p99 ms', 'chosen'], trials.map((t) => [`${t.model} ${t.contender} ${JSON.stringify(t.knobs)}`, fixed(t.throughputRps), fixed(t.p99Ms, 2), t.chosen ? 'yes' : ''])));
  }
  if (targets.length > 0) {
    console.log('\nTargets:');
    for (const v of targets) console.log(`  ${describeVerdict(v)}`);
  }
  for (const f of failures) console.error(`FAILED ${f.model} · ${f.contender} · ${f.what}: ${f.message}`);
  console.log(`\n${machine}; ${loadLine}.\nResults in ${s.outDir}`);

  // A contender that could not start fails the run; a missed target is a finding, not a failure.
  const notStarted = failures.filter((f) => f.what === 'start');
  const silent = s.smoke ? Object.values(contendersByModel).flat().filter((c) => !points.some((p) => p.contender === c.name && p.throughputRps > 0)) : [];
  return { exitCode: notStarted.length > 0 || silent.length > 0 ? 1 : 0, outDir: s.outDir };
}

async function main(): Promise<void> {
  const settings = parseSettings(process.argv.slice(2));
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupt.signal.aborted) {
      log(`bench:compare: ${signal} again: killing ${running.size} server(s)`);
      for (const c of running) process.kill(c.pid, 'SIGKILL');
      process.exit(130);
    }
    log(`bench:compare: ${signal}: stopping the load and ${running.size} server(s)`);
    interrupt.abort(new Error(`interrupted by ${signal}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const { exitCode } = await runCompare(settings);
    process.exitCode = exitCode;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  main().catch((err) => {
    console.error(`bench:compare: ${(err as Error).message}`);
    process.exitCode = interrupt.signal.aborted ? 130 : 1;
  });
}
