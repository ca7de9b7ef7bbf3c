// `vernier bench`'s command line: one flat field per flag, built from the BenchOptions fields so that bounds and
// messages are the same whether a benchmark is started by flags (the operator's Job) or in-process (`vernier run`).
import { z } from 'zod';
import { BenchOptionsFields, CapacityOptions, DEFAULT_CAPACITY_SECONDS, HEADER_NAME, MAX_THREADS, SlaTargets, SweepOptions, type BenchOptionsInput } from './bench-options.js';
import { terminationMessageLimitBytes } from './compact-report.js';
import type { CommandLine } from './options-codec.js';

/** Exit codes of `vernier bench`. */
export const BENCH_EXIT_CODES = { ok: 0, error: 1, usage: 2, slaMissed: 3 } as const;

// Fields with a default lose it here (`unwrap().optional()`): BenchOptions applies it, and an absent flag stays absent.
const f = BenchOptionsFields.shape;

/** `--header 'Name: value'`: one header per flag, as curl, wrk and hey take them. */
const headerLine = z.string().refine((line) => HEADER_NAME.test(line.slice(0, Math.max(0, line.indexOf(':'))).trim()), {
  error: (issue) => `expected 'Name: value', got '${String(issue.input)}'`,
});

const BenchArgsFields = z.strictObject({
  url: f.url,
  model: f.model,
  path: f.path,
  method: f.method,
  header: z.array(headerLine).optional(),
  threads: f.threads,
  concurrency: f.concurrency.unwrap().optional(),
  rate: f.rate,
  arrival: f.arrival.unwrap().optional(),
  maxInFlight: f.maxInFlight.unwrap().optional(),
  duration: f.durationSeconds,
  requests: f.requests,
  warmup: f.warmupSeconds.unwrap().optional(),
  payload: f.payload.unwrap().optional(),
  timeoutMs: f.timeoutMs.unwrap().optional(),
  waitForServer: f.waitForServerSeconds.unwrap().optional(),
  payloadFile: f.payloadFile,
  batchSize: f.batchSize,
  seed: f.seed.unwrap().optional(),
  textWords: f.textWords.unwrap().optional(),
  slaP99Ms: SlaTargets.shape.p99LatencyMs,
  slaMaxErrorRate: SlaTargets.shape.maxErrorRate,
  slaMinRps: SlaTargets.shape.minThroughputRps,
  sweep: z.boolean().optional(),
  sweepSteps: SweepOptions.shape.steps,
  sweepMaxSteps: SweepOptions.shape.maxSteps.unwrap().optional(),
  capacity: z.boolean().optional(),
  capacitySeconds: CapacityOptions.shape.seconds.unwrap().optional(),
  json: z.string().min(1).optional(),
  terminationLog: z.string().min(1).optional(),
  failOnSla: z.boolean().optional(),
  quiet: z.boolean().optional(),
});

export const BenchArgs = BenchArgsFields.superRefine((a, ctx) => {
  const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
  if (a.model === undefined && a.path === undefined) issue('model', 'give --model (its OIP v2 infer endpoint) or --path (any endpoint under --url)');
  if (a.model === undefined && a.batchSize !== undefined) issue('batchSize', '--batch-size shapes payloads generated from --model: give --model');
  if (a.rate !== undefined && a.concurrency !== undefined) issue('rate', '--concurrency (closed loop) and --rate (open loop) exclude each other');
  if (a.rate === undefined && !a.capacity && (a.arrival !== undefined || a.maxInFlight !== undefined)) {
    issue(a.arrival !== undefined ? 'arrival' : 'maxInFlight', '--arrival and --max-in-flight apply to the open loop: give --rate too');
  }
  if (!a.sweep && (a.sweepSteps !== undefined || a.sweepMaxSteps !== undefined)) issue('sweep', '--sweep-steps and --sweep-max-steps need --sweep');
  if (a.capacity) capacityIssues(a, issue);
  else if (a.capacitySeconds !== undefined) issue('capacitySeconds', '--capacity-seconds needs --capacity');
});
export type BenchArgs = z.output<typeof BenchArgs>;
export type BenchArgsInput = z.input<typeof BenchArgs>;

