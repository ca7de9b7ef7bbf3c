// The state the probe thread answers from, in shared memory: the HTTP thread publishes it, the probe thread reads it
// without asking (asking would wait for the very thread whose delays the probe port exists to avoid).
import type { HealthState } from './health-verdict.js';

const READY = 0;
const HEALTHY = 1;
/** When the HTTP thread last published, in nanoseconds of the monotonic clock all threads of a process share. */
const PUBLISHED_AT = 2;

export function createProbeState(): SharedArrayBuffer {
  return new SharedArrayBuffer(3 * BigInt64Array.BYTES_PER_ELEMENT);
}

/** Called on the HTTP thread: its own state, stamped now. */
export function publishProbeState(buffer: SharedArrayBuffer, state: { ready: boolean; healthy: boolean }, now = process.hrtime.bigint()): void {
  const cells = new BigInt64Array(buffer);
  Atomics.store(cells, READY, state.ready ? 1n : 0n);
  Atomics.store(cells, HEALTHY, state.healthy ? 1n : 0n);
  Atomics.store(cells, PUBLISHED_AT, now);
}

/** Called on the probe thread: what was last published, and how long ago. Never published reads as not ready. */
export function readProbeState(buffer: SharedArrayBuffer, now = process.hrtime.bigint()): HealthState {
  const cells = new BigInt64Array(buffer);
  const publishedAt = Atomics.load(cells, PUBLISHED_AT);
  return {
    ready: Atomics.load(cells, READY) === 1n,
    healthy: Atomics.load(cells, HEALTHY) === 1n,
    httpThreadSilentMs: publishedAt === 0n ? Infinity : Number(now - publishedAt) / 1e6,
  };
}
