// What a load loop in one thread needs for one run: where to send, what to send, where to record, and when to stop.
import type { Http1Pool } from './http1-pool.js';
import type { Measurements } from './measurements.js';
import type { SharedCounters } from './shared-counters.js';

export interface LoadWindow {
  pool: Http1Pool;
  /** Encoded requests (one per payload variant), sent in turn. */
  requests: Buffer[];
  measurements: Measurements;
  /** Shared with the other threads: in flight, claimed sends, stop. */
  counters: SharedCounters;
  /** performance.now() when load begins (warmup included). */
  originMs: number;
  /** performance.now() when the measured window begins (after warmup). */
  startMs: number;
  /** performance.now() after which nothing new is sent; Infinity when only `requestLimit` bounds the run. */
  endMs: number;
  /** Measured requests to send at most, over all threads. */
  requestLimit?: number;
}
