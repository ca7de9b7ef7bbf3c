// Health-check latency under load: what a kubelet's probe would see while a benchmark runs.
import { Worker } from 'node:worker_threads';

/** The p-th percentile of some latencies (nearest rank): with fewer than 100 of them, the p99 is the slowest. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/**
 * Pause between one probe's answer and the next probe. A kubelet probes a container once every few seconds; a p99
 * needs more samples than that, but every probe is a fresh TCP connection the server pays for out of the CPU it is
 * being measured on: two ports probed every 10 ms took 20–30 % of batched audio-cnn's req/s on 2 cores, every 100 ms
 * about 5 % (2026-12-03, four configurations in rotated rounds). Ten a second per port: ~60 samples in a 6 s run.
 */
export const HEALTH_PROBE_INTERVAL_MS = 100;

/** A probe with no answer in this time counts as this long. */
export const HEALTH_PROBE_TIMEOUT_MS = 10_000;
/** Bound on the probes of one prober (at ten a second: almost 3 hours). */
export const MAX_HEALTH_PROBES = 100_000;

/** workerData of the prober's thread. */
export interface HealthProberInit {
  baseUrl: string;
}

export interface HealthProbes {
  p99Ms: number | null;
  probes: number;
  /** Every probe's milliseconds, in order. */
  latencies: number[];
}

/**
 * Probes {baseUrl}/v2/health/live every HEALTH_PROBE_INTERVAL_MS, from a thread of its own (health-probe-thread.ts),
 * until stopped; a failed or timed-out probe counts as HEALTH_PROBE_TIMEOUT_MS.
 */
export function probeHealth(baseUrl: string): { stop(): Promise<HealthProbes> } {
  const worker = new Worker(new URL('./health-probe-thread.js', import.meta.url), { workerData: { baseUrl } satisfies HealthProberInit, name: 'vernier-health-prober' });
  const done = new Promise<number[]>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the health prober's thread exited with code ${code} before it answered`)));
  });
  done.catch(() => {}); // a failure is the caller's once it stops the prober
  return {
    async stop() {
      worker.postMessage('stop');
      try {
        const latencies = await done;
        return { p99Ms: percentile(latencies, 99), probes: latencies.length, latencies };
      } finally {
        await worker.terminate();
      }
    },
  };
}
