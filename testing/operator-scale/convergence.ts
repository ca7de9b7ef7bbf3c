// Waiting for the operator to catch up: every object observed, a few objects current, the work queue quiet. Each
// wait is bounded and reports progress on long waits.
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeClient } from '../../operator/kube-client.js';
import { isCurrentNow, keyOf, observedIn, type ObjectRef } from './inference-services.js';
import { readOperatorCounters } from './operator-metrics.js';

export type Progress = (line: string) => void;

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/**
 * Polls a LIST per namespace every `intervalMs` until all `expected` objects have status.observedGeneration equal to
 * their generation; resolves with the ms from `since`. A namespace whose objects are all current is not listed again.
 */
export async function waitAllObserved(
  admin: KubeClient,
  expectedPerNamespace: ReadonlyMap<string, number>,
  options: { since: number; timeoutMs: number; intervalMs?: number; progressEveryMs?: number; progress: Progress },
): Promise<number> {
  const total = [...expectedPerNamespace.values()].reduce((a, b) => a + b, 0);
  const currentPerNamespace = new Map<string, number>();
  const deadline = options.since + options.timeoutMs;
  let lastProgress = Date.now();
  for (;;) {
    for (const [namespace, expected] of expectedPerNamespace) {
      if (currentPerNamespace.get(namespace) === expected) continue;
      try {
        currentPerNamespace.set(namespace, (await observedIn(admin, namespace)).current.size);
      } catch {
        // A slow LIST under load: try again next round.
      }
    }
    const observed = [...currentPerNamespace.values()].reduce((a, b) => a + b, 0);
    const elapsed = Date.now() - options.since;
    if (observed >= total) return elapsed;
    if (Date.now() >= deadline) throw new Error(`only ${observed} of ${total} InferenceServices were observed after ${seconds(elapsed)}`);
    if (Date.now() - lastProgress >= (options.progressEveryMs ?? 5_000)) {
      options.progress(`observed ${observed}/${total} after ${seconds(elapsed)}`);
      lastProgress = Date.now();
    }
    await sleep(options.intervalMs ?? 500);
  }
}

/** Polls each ref (GET) every `intervalMs` (at least 250 ms after the first 2 s) until it is current; resolves with each one's ms from `since`, by key. */
export async function waitEachCurrent(
  admin: KubeClient,
  refs: readonly ObjectRef[],
  options: { since: number; timeoutMs: number; intervalMs?: number },
): Promise<Map<string, number>> {
  const reached = new Map<string, number>();
  const deadline = options.since + options.timeoutMs;
  while (reached.size < refs.length) {
    const pending = refs.filter((r) => !reached.has(keyOf(r)));
    await Promise.all(
      pending.map(async (ref) => {
        if (await isCurrentNow(admin, ref).catch(() => false)) reached.set(keyOf(ref), Date.now() - options.since);
      }),
    );
    if (reached.size === refs.length) break;
    if (Date.now() >= deadline) throw new Error(`not current after ${seconds(options.timeoutMs)}: ${pending.filter((r) => !reached.has(keyOf(r))).map(keyOf).join(', ')}`);
    // Fine-grained while a quick answer is likely; coarser after, so a long wait does not load the API server.
    const interval = options.intervalMs ?? 50;
    await sleep(Date.now() - options.since < 2_000 ? interval : Math.max(interval, 250));
  }
  return reached;
}

export interface Quiet {
  /** Whether the work queue was empty and no reconcile ran for `quietMs` before the timeout. */
  reached: boolean;
  /** ms from the call until the quiet period began (or until the timeout). */
  ms: number;
}

/** Polls the operator's /metrics every second until its work queue is empty and no reconcile has run for `quietMs`. */
export async function waitQuiet(metricsPort: number, options: { quietMs: number; timeoutMs: number; progress: Progress }): Promise<Quiet> {
  const started = Date.now();
  let lastReconciles = -1;
  let lastChange = started;
  let lastProgress = started;
  while (Date.now() - started < options.timeoutMs) {
    const counters = await readOperatorCounters(metricsPort).catch(() => undefined);
    const now = Date.now();
    if (counters) {
      if (counters.reconciles !== lastReconciles || counters.queueDepth > 0) {
        lastReconciles = counters.reconciles;
        lastChange = now;
      } else if (now - lastChange >= options.quietMs) {
        return { reached: true, ms: lastChange - started };
      }
      if (now - lastProgress >= 30_000) {
        options.progress(`settling: ${counters.reconciles} reconciles, queue ${counters.queueDepth}, after ${seconds(now - started)}`);
        lastProgress = now;
      }
    }
    await sleep(1_000);
  }
  return { reached: false, ms: Date.now() - started };
}
