// Health-check latency under load: what a kubelet's probe would see while a benchmark runs.
import { get } from 'node:http';

function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

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

/**
 * Pause between one probe's answer and the next probe. A kubelet probes a container once every few seconds; a p99
 * needs more samples than that, but every probe is a fresh TCP connection the server pays for out of the CPU it is
 * being measured on: two ports probed every 10 ms took 20–30 % of batched audio-cnn's req/s on 2 cores, every 100 ms
 * about 5 % (2026-12-03, four configurations in rotated rounds). Ten a second per port: ~60 samples in a 6 s run.
 */
export const HEALTH_PROBE_INTERVAL_MS = 100;

/** Probes {baseUrl}/v2/health/live every HEALTH_PROBE_INTERVAL_MS until stopped; a failed or timed-out probe counts as 10 s. */
export function probeHealth(baseUrl: string): { stop(): Promise<{ p99Ms: number | null; probes: number }> } {
  const latencies: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running && latencies.length < 100_000) {
      latencies.push(await probeOnce(`${baseUrl}/v2/health/live`, 10_000));
      await new Promise((r) => setTimeout(r, HEALTH_PROBE_INTERVAL_MS));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { p99Ms: percentile(latencies, 99), probes: latencies.length };
    },
  };
}
