// Closed loop in one thread: `concurrency` virtual users, each sending its next request as soon as the previous one
// answers. Callbacks rather than promises: this is the generator's per-request path.
import { performance } from 'node:perf_hooks';
import type { InferOutcome } from './client.js';
import type { LoadWindow } from './load-window.js';

export interface ClosedLoopResult {
  sentRequests: number;
}

/** After a refused connection a user waits this long, so a dead server is not hammered in a busy loop. */
const connectionErrorPauseMs = 10;

export function runClosedLoop(window: LoadWindow, concurrency: number): Promise<ClosedLoopResult> {
  const { pool, requests, measurements, counters, requestLimit } = window;
  let measuredSent = 0;
  let sent = 0;
  let active = concurrency;

  return new Promise((resolve) => {
    const finish = (): void => {
      if (--active === 0) resolve({ sentRequests: measuredSent });
    };
    const user = (): void => {
      const sentAt = performance.now();
      if (counters.stopped || sentAt >= window.endMs) return finish();
      if (sentAt >= window.startMs) {
        if (!counters.claim(requestLimit)) return finish();
        measuredSent++;
      }
      counters.enter();
      pool.send(requests[sent++ % requests.length], (outcome: InferOutcome, completedAt: number) => {
        counters.leave();
        measurements.record(sentAt, completedAt, outcome);
        if (!outcome.ok && outcome.kind === 'connection') setTimeout(user, connectionErrorPauseMs);
        else user();
      });
    };
    if (concurrency === 0) return resolve({ sentRequests: 0 });
    for (let i = 0; i < concurrency; i++) user();
  });
}
