// `npm run bench:server`: every concurrency strategy of `vernier serve` under the same closed-loop loads, side by side
// in one run: throughput, latency, health-check latency under that load (on the HTTP port and on the probe port the
// operator's probes use), peak RSS, the HTTP thread's CPU per request, the in-process onnxruntime limit at the same
// batch size, and what the machine allows an HTTP server once receiving and the load generator are paid for (the HTTP
// floor, http-floor.ts). `--variants` adds configurations of one's own
// (`label=serve flags`), so alternatives are measured against the defaults in the same run; `--rounds N` measures
// each N times in rotated order (rounds.ts) and reports medians.
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { STEAL_WARNING_SHARE, watchSteal } from '../machine-ticks.js';
import { watchMainThread, watchProcessTree } from '../process-usage.js';
import { builtinModelsDir } from '../../server/model-source.js';
import { startServeProcess } from '../../server/serve-process.js';
import { runBenchmark } from '../run-benchmark.js';
import { fixed, formatTable } from '../table.js';
import { percentile, probeHealth } from './health-probe.js';
import { attainableRate, measureHttpFloor, type HttpFloor } from './http-floor.js';
import { inProcessLimit, type InProcessFigure } from './in-process.js';
import { comparePaired, median, rotated, type PairedComparison } from './rounds.js';
import { judgeStrategyGoals, type GoalInputRow } from './strategy-goals.js';

const strategies = ['inline', 'shared', 'pool', 'batched'] as const;

/** A server configuration to measure: a label and the serve flags that make it. */
interface Variant {
  label: string;
  batched: boolean;
  flags: string[];
}

/** `label=--strategy batched --workers 1` → a variant; a bare strategy name is that strategy with its defaults. */
function parseVariant(text: string): Variant {
  const at = text.indexOf('=');
  if (at < 0) {
    if (!(strategies as readonly string[]).includes(text)) throw new Error(`unknown strategy '${text}' (one of ${strategies.join(', ')}, or label=flags)`);
    return { label: text, batched: text === 'batched', flags: ['--strategy', text] };
  }
  const flags = text.slice(at + 1).trim().split(/\s+/);
  const strategy = flags[flags.indexOf('--strategy') + 1];
  if (!flags.includes('--strategy') || !(strategies as readonly string[]).includes(strategy)) throw new Error(`variant '${text}' names no --strategy`);
  return { label: text.slice(0, at).trim(), batched: strategy === 'batched', flags };
}

/** A variant at one load and payload; the figures the goals read are GoalInputRow's (strategy-goals.ts). */
interface Row extends Omit<GoalInputRow, 'limitRowsPerSecond'> {
  errors: number;
  /** /v2/health/live on the HTTP port: over every round's probes together (a run's ~10 a second make its own p99 its slowest probe or two). */
  healthP99: number | null;
  cpu: number | null;
  /** CPU of the server's HTTP (main) thread per request answered, in microseconds. */
  mainThreadMicros: number | null;
  /** Share of the machine's CPU time the hypervisor gave to other guests during the run (0–1). */
  steal: number;
  limit: InProcessFigure;
  /** Probes behind each port's health p99: every round's. */
  healthProbes: number;
  /** Lowest and highest req/s over the rounds (the figures are their medians; peak RSS their highest). */
  rpsRange: [number, number];
}

/** One run; healthP99 and probePortP99 are this run's own, for its progress line. */
type Measured = Omit<Row, 'limit' | 'rpsRange' | 'attainable' | 'healthProbes'> & { healthLatencies: number[]; probePortLatencies: number[] };

/** One variant's rounds as one row: medians, the highest peak RSS, the spread of req/s, health p99s over every probe. */
function acrossRounds(runs: readonly Measured[]): Omit<Row, 'limit' | 'attainable'> {
  const rps = runs.map((r) => r.rps);
  const { healthLatencies: _health, probePortLatencies: _probePort, ...first } = runs[0];
  const health = runs.flatMap((r) => r.healthLatencies);
  return {
    ...first,
    rps: median(rps)!,
    p50: median(runs.map((r) => r.p50))!,
    p99: median(runs.map((r) => r.p99))!,
    errors: median(runs.map((r) => r.errors))!,
    healthP99: percentile(health, 99),
    probePortP99: percentile(runs.flatMap((r) => r.probePortLatencies), 99),
    healthProbes: health.length,
    cpu: median(runs.map((r) => r.cpu)),
    rss: runs.some((r) => r.rss !== null) ? Math.max(...runs.map((r) => r.rss ?? 0)) : null,
    mainThreadMicros: median(runs.map((r) => r.mainThreadMicros)),
    steal: median(runs.map((r) => r.steal))!,
    rpsRange: [Math.min(...rps), Math.max(...rps)],
  };
}