/** What --capacity needs (a p99 target) and what it leaves to the search (the load and the measured window). */
function capacityIssues(a: z.output<typeof BenchArgsFields>, issue: (path: string, message: string) => void): void {
  if (a.slaP99Ms === undefined) issue('slaP99Ms', '--capacity searches for the highest rate whose p99 stays within it: give it');
  if (a.rate !== undefined) issue('rate', '--capacity chooses the rates itself: leave out --rate');
  if (a.concurrency !== undefined) issue('concurrency', '--capacity runs open-loop steps at rates it chooses: leave out --concurrency');
  if (a.sweep) issue('sweep', '--sweep and --capacity exclude each other');
  for (const window of ['duration', 'requests'] as const) {
    if (a[window] !== undefined) issue(window, `--capacity sizes its steps from --capacity-seconds: leave out --${window}`);
  }
  const budget = a.capacitySeconds ?? DEFAULT_CAPACITY_SECONDS;
  if (a.warmup !== undefined && a.warmup > budget / 2) issue('warmup', `must leave at least half of --capacity-seconds (${budget}) to the search`);
}

/** `Name: value` lines as a header record (a later line with the same name wins). */
export function headerRecord(lines: readonly string[] | undefined): Record<string, string> | undefined {
  if (lines === undefined) return undefined;
  return Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).trim(), line.slice(line.indexOf(':') + 1).trim()]));
}

/** What the flags ask runBenchmark to do. */
export function benchOptionsFromArgs(a: BenchArgs): BenchOptionsInput {
  return {
    url: a.url,
    model: a.model,
    path: a.path,
    method: a.method,
    headers: headerRecord(a.header),
    threads: a.threads,
    mode: a.rate !== undefined ? 'open' : 'closed',
    concurrency: a.concurrency,
    rate: a.rate,
    arrival: a.arrival,
    maxInFlight: a.maxInFlight,
    durationSeconds: a.duration,
    requests: a.requests,
    warmupSeconds: a.warmup,
    timeoutMs: a.timeoutMs,
    waitForServerSeconds: a.waitForServer,
    payload: a.payload,
    payloadFile: a.payloadFile,
    batchSize: a.batchSize,
    seed: a.seed,
    textWords: a.textWords,
    sla: { p99LatencyMs: a.slaP99Ms, minThroughputRps: a.slaMinRps, maxErrorRate: a.slaMaxErrorRate },
    sweep: a.sweep ? { steps: a.sweepSteps, maxSteps: a.sweepMaxSteps } : undefined,
    capacity: a.capacity ? { seconds: a.capacitySeconds } : undefined,
  };
}

/**
 * The same target, payload and SLA with a capacity search instead of one load: what `vernier run --capacity` runs
 * after its benchmark. The load, the measured window and the warmup are left to the search.
 */
export function capacitySearchArgs(args: BenchArgsInput, capacitySeconds?: number): BenchArgsInput {
  const { url, model, path, method, header, threads, payload, payloadFile, batchSize, seed, textWords, timeoutMs, waitForServer, slaP99Ms, slaMaxErrorRate, slaMinRps } = args;
  return { url, model, path, method, header, threads, payload, payloadFile, batchSize, seed, textWords, timeoutMs, waitForServer, slaP99Ms, slaMaxErrorRate, slaMinRps, capacity: true, capacitySeconds };
}

const TARGET = 'target';
const LOAD = 'load (closed loop unless --rate is given)';
const PAYLOAD = 'payload (built from GET /v2/models/{name} unless --payload-file is given)';
const SLA = 'SLA and capacity';
const OUTPUT = 'output';

