// The health prober's thread: probes {baseUrl}/v2/health/live until told to stop, then hands back every latency.
// A thread of its own, as a kubelet is a process of its own: on the bench's main thread, probes waited behind the
// generator's bookkeeping (p99 31 ms, slowest 99, against 19 and 24 from a separate process probing the same port
// at the same time, audio-cnn binary at 64 in flight, 2026-12-03).
import { get } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import { HEALTH_PROBE_INTERVAL_MS, HEALTH_PROBE_TIMEOUT_MS, MAX_HEALTH_PROBES, type HealthProberInit } from './health-probe.js';

/** One GET on a connection of its own, closed after the answer, as the kubelet probes; resolves with its milliseconds. */
function probeOnce(url: string, timeoutMs: number): Promise<number> {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = get(url, { agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      res.once('end', () => resolve(performance.now() - started));
      res.once('error', () => resolve(timeoutMs));
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolve(timeoutMs));
  });
}

const { baseUrl } = workerData as HealthProberInit;
const port = parentPort!;
let running = true;
let wake: (() => void) | undefined;
port.once('message', () => {
  running = false;
  wake?.(); // the pause between probes ends now, not up to an interval later
});

const latencies: number[] = [];
// Not counted: a fresh thread's first request also pays for compiling node:http's code (5–10 ms here).
await probeOnce(`${baseUrl}/v2/health/live`, HEALTH_PROBE_TIMEOUT_MS);
while (running && latencies.length < MAX_HEALTH_PROBES) {
  latencies.push(await probeOnce(`${baseUrl}/v2/health/live`, HEALTH_PROBE_TIMEOUT_MS));
  await new Promise<void>((resolve) => {
    wake = resolve;
    setTimeout(resolve, HEALTH_PROBE_INTERVAL_MS);
  });
}
port.postMessage(latencies);