/** The HTTP floor at one load and payload, and the rate it allows with the in-process limit. */
interface FloorRow {
  model: string;
  payload: string;
  concurrency: number;
  floor: HttpFloor;
  inProcess: InProcessFigure;
  attainable: number;
  /** Share of the machine's CPU time stolen while the floor ran. */
  steal: number;
}

/** The default strategy against another variant at one load and payload, paired round by round (only with --rounds > 1). */
interface PairedRow {
  model: string;
  payload: string;
  concurrency: number;
  other: string;
  rps: PairedComparison;
  p50: PairedComparison;
  p99: PairedComparison;
}

/** `batched` (the default) against every other variant, round by round; none when there is no `batched` or one round. */
function pairedWithDefault(cell: Pick<PairedRow, 'model' | 'payload' | 'concurrency'>, runs: Map<Variant, Measured[]>): PairedRow[] {
  const defaults = [...runs.keys()].find((v) => v.label === 'batched');
  if (!defaults || runs.get(defaults)!.length < 2) return [];
  const mine = runs.get(defaults)!;
  return [...runs].flatMap(([variant, theirs]) =>
    variant === defaults
      ? []
      : [
          {
            ...cell,
            other: variant.label,
            rps: comparePaired(mine.map((r) => r.rps), theirs.map((r) => r.rps), 'higher'),
            p50: comparePaired(mine.map((r) => r.p50), theirs.map((r) => r.p50), 'lower'),
            p99: comparePaired(mine.map((r) => r.p99), theirs.map((r) => r.p99), 'lower'),
          },
        ],
  );
}

const pairedCell = (c: PairedComparison): string => `${fixed(c.medianRatio, 2)} · ${c.wins}/${c.rounds} · p ${fixed(c.signTestP, 3)}`;

/** The model's metadata as the server answers it, for the trivial endpoint to serve (one short-lived server). */
async function modelMetadata(model: string): Promise<{ name: string }> {
  const server = await startServeProcess(['--model', `builtin://${model}`], 120_000);
  try {
    const res = await fetch(`${server.url}/v2/models/${model}`);
    if (!res.ok) throw new Error(`GET /v2/models/${model} answered ${res.status}`);
    return (await res.json()) as { name: string };
  } finally {
    await server.stop();
  }
}

