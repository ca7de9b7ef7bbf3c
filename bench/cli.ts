// `vernier bench`: flags → BenchOptions → runBenchmark → table on stdout, JSON file, termination message, exit code.
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { terminationMessageLimitBytes, toCompactFailure, toCompactReport } from './compact-report.js';
import { formatReportTable } from './format.js';
import { BenchOptions, type BenchOptionsInput } from './options.js';
import type { BenchReport } from './report.js';
import { runBenchmark, type BenchProgress } from './run-benchmark.js';

export const exitCodes = { ok: 0, error: 1, usage: 2, slaMissed: 3 } as const;

const help = `usage: vernier bench --url URL --model NAME [options]

Load-tests an Open Inference Protocol v2 model endpoint (POST {url}/v2/models/{name}/infer).

load (closed loop unless --rate is given):
  --concurrency N        closed loop: N requests always in flight (default 8)
  --rate R               open loop: R requests per second, latency counted from each intended send time
  --arrival KIND         open loop arrivals: constant | poisson (default constant)
  --max-in-flight N      open loop: sends beyond N outstanding requests are dropped and reported (default 1024)
  --duration SECONDS     measured time (default 10 unless --requests is given)
  --requests N           measured requests (with --duration too, whichever ends first)
  --warmup SECONDS       load before the measured window, excluded from the figures (default 0)
  --timeout-ms MS        a request with no complete response within MS is a 'timeout' error (default 10000)
  --wait-for-server S    retry an unreachable or not-yet-ready server for up to S seconds before failing (default 0)

payload (built from GET /v2/models/{name} unless --payload-file is given):
  --payload FORMAT       json | binary (binary tensor extension) (default json)
  --payload-file PATH    a JSON infer request body to send instead of generated data
  --batch-size N         first dimension of every input (it must be dynamic, -1); other dynamic dims are 1
  --seed N               seed of the generated data and of poisson arrivals (default 1)

SLA and capacity:
  --sla-p99-ms MS        target: p99 latency of successful requests at or below MS
  --sla-min-rps R        target: at least R successful requests per second
  --sla-max-error-rate F target: failed / all requests at or below F (0..1)
  --sweep                raise concurrency 1, 2, 4, … (or the rate r, 2r, 4r, …) until the SLA breaks or errors appear;
                         reports the best passing step (the replica's capacity)
  --sweep-steps A,B,C    the loads to try instead
  --sweep-max-steps N    number of generated steps (default 10)

output:
  --json FILE            write the full report (JSON)
  --termination-log PATH write the compact report (at most ${terminationMessageLimitBytes} bytes), e.g. /dev/termination-log
  --fail-on-sla          exit ${exitCodes.slaMissed} when the SLA is missed
  --quiet                no progress lines on stderr
  -h, --help             this help

exit codes: 0 done · ${exitCodes.error} the benchmark could not run · ${exitCodes.usage} bad flags · ${exitCodes.slaMissed} SLA missed (with --fail-on-sla)`;

const flagOfField: Record<string, string> = {
  url: '--url',
  model: '--model',
  concurrency: '--concurrency',
  rate: '--rate',
  arrival: '--arrival',
  durationSeconds: '--duration',
  requests: '--requests',
  warmupSeconds: '--warmup',
  timeoutMs: '--timeout-ms',
  waitForServerSeconds: '--wait-for-server',
  maxInFlight: '--max-in-flight',
  payload: '--payload',
  payloadFile: '--payload-file',
  batchSize: '--batch-size',
  seed: '--seed',
  'sla.p99LatencyMs': '--sla-p99-ms',
  'sla.minThroughputRps': '--sla-min-rps',
  'sla.maxErrorRate': '--sla-max-error-rate',
  'sweep.steps': '--sweep-steps',
  'sweep.maxSteps': '--sweep-max-steps',
};

class UsageError extends Error {}

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

function numberFlag(values: Record<string, unknown>, flag: string): number | undefined {
  const raw = values[flag];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw === '' || !Number.isFinite(n)) throw new UsageError(`--${flag}: expected a number, got '${String(raw)}'`);
  return n;
}

