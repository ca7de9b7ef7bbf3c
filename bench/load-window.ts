// What a load loop needs for one run: where to send, what to send, where to record, and when to stop.
import type { InferClient } from './client.js';
import type { Measurements } from './measurements.js';
import type { Payload } from './payload.js';

export interface LoadWindow {
  client: InferClient;
  payloads: Payload[];
  measurements: Measurements;
  /** performance.now() when load began (warmup included). */
  originMs: number;
  /** performance.now() when the measured window begins (after warmup). */
  startMs: number;
  /** performance.now() after which nothing new is sent; Infinity when only `requests` bounds the run. */
  endMs: number;
  /** Measured requests to send at most. */
  requests?: number;
  signal?: AbortSignal;
  /** Requests currently awaiting a response (read by progress reporting). */
  inFlight: number;
}
