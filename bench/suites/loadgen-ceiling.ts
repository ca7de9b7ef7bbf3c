// How many requests per second a load generator drives, and the CPU it spends per request, against one trivial
// endpoint: `vernier bench`, wrk (Debian package `wrk`) and autocannon side by side, interleaved round by round so they
// see the same machine. Each tool runs as its own process; its CPU is read from /proc over the run.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageRoot } from '../../contracts/package-root.js';
import { buildPayloads } from '../payload.js';
import { processTreeCpu } from '../process-usage.js';
import { startTrivialEndpoint } from './trivial-endpoint-process.js';

const connections = Number(process.env.CONNECTIONS ?? 64);
const seconds = Number(process.env.SECONDS_PER_RUN ?? 5);
const rounds = Number(process.env.ROUNDS ?? 2);
/** Generator threads, the same for every tool (wrk -t, autocannon --workers, vernier --threads). */
const threads = Number(process.env.THREADS ?? 1);

type Tool = 'vernier' | 'wrk' | 'autocannon';

interface Figure {
  tool: Tool;
  rps: number;
  /** CPU seconds of the generator process over its run, per request, in microseconds. */
  cpuMicrosPerRequest: number;
  cpuPercent: number;
}

// The program users run, spawned as they run it (a child process, not an import: bench does not depend on cli/).
const vernierCli = join(packageRoot(), 'dist', 'cli', 'vernier.js');
const autocannonCli = fileURLToPath(new URL('../../../node_modules/autocannon/autocannon.js', import.meta.url));

/** Runs a generator process to its end; its CPU (user + system, from /proc just before it exits) and its stdout. */
async function measured(command: string, args: string[]): Promise<{ out: string; cpuSeconds: number; wallSeconds: number }> {
  const started = performance.now();
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c));
  child.stderr!.on('data', (c: Buffer) => (out += c));
  let cpuSeconds = 0;
  // The last sample before exit: /proc is gone once the process has been reaped.
  const sampler = setInterval(() => {
    const tree = processTreeCpu(child.pid!);
    if (tree.size > 0) cpuSeconds = [...tree.values()].reduce((a, b) => a + b, 0);
  }, 50);
  const [code] = (await once(child, 'exit')) as [number];
  clearInterval(sampler);
  if (code !== 0) throw new Error(`${command} exited with ${code}: ${out.slice(-500)}`);
  return { out, cpuSeconds, wallSeconds: (performance.now() - started) / 1000 };
}

const body = buildPayloads([{ name: 'x', datatype: 'FP32', shape: [1, 4] }], { encoding: 'json', seed: 1, variants: 1 }).variants[0].body;

async function vernier(url: string, dir: string): Promise<Figure> {
  const json = join(dir, 'vernier.json');
  await measured(process.execPath, [vernierCli, 'bench', '--url', url, '--model', 'm', '-c', String(connections), '-d', `${seconds}s`, '-t', String(threads), '--json', json, '--quiet']);
  const report = JSON.parse((await import('node:fs')).readFileSync(json, 'utf8')) as { throughputRps: number; requests: { total: number }; generator: { cpuPercent: number }; durationSeconds: number };
  // The generator's own CPU over the measured run (the report's figure), not node's start-up.
  const cpuSeconds = (report.generator.cpuPercent / 100) * report.durationSeconds;
  return { tool: 'vernier', rps: report.throughputRps, cpuMicrosPerRequest: (cpuSeconds / report.requests.total) * 1e6, cpuPercent: report.generator.cpuPercent };
}

async function wrk(url: string, dir: string): Promise<Figure> {
  const script = join(dir, 'post.lua');
  writeFileSync(script, `wrk.method = "POST"\nwrk.body = [[${body.toString()}]]\nwrk.headers["Content-Type"] = "application/json"\n`);
  const run = await measured('wrk', ['-t', String(threads), '-c', String(connections), '-d', `${seconds}s`, '-s', script, `${url}/v2/models/m/infer`]);
  const requests = Number(/(\d+) requests in/.exec(run.out)?.[1] ?? NaN);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(run.out)?.[1] ?? NaN);
  return { tool: 'wrk', rps, cpuMicrosPerRequest: (run.cpuSeconds / requests) * 1e6, cpuPercent: (run.cpuSeconds / run.wallSeconds) * 100 };
}

async function autocannon(url: string, dir: string): Promise<Figure> {
  const json = join(dir, 'autocannon.json');
  const args = [autocannonCli, '-c', String(connections), '-d', String(seconds), '-m', 'POST', '-H', 'content-type=application/json', '-b', body.toString(), '-j'];
  if (threads > 1) args.push('-w', String(threads));
  const run = await measured(process.execPath, [...args, `${url}/v2/models/m/infer`]);
  writeFileSync(json, run.out);
  const result = JSON.parse(run.out.slice(run.out.indexOf('{'))) as { requests: { total: number }; duration: number; '2xx': number };
  // autocannon's start-up is in its CPU: a fair share of a Node process's cost, like vernier's would be.
  return { tool: 'autocannon', rps: result['2xx'] / result.duration, cpuMicrosPerRequest: (run.cpuSeconds / result.requests.total) * 1e6, cpuPercent: (run.cpuSeconds / run.wallSeconds) * 100 };
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const fmt = (x: number, digits = 1): string => x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

async function main(): Promise<void> {
  const hasWrk = spawnSync('wrk', ['--version']).error === undefined;
  if (!hasWrk) {
    console.error('loadgen ceiling: wrk is not installed, so there is nothing to hold vernier against; install it (Debian: apt-get install wrk) and run again.');
    process.exitCode = 1;
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'vernier-loadgen-'));
  const endpoint = await startTrivialEndpoint();
  const figures: Figure[] = [];
  try {
    console.log(`loadgen ceiling: ${connections} connections, ${threads} generator thread(s), ${seconds} s per run, ${rounds} rounds, trivial endpoint (one Node process) on the same ${availableParallelism()} cores`);
    for (let round = 1; round <= rounds; round++) {
      for (const run of [vernier, wrk, autocannon]) {
        const f = await run(endpoint.url, dir);
        figures.push(f);
        console.log(`round ${round}  ${f.tool.padEnd(10)}  ${fmt(f.rps).padStart(10)} req/s  ${fmt(f.cpuMicrosPerRequest).padStart(6)} µs CPU/request  (${fmt(f.cpuPercent, 0)} % of a core)`);
      }
    }
  } finally {
    await endpoint.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const by = (tool: Tool) => ({ rps: mean(figures.filter((f) => f.tool === tool).map((f) => f.rps)), cpu: mean(figures.filter((f) => f.tool === tool).map((f) => f.cpuMicrosPerRequest)) });
  const w = by('wrk');
  console.log('\n| generator | req/s | µs CPU per request | req/s vs wrk | CPU per request vs wrk |\n|---|---|---|---|---|');
  for (const tool of ['vernier', 'wrk', 'autocannon'] as const) {
    const t = by(tool);
    console.log(`| ${tool} | ${fmt(t.rps)} | ${fmt(t.cpu)} | ${fmt(t.rps / w.rps, 2)}× | ${fmt(t.cpu / w.cpu, 2)}× |`);
  }
}

await main();