export const benchCommandLine: CommandLine<typeof BenchArgs> = {
  command: 'vernier bench',
  synopsis:
    'usage: vernier bench --url URL --model NAME [options]\n       vernier bench --url URL --path PATH [--method M] [--header H]… [--payload-file F] [options]\n\n' +
    'Load-tests an Open Inference Protocol v2 model endpoint (POST {url}/v2/models/{name}/infer), or any path of a server.',
  schema: BenchArgs,
  docs: {
    url: { help: 'base URL of the server, e.g. http://127.0.0.1:8080', group: TARGET },
    model: { help: 'the model name served at /v2/models/{name}: its infer endpoint is loaded', group: TARGET },
    path: { help: 'load this path under --url instead, e.g. /v2/health/ready or /embed', group: TARGET },
    method: { help: 'GET | POST | PUT | PATCH | DELETE | HEAD (default POST with a body, GET without)', short: 'm', group: TARGET },
    header: { help: "a request header 'Name: value'; repeat the flag for more (one per line in the variable)", short: 'H', repeat: true, group: TARGET },
    threads: { help: `load threads, each with its own connections (default: the cores this process may use; at most ${MAX_THREADS})`, short: 't', group: LOAD },
    concurrency: { help: 'closed loop: N requests always in flight (default 8)', short: 'c', group: LOAD },
    rate: { help: 'open loop: R requests per second, latency counted from each intended send time', short: 'R', group: LOAD },
    arrival: { help: 'open loop arrivals: constant | poisson (default constant)', group: LOAD },
    maxInFlight: { help: 'open loop: sends beyond N outstanding requests are dropped and reported (default 1024)', group: LOAD },
    duration: { help: 'measured time (default 10 s unless --requests is given)', short: 'd', unit: 's', group: LOAD },
    requests: { help: 'measured requests (with --duration too, whichever ends first)', short: 'n', group: LOAD },
    warmup: { help: 'load before the measured window, excluded from the figures (default 0)', unit: 's', group: LOAD },
    timeoutMs: { help: "a request with no complete response in time is a 'timeout' error (default 10000)", unit: 'ms', group: LOAD },
    waitForServer: { help: 'retry an unreachable or not-yet-ready server this long before failing (default 0)', unit: 's', group: LOAD },
    payload: { help: 'json | binary (binary tensor extension) (default json)', group: PAYLOAD },
    payloadFile: { help: 'a body to send instead of generated data: a JSON infer request with --model (no metadata call), any bytes with --path', group: PAYLOAD },
    batchSize: { help: 'first dimension of every input (it must be dynamic, -1); other dynamic dims are 1', group: PAYLOAD },
    seed: { help: 'seed of the generated data and of poisson arrivals (default 1)', group: PAYLOAD },
    textWords: { help: 'text (BYTES) inputs: words per generated sentence, N or MIN-MAX drawn uniformly (default 6-20)', group: PAYLOAD },
    slaP99Ms: { help: 'target: p99 latency of successful requests at or below this', unit: 'ms', group: SLA },
    slaMaxErrorRate: { help: 'target: failed / all requests at or below F (0..1)', group: SLA },
    slaMinRps: { help: 'target: at least R successful requests per second', group: SLA },
    sweep: { help: 'raise concurrency 1, 2, 4, … (or the rate r, 2r, 4r, …) until the SLA breaks or errors appear; reports the best passing step', group: SLA },
    sweepSteps: { help: 'the loads to try instead', group: SLA },
    sweepMaxSteps: { help: 'number of generated steps (default 10)', group: SLA },
    capacity: {
      help: "search the highest open-loop rate whose p99 stays within --sla-p99-ms and errors within --sla-max-error-rate (default 0.01): one replica's capacity",
      group: SLA,
    },
    capacitySeconds: { help: `time budget of the capacity search, warmup included (default ${DEFAULT_CAPACITY_SECONDS} s)`, unit: 's', group: SLA },
    json: { help: 'write the full report (JSON) to this file', group: OUTPUT },
    terminationLog: { help: `write the compact report (at most ${terminationMessageLimitBytes} bytes), e.g. /dev/termination-log`, group: OUTPUT },
    failOnSla: { help: `exit ${BENCH_EXIT_CODES.slaMissed} when the SLA is missed`, group: OUTPUT },
    quiet: { help: 'no progress lines on stderr', group: OUTPUT },
  },
  epilogue: `exit codes: 0 done · ${BENCH_EXIT_CODES.error} the benchmark could not run · ${BENCH_EXIT_CODES.usage} bad flags · ${BENCH_EXIT_CODES.slaMissed} SLA missed (with --fail-on-sla)`,
};
