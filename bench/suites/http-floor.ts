// What the machine allows an HTTP model server when the load generator shares its cores: in-process onnxruntime's
// CPU per row, plus what receiving each request and generating the load cost with no inference at all. The second is
// measured against the trivial endpoint serving the model's metadata (so the generator sends the model's real
// payloads) at the same concurrency, answering at the pace the server kept, so both sides run as they did beside it.
import { processTreeCpu } from '../process-usage.js';
import { probeHealth } from './health-probe.js';
import { runBenchmark } from '../run-benchmark.js';
import { startTrivialEndpoint } from './trivial-endpoint-process.js';

export interface HttpFloor {
  /** Requests per second the floor ran at (the pace it was given, give or take). */
  rps: number;
  /** CPU of the trivial endpoint per request: receiving a body and answering, no decoding, no inference. */
  serverMicrosPerRequest: number;
  /** CPU of the bench process per request over the measured window: the load generator and the two health probers beside it, as in bench:server's runs of servers. */
  benchProcessMicrosPerRequest: number;
  /** p99 of /v2/health/live on the trivial endpoint under this load, probed as bench:server probes servers: a health check's latency on this machine with no inference running. */
  healthP99Ms: number | null;
}

/**
 * Requests per second a server could reach if it spent no CPU beyond onnxruntime's (at the in-process limit, every
 * core busy) and the floor's: `cores` core-seconds a second, divided by what one request costs.
 */
export function attainableRate(inProcessRowsPerSecond: number, cores: number, floor: Pick<HttpFloor, 'serverMicrosPerRequest' | 'benchProcessMicrosPerRequest'>): number {
  const inferenceCoreSeconds = cores / inProcessRowsPerSecond;
  const floorCoreSeconds = (floor.serverMicrosPerRequest + floor.benchProcessMicrosPerRequest) / 1e6;
  return cores / (inferenceCoreSeconds + floorCoreSeconds);
}

/** Closed loop at `concurrency`, the endpoint answering after concurrency / paceRps seconds (Little's law), so about `paceRps`. */
export async function measureHttpFloor(o: {
  metadata: { name: string };
  payload: 'json' | 'binary';
  concurrency: number;
  paceRps: number;
  seconds: number;
}): Promise<HttpFloor> {
  if (!(o.paceRps > 0)) throw new Error(`the HTTP floor needs a pace above 0 req/s to answer by, not ${o.paceRps}`);
  const endpoint = await startTrivialEndpoint({ metadata: o.metadata, delayMs: (o.concurrency / o.paceRps) * 1000 });
  try {
    const cpuBefore = processTreeCpu(endpoint.pid).get(endpoint.pid) ?? 0;
    // Two probers, as beside the servers (their HTTP port and their probe port), so the endpoint and the bench process
    // pay for as many health checks as there.
    const [health, second] = [probeHealth(endpoint.url), probeHealth(endpoint.url)];
    const run = await runBenchmark({ url: endpoint.url, model: o.metadata.name, concurrency: o.concurrency, durationSeconds: o.seconds, warmupSeconds: 1, payload: o.payload, timeoutMs: 30_000 }).then(
      (report) => ({ report }),
      (error: unknown) => ({ error }),
    );
    const [{ p99Ms: healthP99Ms }] = await Promise.all([health.stop(), second.stop()]); // stopped whether or not the run went through
    if ('error' in run) throw run.error;
    const { report } = run;
    const cpuSeconds = (processTreeCpu(endpoint.pid).get(endpoint.pid) ?? cpuBefore) - cpuBefore;
    // The endpoint's CPU covers warmup and measured window alike (and the metadata call); the bench process's is the window's.
    const answered = report.requests.total + report.requests.warmup.completed;
    return {
      rps: report.throughputRps,
      serverMicrosPerRequest: (cpuSeconds * 1e6) / Math.max(1, answered),
      benchProcessMicrosPerRequest: ((report.generator.cpuPercent / 100) * report.durationSeconds * 1e6) / Math.max(1, report.requests.total),
      healthP99Ms,
    };
  } finally {
    await endpoint.stop();
  }
}
