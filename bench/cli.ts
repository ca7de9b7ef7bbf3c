// `vernier bench`: flags → BenchOptions → runBenchmark → table on stdout, JSON file, termination message, exit code.
import { writeFile } from 'node:fs/promises';
import { BENCH_EXIT_CODES, benchCommandLine, benchOptionsFromArgs } from '../contracts/bench-args.js';
import type { BenchReport } from '../contracts/bench-report.js';
import { toCompactFailure, toCompactReport } from '../contracts/compact-report.js';
import { readCommandLine, type CommandIo } from '../contracts/options-codec.js';
import { formatReportTable } from './format.js';
import { runBenchmark, type BenchProgress } from './run-benchmark.js';
import type { StepProgress } from './run-load.js';

export const exitCodes = BENCH_EXIT_CODES;

export type CliIo = CommandIo;

/** e.g. "capacity step 3 · rate 54.7 req/s" or "step 2/6 · concurrency 4". */
function describeStep(s: StepProgress): string {
  const load = s.variable === 'rate' ? `rate ${s.load} req/s` : `concurrency ${s.load}`;
  if (s.kind === 'probe') return `capacity probe · ${load}`;
  const of = s.count !== null ? `/${s.count}` : '';
  return `${s.kind === 'search' ? 'capacity step' : 'step'} ${s.index + 1}${of} · ${load}`;
}

export function formatProgress(p: BenchProgress): string {
  const step = p.step ? `${describeStep(p.step)} · ` : '';
  const last = p.lastSecond;
  const second = last && p.phase !== 'warmup' ? ` · last second ${last.requests} req, p99 ${last.p99Ms ?? '-'} ms` : '';
  return `${step}[${p.elapsedSeconds.toFixed(1).padStart(6)} s] ${p.phase} · ${p.completed} done · ${p.errors} errors · ${p.inFlight} in flight${second}`;
}

async function writeOutputs(report: BenchReport, output: { json?: string; terminationLog?: string }): Promise<void> {
  if (output.json) await writeFile(output.json, `${JSON.stringify(report, null, 2)}\n`);
  if (output.terminationLog) await writeFile(output.terminationLog, JSON.stringify(toCompactReport(report)));
}

export async function main(argv: string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const args = readCommandLine(benchCommandLine, argv, process.env, io);
  if (typeof args === 'number') return args;
  const input = benchOptionsFromArgs(args);
  const output = { json: args.json, terminationLog: args.terminationLog, failOnSla: args.failOnSla ?? false, quiet: args.quiet ?? false };
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
