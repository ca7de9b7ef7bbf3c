import assert from 'node:assert/strict';
import { test } from 'node:test';
import { liveFiguresMoved } from './notable-change.js';
import type { WindowFigures } from './window.js';

const sla = 300;

function figures(rps: number, p99Ms: number | null, overrides: Partial<WindowFigures> = {}): WindowFigures {
  return { rps, latestRps: rps, p99Ms, requests: rps * 60, podsCounted: 2, podsMissing: [], windowSeconds: 60, complete: true, observedAt: 0, ...overrides };
}

const cases: { name: string; before: WindowFigures | undefined; after: WindowFigures | undefined; moved: boolean }[] = [
  { name: 'no figures, then none', before: undefined, after: undefined, moved: false },
  { name: 'figures appear', before: undefined, after: figures(10, 100), moved: true },
  { name: 'figures disappear', before: figures(10, 100), after: undefined, moved: true },
  { name: 'the same figures, later', before: figures(100, 100), after: figures(100, 100, { observedAt: 15_000, windowSeconds: 45 }), moved: false },
  { name: 'rate within 10 %', before: figures(100, 100), after: figures(109, 100), moved: false },
  { name: 'rate up by more than 10 %', before: figures(100, 100), after: figures(112, 100), moved: true },
  { name: 'rate down by more than 10 %', before: figures(100, 100), after: figures(88, 100), moved: true },
  { name: 'a tiny rate moving by tiny amounts', before: figures(0.01, null), after: figures(0.05, null), moved: false },
  { name: 'p99 within 10 %', before: figures(100, 100), after: figures(100, 108), moved: false },
  { name: 'p99 up by more than 10 %', before: figures(100, 100), after: figures(100, 115), moved: true },
  { name: 'p99 crossing the SLA by a little', before: figures(100, 295), after: figures(100, 305), moved: true },
  { name: 'p99 back under the SLA by a little', before: figures(100, 305), after: figures(100, 299), moved: true },
  { name: 'p99 appears', before: figures(1, null), after: figures(1, 50), moved: true },
  { name: 'p99 disappears', before: figures(1, 50), after: figures(1, null), moved: true },
  { name: 'p99 beyond the largest bucket, twice', before: figures(100, Infinity), after: figures(100, Infinity), moved: false },
  { name: 'p99 beyond the largest bucket, from a finite one', before: figures(100, 60_000), after: figures(100, Infinity), moved: true },
  { name: 'enough requests for a p99, from too few', before: figures(1.5, 20, { requests: 90 }), after: figures(1.6, 20, { requests: 100 }), moved: true },
  { name: 'a pod more counted', before: figures(100, 100), after: figures(100, 100, { podsCounted: 3 }), moved: true },
];

for (const c of cases) {
  test(`liveFiguresMoved: ${c.name}`, () => {
    assert.equal(liveFiguresMoved(c.before, c.after, sla), c.moved);
  });
}
