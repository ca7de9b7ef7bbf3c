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

/** Probes {baseUrl}/v2/health/live every 10 ms until stopped; a failed or timed-out probe counts as 10 s. */
export function probeHealth(baseUrl: string): { stop(): Promise<{ p99Ms: number | null; probes: number }> } {
  const latencies: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running && latencies.length < 100_000) {
      latencies.push(await probeOnce(`${baseUrl}/v2/health/live`, 10_000));
      await new Promise((r) => setTimeout(r, 10));
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
