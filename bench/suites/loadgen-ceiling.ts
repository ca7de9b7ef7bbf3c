// How many requests per second one `vernier bench` process can drive, next to autocannon on the same endpoint.
// Runs interleaved (vernier, autocannon, vernier, autocannon) so both see the same machine conditions.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { formatReportTable } from '../format.js';
import { buildPayloads } from '../payload.js';
import { runBenchmark } from '../run-benchmark.js';

const connections = Number(process.env.CONNECTIONS ?? 32);
const seconds = Number(process.env.SECONDS_PER_RUN ?? 5);
const rounds = Number(process.env.ROUNDS ?? 2);

interface Figure {
  tool: 'vernier' | 'autocannon';
  rps: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

async function startEndpoint(): Promise<{ url: string; stop: () => Promise<void> }> {
  const script = fileURLToPath(new URL('./trivial-endpoint.js', import.meta.url));
  const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  const { port } = JSON.parse(line) as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

async function vernier(url: string): Promise<Figure> {
  const report = await runBenchmark({ url, model: 'm', concurrency: connections, durationSeconds: seconds, payloadVariants: 1 });
  if (process.env.VERBOSE) console.log(formatReportTable(report));
  return { tool: 'vernier', rps: report.throughputRps, p50Ms: report.latency.p50Ms, p99Ms: report.latency.p99Ms, errors: report.requests.errors };
}

async function autocannonRun(url: string): Promise<Figure> {
  // The same body vernier sends: seeded data from the model's metadata.
  const [payload] = buildPayloads([{ name: 'x', datatype: 'FP32', shape: [1, 4] }], { encoding: 'json', seed: 1, variants: 1 }).variants;
  const result = await autocannon({
    url: `${url}/v2/models/m/infer`,
    method: 'POST',
    headers: payload.headers,
    body: payload.body,
    connections,
    pipelining: 1,
    duration: seconds,
  });
  return {
    tool: 'autocannon',
    rps: Math.round((result['2xx'] / result.duration) * 10) / 10,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
  };
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

async function main(): Promise<void> {
  const endpoint = await startEndpoint();
  const figures: Figure[] = [];
  try {
    console.log(`loadgen ceiling: ${connections} connections, ${seconds} s per run, ${rounds} rounds, trivial endpoint in a child process`);
    for (let round = 1; round <= rounds; round++) {
      for (const run of [vernier, autocannonRun]) {
        const figure = await run(endpoint.url);
        figures.push(figure);
        console.log(
          `round ${round}  ${figure.tool.padEnd(10)}  ${figure.rps.toFixed(1).padStart(9)} req/s  p50 ${figure.p50Ms.toFixed(2)} ms  p99 ${figure.p99Ms.toFixed(2)} ms  errors ${figure.errors}`,
        );
      }
    }
  } finally {
    await endpoint.stop();
  }
  const v = mean(figures.filter((f) => f.tool === 'vernier').map((f) => f.rps));
  const a = mean(figures.filter((f) => f.tool === 'autocannon').map((f) => f.rps));
  console.log(`\nmean      vernier ${v.toFixed(1)} req/s · autocannon ${a.toFixed(1)} req/s · ratio vernier/autocannon ${(v / a).toFixed(2)}`);
}

await main();
