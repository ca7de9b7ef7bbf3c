// What the operator asked of the API server in a window of time, from its audit records. Pure.
import type { OperatorRequest } from './audit-log.js';

/** [from, to) in ms since the epoch. */
export interface TimeWindow {
  from: number;
  to: number;
}

export interface RequestSplit {
  /** Completed requests other than watches: the per-object work. */
  requests: number;
  perObject: number;
  /** Watches opened (long-running; they follow the informers, not the objects). */
  watches: number;
  byVerb: Record<string, number>;
  /** "resource" or "resource/subresource". */
  byResource: Record<string, number>;
  /** "verb resource[/subresource]", e.g. "patch deployments". */
  byVerbAndResource: Record<string, number>;
  /** update or patch of inferenceservices/status. */
  statusWrites: number;
  /** create of events. */
  eventsCreated: number;
  /** Answered with a status ≥ 400 (conflicts, not found, throttled, ...). */
  failed: number;
  /** The failed ones by status code ("404": n). */
  failedByCode: Record<string, number>;
}

const WRITE_VERBS = new Set(['update', 'patch']);

export const isWatch = (r: OperatorRequest): boolean => r.verb === 'watch';
export const resourceOf = (r: OperatorRequest): string => (r.subresource ? `${r.resource}/${r.subresource}` : r.resource);
export const isStatusWrite = (r: OperatorRequest): boolean =>
  r.resource === 'inferenceservices' && r.subresource === 'status' && WRITE_VERBS.has(r.verb);
export const isEventCreate = (r: OperatorRequest): boolean => r.resource === 'events' && r.verb === 'create';
export const inWindow = (r: OperatorRequest, w: TimeWindow): boolean => r.at >= w.from && r.at < w.to;

function increment(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

/** Keys sorted by count, largest first, so the JSON reads like the table. */
function sortedByCount(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).sort(([ka, a], [kb, b]) => b - a || ka.localeCompare(kb)));
}

/** The split of the requests received in `window`; `objects` is the number of InferenceServices, for per-object figures. */
export function requestSplit(records: readonly OperatorRequest[], window: TimeWindow, objects: number): RequestSplit {
  const byVerb: Record<string, number> = {};
  const byResource: Record<string, number> = {};
  const byVerbAndResource: Record<string, number> = {};
  const failedByCode: Record<string, number> = {};
  let requests = 0;
  let watches = 0;
  let statusWrites = 0;
  let eventsCreated = 0;
  let failed = 0;
  for (const r of records) {
    if (!inWindow(r, window)) continue;
    if (isWatch(r)) {
      watches++;
      continue;
    }
    requests++;
    increment(byVerb, r.verb);
    increment(byResource, resourceOf(r));
    increment(byVerbAndResource, `${r.verb} ${resourceOf(r)}`);
    if (isStatusWrite(r)) statusWrites++;
    if (isEventCreate(r)) eventsCreated++;
    if ((r.code ?? 0) >= 400) {
      failed++;
      increment(failedByCode, String(r.code));
    }
  }
  return {
    requests,
    perObject: objects > 0 ? requests / objects : 0,
    watches,
    byVerb: sortedByCount(byVerb),
    byResource: sortedByCount(byResource),
    byVerbAndResource: sortedByCount(byVerbAndResource),
    statusWrites,
    eventsCreated,
    failed,
    failedByCode: sortedByCount(failedByCode),
  };
}

export interface RequestRate {
  /** Requests other than watches per second, over the whole window. */
  perSecond: number;
  /** The most requests other than watches in any one bucket (buckets start at window.from). */
  maxPerBucket: number;
  bucketSeconds: number;
}

export function requestRate(records: readonly OperatorRequest[], window: TimeWindow, bucketMs = 10_000): RequestRate {
  const seconds = (window.to - window.from) / 1000;
  const buckets = new Map<number, number>();
  let total = 0;
  for (const r of records) {
    if (!inWindow(r, window) || isWatch(r)) continue;
    total++;
    const bucket = Math.floor((r.at - window.from) / bucketMs);
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + 1);
  }
  return {
    perSecond: seconds > 0 ? total / seconds : 0,
    maxPerBucket: Math.max(0, ...buckets.values()),
    bucketSeconds: bucketMs / 1000,
  };
}

/** Status writes in `window` to objects not in `changed` ("namespace/name"): writes that had nothing new to say. */
export function statusWritesToOthers(records: readonly OperatorRequest[], window: TimeWindow, changed: ReadonlySet<string>): number {
  return records.filter((r) => inWindow(r, window) && isStatusWrite(r) && !changed.has(`${r.namespace}/${r.name}`)).length;
}