async function measureVariant(model: string, variant: Variant, payload: 'json' | 'binary', o: { concurrency: number; seconds: number }): Promise<Measured> {
  const server = await startServeProcess(['--model', `builtin://${model}`, '--probe-port', '0', ...variant.flags], 120_000);
  try {
    const pid = server.child.pid!;
    const usage = watchProcessTree(pid);
    const mainThread = watchMainThread(pid);
    const health = probeHealth(server.url);
    const probePort = probeHealth(server.probeUrl!);
    let healthLatencies: Awaited<ReturnType<typeof health.stop>>;
    let probePortLatencies: Awaited<ReturnType<typeof health.stop>>;
    let report: Awaited<ReturnType<typeof runBenchmark>>;
    const steal = watchSteal();
    try {
      report = await runBenchmark({ url: server.url, model, concurrency: o.concurrency, durationSeconds: o.seconds, warmupSeconds: 1, payload, timeoutMs: 30_000 });
    } finally {
      [healthLatencies, probePortLatencies] = await Promise.all([health.stop(), probePort.stop()]);
    }
    // Warmup and measured requests both ran on the HTTP thread while it was watched.
    const mainThreadMicros = mainThread.stop(report.requests.total + report.requests.warmup.completed);
    const { cpuPercent, peakRssMiB } = usage.stop();
    return {
      model,
      payload,
      strategy: variant.label,
      concurrency: o.concurrency,
      rps: report.throughputRps,
      p50: report.latency.p50Ms,
      p99: report.latency.p99Ms,
      errors: report.errorRate,
      healthP99: healthLatencies.p99Ms,
      probePortP99: probePortLatencies.p99Ms,
      healthLatencies: healthLatencies.latencies,
      probePortLatencies: probePortLatencies.latencies,
      cpu: cpuPercent,
      rss: peakRssMiB,
      mainThreadMicros,
      steal: steal.stop(),
    };
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '8' },
      concurrency: { type: 'string', default: '1,20,64' },
      models: { type: 'string', default: 'audio-cnn,mlp' },
      payloads: { type: 'string', default: 'json,binary' },
      variants: { type: 'string', default: strategies.join(';') },
      rounds: { type: 'string', default: '1' },
    },
  });
  const seconds = Number(values.seconds);
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 20) throw new Error(`--rounds takes a whole number from 1 to 20, not '${values.rounds}'`);
  const loads = values.concurrency.split(',').map(Number);
  const variants = values.variants.split(';').map((v) => parseVariant(v.trim()));
  const cores = availableParallelism();
  const rows: Row[] = [];
  const floors: FloorRow[] = [];
  const paired: PairedRow[] = [];
  console.error(
    `bench:server · ${cores} cores · closed loop at ${loads.join(', ')} in flight, ${seconds} s per run · ${variants.map((v) => v.label).join(', ')}` +
      (rounds > 1 ? ` · ${rounds} rounds, variants in rotated order, medians` : ''),
  );
  for (const model of values.models.split(',')) {
    const modelPath = path.join(builtinModelsDir(), `${model}.onnx`);
    const inProcessSteal = watchSteal();
    const single = await inProcessLimit(modelPath, 1, cores, Math.max(2, seconds / 2));
    const batchedLimit = await inProcessLimit(modelPath, Math.min(Math.max(...loads), 32), cores, Math.max(2, seconds / 2));
    console.error(
      `  ${model}: in-process onnxruntime ${fixed(single.rowsPerSecond)} rows/s at batch 1, ${fixed(batchedLimit.rowsPerSecond)} rows/s at batch ${batchedLimit.batchSize} ` +
        `(steal ${fixed(inProcessSteal.stop() * 100, 0)} %)`,
    );
    const bestInProcess = batchedLimit.rowsPerSecond >= single.rowsPerSecond ? batchedLimit : single;
    const metadata = await modelMetadata(model);
    for (const payload of values.payloads.split(',') as ('json' | 'binary')[]) {
      for (const concurrency of loads) {
        const runs = new Map<Variant, Measured[]>(variants.map((v) => [v, []]));
        for (let round = 0; round < rounds; round++) {
          for (const variant of rotated(variants, round)) {
            const row = await measureVariant(model, variant, payload, { concurrency, seconds });
            runs.get(variant)!.push(row);
            console.error(
              `  ${model} ${payload} c=${concurrency} ${variant.label}${rounds > 1 ? ` (round ${round + 1})` : ''}: ${fixed(row.rps)} req/s, p50 ${fixed(row.p50, 2)} ms, p99 ${fixed(row.p99)} ms, ` +
                `health p99 ${fixed(row.healthP99)} ms (probe port ${fixed(row.probePortP99)} ms), RSS ${fixed(row.rss, 0)} MiB, HTTP thread ${fixed(row.mainThreadMicros, 0)} µs/request, steal ${fixed(row.steal * 100, 0)} %`,
            );
          }
        }
        paired.push(...pairedWithDefault({ model, payload, concurrency }, runs));
        const atThisLoad = variants.map((v) => ({ ...acrossRounds(runs.get(v)!), limit: v.batched ? batchedLimit : single }));
        // Paced like the fastest variant here: what receiving and generating cost per request depends on the rate.
        const paceRps = Math.max(...atThisLoad.map((r) => r.rps));
        if (paceRps <= 0) {
          console.error(`  ${model} ${payload} c=${concurrency} HTTP floor: skipped, no variant answered a request to pace it by`);
          rows.push(...atThisLoad.map((r) => ({ ...r, attainable: null })));
          continue;
        }
        const floorSteal = watchSteal();
        const floor = await measureHttpFloor({ metadata, payload, concurrency, paceRps, seconds });
        const steal = floorSteal.stop();
        const attainable = attainableRate(bestInProcess.rowsPerSecond, cores, floor);
        floors.push({ model, payload, concurrency, floor, inProcess: bestInProcess, attainable, steal });
        rows.push(...atThisLoad.map((r) => ({ ...r, attainable })));
        console.error(
          `  ${model} ${payload} c=${concurrency} HTTP floor: ${fixed(floor.rps)} req/s, endpoint ${fixed(floor.serverMicrosPerRequest, 0)} µs/request, ` +
            `generator and prober ${fixed(floor.benchProcessMicrosPerRequest, 0)} µs/request, health p99 ${fixed(floor.healthP99Ms)} ms, steal ${fixed(steal * 100, 0)} % → the machine allows ${fixed(attainable)} req/s`,
        );
      }
    }
  }
  const header = ['model / payload / variant', 'in flight', 'req/s', ...(rounds > 1 ? ['req/s min–max'] : []), 'p50 ms', 'p99 ms', 'errors %', 'health p99 ms', 'probe port p99 ms', 'CPU %', 'peak RSS MiB', 'HTTP thread µs/req', 'steal %', 'in-process rows/s (batch×sessions)', 'server / in-process', 'server / attainable'];
  console.log(
    formatTable(
      header,
      rows.map((r) => [
        `${r.model} ${r.payload} ${r.strategy}`,
        String(r.concurrency),
        fixed(r.rps),
        ...(rounds > 1 ? [`${fixed(r.rpsRange[0])}–${fixed(r.rpsRange[1])}`] : []),
        fixed(r.p50, 2),
        fixed(r.p99, 2),
        fixed(r.errors * 100, 2),
        fixed(r.healthP99, 2),
        fixed(r.probePortP99, 2),
        fixed(r.cpu, 0),
        fixed(r.rss, 0),
        fixed(r.mainThreadMicros, 0),
        fixed(r.steal * 100, 0),
        `${fixed(r.limit.rowsPerSecond)} (${r.limit.batchSize}×${r.limit.sessions})`,
        fixed(r.rps / r.limit.rowsPerSecond, 2),
        r.attainable === null ? '–' : fixed(r.rps / r.attainable, 2),
      ]),
    ),
  );
  const probes = rows.map((r) => r.healthProbes);
  if (probes.length > 0) {
    console.log(
      `\nHealth p99s: nearest rank over every probe of a cell, all rounds together (${Math.min(...probes)}–${Math.max(...probes)} per port a cell; ` +
        'with fewer than 100, a p99 is the slowest probe). The probe port is the one the operator points the kubelet at.',
    );
  }
  const steals = rows.map((r) => r.steal);
  if (steals.length > 0 && Math.max(...steals) > STEAL_WARNING_SHARE) {
    console.log(
      `\nThe hypervisor took ${fixed(Math.min(...steals) * 100, 0)}–${fixed(Math.max(...steals) * 100, 0)} % of this machine's CPU time during the runs ` +
        `(steal, from /proc/stat; rows are medians over rounds): the server, the generator and the floor ran on what was left, and ` +
        `two runs minutes apart did not get the same machine. Compare rows only where their steal is alike${paired.length > 0 ? ', or read the paired table below' : ' (--rounds N pairs them round by round)'}.`,
    );
  }
  if (paired.length > 0) {
    console.log(
      '\nbatched against each other variant, paired round by round (both ran in every round, minutes apart at most, so a host that ' +
        'drifts between rounds drifts out of each pair): the median over rounds of batched / other · the rounds batched did better · ' +
        'the sign test\'s p (the chance of a split at least this uneven if neither were better).\n',
    );
    console.log(
      formatTable(
        ['model / payload', 'in flight', 'against', 'req/s ratio · wins · p', 'p50 ratio · wins · p', 'p99 ratio · wins · p'],
        paired.map((r) => [`${r.model} ${r.payload}`, String(r.concurrency), r.other, pairedCell(r.rps), pairedCell(r.p50), pairedCell(r.p99)]),
      ),
    );
  }
  console.log(
    '\nWhat the machine allows: the trivial endpoint with the model\'s metadata, loaded by the same generator with the same payloads ' +
      'at the same concurrency, answering at the fastest variant\'s pace (receiving each body, no decoding, no inference), its ' +
      '/v2/health/live probed like the servers\' (a health check\'s latency on this machine under this load, with no inference running). ' +
      'attainable = cores / (cores / in-process rows/s + endpoint CPU + bench process CPU per request; the bench process is the load generator and the health prober, as beside the servers).\n',
  );
  console.log(
    formatTable(
      ['model / payload', 'in flight', 'floor req/s', 'endpoint µs/req', 'generator + prober µs/req', 'endpoint health p99 ms', 'steal %', 'in-process rows/s (batch×sessions)', 'attainable req/s', 'attainable / in-process'],
      floors.map((f) => [
        `${f.model} ${f.payload}`,
        String(f.concurrency),
        fixed(f.floor.rps),
        fixed(f.floor.serverMicrosPerRequest, 0),
        fixed(f.floor.benchProcessMicrosPerRequest, 0),
        fixed(f.floor.healthP99Ms, 2),
        fixed(f.steal * 100, 0),
        `${fixed(f.inProcess.rowsPerSecond)} (${f.inProcess.batchSize}×${f.inProcess.sessions})`,
        fixed(f.attainable),
        fixed(f.attainable / f.inProcess.rowsPerSecond, 2),
      ]),
    ),
  );
  const verdicts = judgeStrategyGoals(
    rows.map((r) => ({ ...r, limitRowsPerSecond: r.limit.rowsPerSecond })),
    floors.map((f) => ({ payload: f.payload, concurrency: f.concurrency, healthP99Ms: f.floor.healthP99Ms })),
    'audio-cnn',
  );
  if (verdicts.length > 0) {
    console.log('\nThe default strategy\'s goals (audio-cnn), judged on this run:\n');
    console.log(
      formatTable(
        ['goal', 'payload', 'measured', 'verdict', 'what this machine allows'],
        verdicts.map((v) => [v.goal, v.payload, v.measured, v.met === null ? '–' : v.met ? 'met' : 'missed', v.machine || '–']),
        5,
      ),
    );
  }
}

main().catch((err) => {
  console.error(`bench:server: ${(err as Error).message}`);
  process.exitCode = 1;
});
