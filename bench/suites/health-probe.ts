// Health-check latency under load: what a kubelet's probe would see while a benchmark runs.

function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Probes /v2/health/live every 10 ms until stopped; the latencies are what a kubelet's probe would see. */
export function probeHealth(url: string): { stop(): Promise<{ p99Ms: number | null; probes: number }> } {
  const latencies: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running && latencies.length < 100_000) {
      const started = performance.now();
      try {
        await (await fetch(`${url}/v2/health/live`, { signal: AbortSignal.timeout(10_000) })).arrayBuffer();
        latencies.push(performance.now() - started);
      } catch {
        latencies.push(10_000);
      }
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
