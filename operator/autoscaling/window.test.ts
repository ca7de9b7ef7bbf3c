import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HistogramSnapshot } from './histogram.js';
import { recordRound, windowFigures, type ScrapeRound, type WindowFigures } from './window.js';

const bounds = [0.1, 0.2, 0.4, Infinity];

/** A pod's cumulative histogram from how many requests, in total so far, fell in each of the four buckets. */
function h(perBucket: [number, number, number, number]): HistogramSnapshot {
  let running = 0;
  const buckets = perBucket.map((n, i) => ({ le: bounds[i], count: (running += n) }));
  return { buckets, count: running, sum: 0 };
}
/** A pod that has answered `n` requests, all under 100 ms. */
const fast = (n: number) => h([n, 0, 0, 0]);

type Pods = Record<string, HistogramSnapshot | null>;

/** The history after recording one round every 15 s from t = 0, for a 60 s window. */
function rounds(perRound: Pods[], start = 0): ScrapeRound[] {
  return perRound.reduce<ScrapeRound[]>((history, pods, i) => recordRound(history, { at: start + i * 15_000, pods }, 60), []);
}

const cases: { name: string; history: ScrapeRound[]; want: Partial<WindowFigures> | undefined }[] = [
  {
    name: 'two steady pods: rate over the window, all pods together',
    history: rounds([0, 1, 2, 3, 4].map((i) => ({ a: fast(500 + 100 * i), b: fast(50 * i) }))),
    want: { rps: 10, requests: 600, podsCounted: 2, podsMissing: [], windowSeconds: 60, complete: true, observedAt: 60_000 },
  },
  {
    name: 'fewer than two scrapes: nothing yet',
    history: rounds([{ a: fast(5) }]),
    want: undefined,
  },
  {
    name: 'a short history is incomplete',
    history: rounds([{ a: fast(0) }, { a: fast(30) }]),
    want: { rps: 2, windowSeconds: 15, complete: false },
  },
  {
    name: 'a restarted pod: its counts after the reset are all new',
    history: rounds([{ a: fast(1000) }, { a: fast(1100) }, { a: fast(40) }, { a: fast(140) }, { a: fast(240) }]),
    want: { requests: 340, podsCounted: 1, complete: true },
  },
  {
    name: 'a failed scrape mid-window is bridged by the next one',
    history: rounds([{ a: fast(0) }, { a: fast(100) }, { a: null }, { a: fast(300) }, { a: fast(400) }]),
    want: { requests: 400, complete: true, podsMissing: [] },
  },
  {
    name: 'a failed latest scrape: counted up to its last one, and the window is incomplete',
    history: rounds([...[0, 1, 2, 3].map((i): Pods => ({ a: fast(100 * i), b: fast(100 * i) })), { a: null, b: fast(400) }]),
    want: { requests: 700, podsCounted: 2, podsMissing: ['a'], complete: false },
  },
  {
    name: 'a failed first scrape: counted from its next one, and the window is incomplete',
    history: rounds([{ a: null }, { a: fast(100) }, { a: fast(200) }, { a: fast(300) }, { a: fast(400) }]),
    want: { requests: 300, podsMissing: ['a'], complete: false },
  },
  {
    name: 'a pod that appears mid-window counts from its first scrape',
    history: rounds([{ a: fast(0) }, { a: fast(100) }, { a: fast(200), b: fast(70) }, { a: fast(300), b: fast(170) }, { a: fast(400), b: fast(270) }]),
    want: { requests: 600, podsCounted: 2, complete: true },
  },
  {
    name: 'a pod that disappears mid-window keeps the requests it served',
    history: rounds([{ a: fast(0), b: fast(0) }, { a: fast(100), b: fast(100) }, { a: fast(200), b: fast(200) }, { a: fast(300) }, { a: fast(400) }]),
    want: { requests: 600, podsCounted: 2, complete: true },
  },
  {
    name: 'scrape jitter: a first round half a second late still starts a complete window',
    history: [{ at: 500, pods: { a: fast(0) } }, { at: 30_000, pods: { a: fast(50) } }, { at: 60_000, pods: { a: fast(119) } }],
    want: { windowSeconds: 59.5, rps: 2, complete: true },
  },
];

for (const c of cases) {
  test(`window: ${c.name}`, () => {
    const got = windowFigures(c.history, 60);
    if (c.want === undefined) return assert.equal(got, undefined);
    assert.ok(got);
    for (const [key, value] of Object.entries(c.want)) assert.deepEqual(got[key as keyof WindowFigures], value, key);
  });
}

test('the latest interval\'s rate shows a step a window before the window\'s rate does; a pod new in it is left out', () => {
  // 10 req/s for 45 s, then 40 req/s from pod a, and pod c appears at the last scrape.
  const history = rounds([{ a: fast(0) }, { a: fast(150) }, { a: fast(300) }, { a: fast(450) }, { a: fast(1050), c: fast(7) }]);
  const got = windowFigures(history, 60);
  assert.equal(got?.rps, 17.5);
  assert.equal(got?.latestRps, 40);
});

test('the p99 comes from the merged deltas of all pods, not from per-pod p99s', () => {
  // Pod a answers 1000 requests under 100 ms, pod b 1000 between 200 and 400 ms: 99 % of all 2000 are within 396 ms.
  const history = rounds([{ a: h([0, 0, 0, 0]), b: h([0, 0, 0, 0]) }, { a: h([1000, 0, 0, 0]), b: h([0, 0, 1000, 0]) }]);
  const got = windowFigures(history, 60);
  assert.ok(got?.p99Ms);
  assert.ok(Math.abs(got.p99Ms - 396) < 1e-9, String(got.p99Ms));
  assert.equal(windowFigures(rounds([{ a: fast(0) }, { a: fast(0) }]), 60)?.p99Ms, null, 'no requests, no p99');
});

test('history stays bounded to the window: the last round at or before its start, and every one after', () => {
  const history = rounds(Array.from({ length: 40 }, (_, i) => ({ a: fast(i) })));
  assert.deepEqual(history.map((r) => r.at / 1000), [525, 540, 555, 570, 585]);
  const figures = windowFigures(history, 60);
  assert.equal(figures?.windowSeconds, 60);
  assert.equal(figures?.requests, 4);
  assert.throws(() => recordRound(history, { at: 585_000, pods: {} }, 60), RangeError);
});
