// The messages between LoadThreads (main thread) and each load thread (load-thread.ts). Structured-clone data only.
import type { MeasurementSnapshot, SecondSnapshot } from './measurements.js';
import type { Arrival, OpenLoopResult } from './open-loop.js';

/** workerData of a load thread: what stays the same for every run. */
export interface ThreadInit {
  origin: string;
  /** Encoded requests, one per payload variant (copied to the thread once). */
  requests: Uint8Array[];
  maxConnections: number;
  timeoutMs: number;
  /** HEAD requests: responses carry no body. */
  noBody: boolean;
  /** SharedCounters' buffer. */
  counters: SharedArrayBuffer;
}

/** One run's share for one thread; times on the epoch clock (performance.timeOrigin + now), which every thread shares. */
export interface ThreadRun {
  thread: number;
  threads: number;
  mode: 'closed' | 'open';
  /** Closed loop: this thread's virtual users. */
  concurrency: number;
  /** Open loop: the whole schedule, of which this thread sends its part. */
  open: { rate: number; arrival: Arrival; seed: number; maxInFlight: number; lateThresholdMs: number } | null;
  originEpochMs: number;
  startEpochMs: number;
  endEpochMs: number | null;
  requestLimit?: number;
}

export interface ThreadRunResult {
  snapshot: MeasurementSnapshot;
  sentRequests: number;
  openLoop: OpenLoopResult | null;
  /** Share of the run the thread's event loop was busy (0..1), and how late its timers fired. */
  loop: { utilization: number; delayP99Ms: number; delayMaxMs: number };
}

export type ThreadMessage =
  /** Sent once, when the thread has loaded and can take a run on time. */
  | { type: 'ready' }
  | { type: 'progress'; completed: number; errors: number; seconds: SecondSnapshot[] }
  | { type: 'done'; result: ThreadRunResult }
  | { type: 'failed'; message: string };