function optionsFromArgv(argv: string[]): { input: BenchOptionsInput; output: { json?: string; terminationLog?: string; failOnSla: boolean; quiet: boolean } } | 'help' {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      url: { type: 'string' },
      model: { type: 'string' },
      concurrency: { type: 'string' },
      rate: { type: 'string' },
      arrival: { type: 'string' },
      'max-in-flight': { type: 'string' },
      duration: { type: 'string' },
      requests: { type: 'string' },
      warmup: { type: 'string' },
      'timeout-ms': { type: 'string' },
      'wait-for-server': { type: 'string' },
      payload: { type: 'string' },
      'payload-file': { type: 'string' },
      'batch-size': { type: 'string' },
      seed: { type: 'string' },
      'sla-p99-ms': { type: 'string' },
      'sla-min-rps': { type: 'string' },
      'sla-max-error-rate': { type: 'string' },
      sweep: { type: 'boolean' },
      'sweep-steps': { type: 'string' },
      'sweep-max-steps': { type: 'string' },
      json: { type: 'string' },
      'termination-log': { type: 'string' },
      'fail-on-sla': { type: 'boolean' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  if (values.url === undefined) throw new UsageError('--url is required (e.g. --url http://127.0.0.1:8080)');
  if (values.model === undefined) throw new UsageError('--model is required (the name served at /v2/models/{name})');
  if (values.rate !== undefined && values.concurrency !== undefined) {
    throw new UsageError('--concurrency (closed loop) and --rate (open loop) exclude each other');
  }
  const open = values.rate !== undefined;
  if (!open && (values.arrival !== undefined || values['max-in-flight'] !== undefined)) {
    throw new UsageError('--arrival and --max-in-flight apply to the open loop: give --rate too');
  }
  if ((values['sweep-steps'] !== undefined || values['sweep-max-steps'] !== undefined) && !values.sweep) {
    throw new UsageError('--sweep-steps and --sweep-max-steps need --sweep');
  }
  const steps = values['sweep-steps']?.split(',').map((s) => {
    const n = Number(s.trim());
    if (s.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--sweep-steps: expected numbers separated by commas, got '${values['sweep-steps']}'`);
    return n;
  });
  const input: BenchOptionsInput = {
    url: values.url,
    model: values.model,
    mode: open ? 'open' : 'closed',
    concurrency: numberFlag(values, 'concurrency'),
    rate: numberFlag(values, 'rate'),
    arrival: values.arrival as BenchOptionsInput['arrival'],
    maxInFlight: numberFlag(values, 'max-in-flight'),
    durationSeconds: numberFlag(values, 'duration'),
    requests: numberFlag(values, 'requests'),
    warmupSeconds: numberFlag(values, 'warmup'),
    timeoutMs: numberFlag(values, 'timeout-ms'),
    waitForServerSeconds: numberFlag(values, 'wait-for-server'),
    payload: values.payload as BenchOptionsInput['payload'],
    payloadFile: values['payload-file'],
    batchSize: numberFlag(values, 'batch-size'),
    seed: numberFlag(values, 'seed'),
    sla: { p99LatencyMs: numberFlag(values, 'sla-p99-ms'), minThroughputRps: numberFlag(values, 'sla-min-rps'), maxErrorRate: numberFlag(values, 'sla-max-error-rate') },
    sweep: values.sweep ? { steps, maxSteps: numberFlag(values, 'sweep-max-steps') } : undefined,
  };
  const checked = BenchOptions.safeParse(input);
  if (!checked.success) {
    const problems = checked.error.issues.map((i) => `${flagOfField[i.path.join('.')] ?? i.path.join('.')}: ${i.message}`);
    throw new UsageError(problems.join('\n'));
  }
  return {
    input,
    output: { json: values.json, terminationLog: values['termination-log'], failOnSla: values['fail-on-sla'] ?? false, quiet: values.quiet ?? false },
  };
}

export function formatProgress(p: BenchProgress): string {
  const step = p.step ? `step ${p.step.index + 1}/${p.step.count} load ${p.step.load} · ` : '';
  const last = p.lastSecond;
  const second = last && p.phase !== 'warmup' ? ` · last second ${last.requests} req, p99 ${last.p99Ms ?? '-'} ms` : '';
  return `${step}[${p.elapsedSeconds.toFixed(1).padStart(6)} s] ${p.phase} · ${p.completed} done · ${p.errors} errors · ${p.inFlight} in flight${second}`;
}

async function writeOutputs(report: BenchReport, output: { json?: string; terminationLog?: string }): Promise<void> {
  if (output.json) await writeFile(output.json, `${JSON.stringify(report, null, 2)}\n`);
  if (output.terminationLog) await writeFile(output.terminationLog, JSON.stringify(toCompactReport(report)));
}

export async function main(argv: string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  let parsed: ReturnType<typeof optionsFromArgv>;
  try {
    parsed = optionsFromArgv(argv);
  } catch (err) {
    if (!(err instanceof UsageError) && (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') !== true) throw err;
    io.stderr.write(`vernier bench: ${(err as Error).message}\n(see vernier bench --help)\n`);
    return exitCodes.usage;
  }
  if (parsed === 'help') {
    io.stdout.write(`${help}\n`);
    return exitCodes.ok;
  }
  const { input, output } = parsed;
  let report: BenchReport;
  try {
    report = await runBenchmark(input, { onProgress: output.quiet ? undefined : (p) => io.stderr.write(`${formatProgress(p)}\n`) });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    io.stderr.write(`vernier bench: ${message}\n`);
    if (output.terminationLog) {
      await writeFile(output.terminationLog, JSON.stringify(toCompactFailure(message))).catch((writeErr: Error) => {
        io.stderr.write(`vernier bench: cannot write the termination log: ${writeErr.message}\n`);
      });
    }
    return exitCodes.error;
  }
  io.stdout.write(`${formatReportTable(report)}\n`);
  try {
    await writeOutputs(report, output);
  } catch (err) {
    io.stderr.write(`vernier bench: cannot write the report: ${(err as Error).message}\n`);
    return exitCodes.error;
  }
  if (output.failOnSla && report.sla && !report.sla.met) return exitCodes.slaMissed;
  return exitCodes.ok;
}
