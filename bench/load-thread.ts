// One load thread (a worker_threads Worker started by LoadThreads): its own event loop, connections and histograms;
// it runs its share of each run and sends back a lossless snapshot to be merged with the other threads'.
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { runClosedLoop } from './closed-loop.js';
import { Http1Pool } from './http1-pool.js';
import type { LoadWindow } from './load-window.js';
import { Measurements } from './measurements.js';
import { runOpenLoop, type OpenLoopResult } from './open-loop.js';
import { SharedCounters } from './shared-counters.js';
import type { ThreadInit, ThreadMessage, ThreadRun, ThreadRunResult } from './thread-protocol.js';

/** Sampling interval of the event-loop delay monitor; its samples include this interval, which is subtracted. */
const loopResolutionMs = 10;

const init = workerData as ThreadInit;
const port = parentPort!;
const pool = new Http1Pool({ origin: init.origin, maxConnections: init.maxConnections, timeoutMs: init.timeoutMs, noBody: init.noBody });
const requests = init.requests.map((bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
const counters = new SharedCounters(init.counters);

/** The main thread's clock (epoch milliseconds) on this thread's performance.now() clock. */
const local = (epochMs: number): number => epochMs - performance.timeOrigin;

async function run(plan: ThreadRun): Promise<ThreadRunResult> {
  const originMs = local(plan.originEpochMs);
  const startMs = local(plan.startEpochMs);
  const endMs = plan.endEpochMs === null ? Infinity : local(plan.endEpochMs);
  const measurements = new Measurements(startMs);
  const window: LoadWindow = { pool, requests, measurements, counters, originMs, startMs, endMs, requestLimit: plan.requestLimit };
  const loopDelay = monitorEventLoopDelay({ resolution: loopResolutionMs });
  const progress = setInterval(() => {
    measurements.advanceTo(performance.now());
    port.postMessage({ type: 'progress', completed: measurements.completed, errors: measurements.errors, seconds: measurements.drainClosedSeconds() } satisfies ThreadMessage);
  }, 1000);
  try {
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, originMs - performance.now())));
    // Timers may fire up to a millisecond early: a send before the origin would count as warmup.
    while (performance.now() < originMs) await new Promise((resolve) => setImmediate(resolve));
    const utilizationStart = performance.eventLoopUtilization();
    loopDelay.enable();
    let openLoop: OpenLoopResult | null = null;
    let sentRequests: number;
    if (plan.mode === 'open') {
      openLoop = await runOpenLoop(window, { ...plan.open!, thread: plan.thread, threads: plan.threads });
      sentRequests = openLoop.sentRequests;
    } else {
      sentRequests = (await runClosedLoop(window, plan.concurrency)).sentRequests;
    }
    loopDelay.disable();
    const utilization = performance.eventLoopUtilization(utilizationStart).utilization;
    const snapshot = measurements.snapshot();
    const delay = (ns: number) => (loopDelay.count > 0 ? Math.max(0, ns / 1e6 - loopResolutionMs) : 0);
    return {
      snapshot: { ...snapshot, lastCompletionMs: snapshot.lastCompletionMs > 0 ? snapshot.lastCompletionMs + performance.timeOrigin : 0 },
      sentRequests,
      openLoop,
      loop: { utilization, delayP99Ms: delay(loopDelay.percentile(99)), delayMaxMs: delay(loopDelay.max) },
    };
  } finally {
    clearInterval(progress);
    measurements.destroy();
  }
}

port.on('message', (message: { type: 'run'; plan: ThreadRun } | { type: 'abort' } | { type: 'close' }) => {
  if (message.type === 'run') {
    run(message.plan).then(
      (result) => port.postMessage({ type: 'done', result } satisfies ThreadMessage),
      (err: Error) => port.postMessage({ type: 'failed', message: err.stack ?? err.message } satisfies ThreadMessage),
    );
  } else if (message.type === 'abort') {
    pool.close();
  } else {
    pool.close();
    port.close();
  }
});

port.postMessage({ type: 'ready' } satisfies ThreadMessage);
