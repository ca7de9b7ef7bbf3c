// Closed loop: `concurrency` workers, each sending its next request as soon as the previous one answers.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LoadWindow } from './load-window.js';

export interface ClosedLoopResult {
  sentRequests: number;
}

/** After a refused connection a worker waits this long, so a dead server is not hammered in a busy loop. */
const connectionErrorPauseMs = 10;

export async function runClosedLoop(window: LoadWindow, concurrency: number): Promise<ClosedLoopResult> {
  const { client, payloads, measurements, requests, signal } = window;
  let measuredSent = 0;
  let sent = 0;

  const worker = async (): Promise<void> => {
    while (!signal?.aborted) {
      const sentAt = performance.now();
      if (sentAt >= window.endMs) return;
      if (sentAt >= window.startMs) {
        if (requests !== undefined && measuredSent >= requests) return;
        measuredSent++;
      }
      window.inFlight++;
      const outcome = await client.infer(payloads[sent++ % payloads.length]);
      window.inFlight--;
      measurements.record(sentAt, performance.now(), outcome);
      if (!outcome.ok && outcome.kind === 'connection') await sleep(connectionErrorPauseMs);
    }
  };
  const workers: Promise<void>[] = [];
  for (let i = 0; i < concurrency; i++) workers.push(worker());
  await Promise.all(workers);
  return { sentRequests: measuredSent };
}
