import assert from 'node:assert/strict';
import { test } from 'node:test';
import { autoscalingPolicy, decideReplicas, type Decision, type DecisionInput, type Recommendation } from './decide.js';
import type { HistogramSnapshot } from './histogram.js';
import { recordRound, windowFigures, type ScrapeRound, type WindowFigures } from './window.js';

const now = 10_000_000;
const seconds = (s: number) => s * 1000;

/** Live figures: healthy, complete and fresh unless overridden. */
function figures(rps: number, overrides: Partial<WindowFigures> = {}): WindowFigures {
  return { rps, latestRps: rps, p99Ms: 120, requests: rps * 60, podsCounted: 2, podsMissing: [], windowSeconds: 60, complete: true, observedAt: now - seconds(5), ...overrides };
}

/** Capacity 150 req/s per replica, SLA p99 300 ms, 1 to 10 replicas, default policy; 2 replicas running. */
function input(overrides: Partial<DecisionInput> = {}): DecisionInput {
  return {
    now,
    currentReplicas: 2,
    podsStarting: false,
    window: figures(100),
    capacityRps: 150,
    slaP99Ms: 300,
    policy: autoscalingPolicy({ minReplicas: 1, maxReplicas: 10 }),
    history: [],
    ...overrides,
  };
}

const ago = (s: number, replicas: number): Recommendation => ({ at: now - seconds(s), replicas });

const cases: { name: string; input: DecisionInput; want: Partial<Decision>; reason?: RegExp }[] = [
  {
    name: 'step up on the request rate',
    input: input({ window: figures(412) }),
    want: { replicas: 4, action: 'scale-up', recommendation: 4 },
    reason: /^412 req\/s > 2 replicas × 150 req\/s × 0\.7 = 210 req\/s: scaling to 4$/,
  },
  {
    name: 'a large step up is limited per step to max(2 × current, current + 4)',
    input: input({ window: figures(1500) }),
    want: { replicas: 6, action: 'scale-up', recommendation: 10 },
    reason: /10 wanted, at most 6 this step/,
  },
  {
    name: 'max clamp: already at maxReplicas',
    input: input({ currentReplicas: 10, window: figures(5000) }),
    want: { replicas: 10, action: 'hold', holdReason: 'at-max-replicas', recommendation: 10 },
  },
  {
    name: 'above maxReplicas (max lowered): down to it at once',
    input: input({ currentReplicas: 12, window: undefined }),
    want: { replicas: 10, action: 'scale-down' },
  },
  {
    name: 'min > current: up to minReplicas at once, even without metrics or capacity',
    input: input({ currentReplicas: 1, policy: autoscalingPolicy({ minReplicas: 3, maxReplicas: 10 }), window: undefined, capacityRps: undefined }),
    want: { replicas: 3, action: 'scale-up' },
    reason: /1 replica is below minReplicas 3/,
  },
  {
    name: 'step down after the stabilization window',
    input: input({ currentReplicas: 4, window: figures(100), history: [ago(400, 4), ago(301, 4)] }),
    want: { replicas: 1, action: 'scale-down', recommendation: 1 },
  },
  {
    name: 'step down only as far as the highest recommendation inside the window',
    input: input({ currentReplicas: 4, window: figures(100), history: [ago(301, 4), ago(200, 2)] }),
    want: { replicas: 2, action: 'scale-down', recommendation: 1 },
  },
  {
    name: 'step down blocked inside the stabilization window',
    input: input({ currentReplicas: 4, window: figures(100), history: [ago(120, 4)] }),
    want: { replicas: 4, action: 'hold', holdReason: 'stabilizing', recommendation: 1 },
    reason: /1 replica would do, but 4 were recommended within the last 300 s/,
  },
  {
    name: 'within the tolerance band: no change',
    input: input({ window: figures(200) }),
    want: { replicas: 2, action: 'hold', holdReason: 'within-tolerance', recommendation: 2 },
    reason: /^200 req\/s is within 10 % of 2 replicas × 150 req\/s × 0\.7 = 210 req\/s$/,
  },
  {
    name: 'no capacity yet',
    input: input({ capacityRps: undefined, window: figures(1000) }),
    want: { replicas: 2, action: 'hold', holdReason: 'no-capacity', recommendation: undefined },
  },
  {
    name: 'p99 above the SLA at low rps: one more replica',
    input: input({ window: figures(20, { p99Ms: 450, requests: 1200 }) }),
    want: { replicas: 3, action: 'scale-up', recommendation: 3 },
    reason: /^p99 450 ms > SLA 300 ms at 20 req\/s/,
  },
  {
    name: 'p99 above the SLA inside the tolerance band still scales up',
    input: input({ window: figures(200, { p99Ms: 310 }) }),
    want: { replicas: 3, action: 'scale-up' },
  },
  {
    name: 'a step up in the latest interval is acted on before the window catches up',
    input: input({ window: figures(180, { latestRps: 400 }) }),
    want: { replicas: 4, action: 'scale-up', recommendation: 4 },
    reason: /^400 req\/s > 2 replicas × 150 req\/s × 0\.7 = 210 req\/s: scaling to 4$/,
  },
  {
    name: 'a fall in the latest interval waits for the window',
    input: input({ window: figures(200, { latestRps: 20 }) }),
    want: { replicas: 2, action: 'hold', holdReason: 'within-tolerance' },
  },
  {
    name: 'p99 above the SLA while serving the full measured capacity: the demand is unknown, double',
    input: input({ window: figures(290, { p99Ms: 900 }) }),
    want: { replicas: 4, action: 'scale-up', recommendation: 4 },
    reason: /^p99 900 ms > SLA 300 ms at 290 req\/s \(capacity 2 replicas × 150 req\/s × 0\.7 = 210 req\/s, saturated\): scaling to 4$/,
  },
  {
    name: 'saturated at maxReplicas: hold there',
    input: input({ currentReplicas: 10, window: figures(1500, { p99Ms: 900 }) }),
    want: { replicas: 10, action: 'hold', holdReason: 'at-max-replicas', recommendation: 10 },
  },
  {
    name: 'p99 above the SLA from too few requests to mean it: ignored',
    input: input({ currentReplicas: 1, window: figures(1, { p99Ms: 900, requests: 60 }) }),
    want: { replicas: 1, action: 'hold', holdReason: 'steady' },
  },
  {
    name: 'p99 above the SLA beyond every bucket (overload shed as 503s)',
    input: input({ window: figures(180, { p99Ms: Infinity }) }),
    want: { replicas: 3, action: 'scale-up' },
    reason: /p99 beyond the largest bucket > SLA 300 ms/,
  },
  {
    name: 'pods starting: wait for them',
    input: input({ podsStarting: true, window: figures(1000) }),
    want: { replicas: 2, action: 'hold', holdReason: 'pods-starting' },
  },
  {
    name: 'no metrics yet',
    input: input({ window: undefined }),
    want: { replicas: 2, action: 'hold', holdReason: 'no-metrics' },
  },
  {
    name: 'stale metrics',
    input: input({ window: figures(1000, { observedAt: now - seconds(120) }) }),
    want: { replicas: 2, action: 'hold', holdReason: 'stale-metrics' },
    reason: /120 s old/,
  },
  {
    name: 'one pod missing: no scale-down on figures that undercount',
    input: input({ currentReplicas: 4, window: figures(100, { complete: false, podsMissing: ['server-b'] }) }),
    want: { replicas: 4, action: 'hold', holdReason: 'incomplete-metrics', recommendation: 1, history: [] },
    reason: /no metrics from server-b/,
  },
  {
    name: 'one pod missing: a scale-up goes ahead, the load is at least what was counted',
    input: input({ window: figures(412, { complete: false, podsMissing: ['server-b'] }) }),
    want: { replicas: 4, action: 'scale-up', history: [{ at: now, replicas: 4 }] },
  },
  {
    name: 'at minReplicas with less load than one replica needs',
    input: input({ policy: autoscalingPolicy({ minReplicas: 2, maxReplicas: 10 }), window: figures(10) }),
    want: { replicas: 2, action: 'hold', holdReason: 'at-min-replicas' },
  },
  {
    name: 'the history keeps this recommendation and drops those past the window',
    input: input({ window: figures(412), history: [ago(301, 9), ago(299, 3)] }),
    want: { history: [ago(299, 3), { at: now, replicas: 4 }] },
  },
];

for (const c of cases) {
  test(`decide: ${c.name}`, () => {
    const decision = decideReplicas(c.input);
    for (const [key, value] of Object.entries(c.want)) assert.deepEqual(decision[key as keyof Decision], value, `${key} (reason: ${decision.reason})`);
    if (c.reason) assert.match(decision.reason, c.reason);
    assert.ok(decision.reason.length > 0);
  });
}

test('flapping load: up at once, then held by the stabilization window, down only once it is calm for the window', () => {
  let replicas = 2;
  let history: Recommendation[] = [];
  const trace: number[] = [];
  // Every 15 s for 10 minutes: 400 and 100 req/s alternating for the first 5 minutes, then 100 req/s.
  for (let i = 0; i < 40; i++) {
    const at = now + seconds(15 * i);
    const rps = i < 20 && i % 2 === 0 ? 400 : 100;
    const decision = decideReplicas(input({ now: at, currentReplicas: replicas, window: figures(rps, { observedAt: at - 1000 }), history }));
    replicas = decision.replicas;
    history = decision.history;
    trace.push(replicas);
    assert.ok(history.length <= 21, 'history stays within the stabilization window');
  }
  assert.deepEqual(trace.slice(0, 20), Array(20).fill(4), 'never down while the load flaps');
  // The last 400 req/s recommendation was at i = 18; it leaves the 300 s window at i = 38.
  assert.deepEqual(trace.slice(20, 38), Array(18).fill(4));
  assert.deepEqual(trace.slice(38), [1, 1]);
});

// Two pods, each scraped every 15 s; `a` restarts between 30 s and 45 s.
const bounds = [0.1, 0.2, 0.4, Infinity];
const served = (n: number): HistogramSnapshot => ({ buckets: bounds.map((le) => ({ le, count: n })), count: n, sum: n * 0.05 });

function history(pods: Record<string, (number | null)[]>): ScrapeRound[] {
  let rounds: ScrapeRound[] = [];
  for (let i = 0; i < 5; i++) {
    const entries = Object.entries(pods).map(([pod, counts]) => [pod, counts[i] === null ? null : served(counts[i]!)] as const);
    rounds = recordRound(rounds, { at: now - seconds(60 - 15 * i), pods: Object.fromEntries(entries) }, 60);
  }
  return rounds;
}

test('decide on real window figures: a restarted pod still counts its load', () => {
  const window = windowFigures(history({ a: [10_000, 13_000, 16_000, 1_000, 4_000], b: [0, 3_000, 6_000, 9_000, 12_000] }), 60);
  assert.ok(window);
  assert.equal(window.requests, 12_000 + 10_000, 'a: 3000 + 3000 + 1000 (since its restart) + 3000; b: 12000');
  const decision = decideReplicas(input({ currentReplicas: 3, window }));
  assert.equal(window.rps, 22_000 / 60);
  assert.deepEqual([decision.action, decision.replicas], ['scale-up', 4], decision.reason);
});

test('decide on real window figures: one pod whose scrape failed blocks a scale-down', () => {
  const window = windowFigures(history({ a: [0, 100, 200, 300, null], b: [0, 100, 200, 300, 400] }), 60);
  assert.ok(window);
  assert.deepEqual([window.complete, window.podsMissing], [false, ['a']]);
  const decision = decideReplicas(input({ currentReplicas: 4, window }));
  assert.deepEqual([decision.action, decision.holdReason], ['hold', 'incomplete-metrics'], decision.reason);
});

test('autoscalingPolicy fills defaults and refuses nonsense', () => {
  assert.deepEqual(autoscalingPolicy({ minReplicas: 1, maxReplicas: 3, tolerance: 0.2 }), {
    minReplicas: 1,
    maxReplicas: 3,
    targetUtilization: 0.7,
    tolerance: 0.2,
    scaleDownStabilizationSeconds: 300,
    scaleUpFactor: 2,
    scaleUpPods: 4,
    staleAfterSeconds: 45,
    minRequestsForP99: 100,
  });
  for (const bad of [{ minReplicas: 0, maxReplicas: 3 }, { minReplicas: 4, maxReplicas: 3 }, { minReplicas: 1, maxReplicas: 3, targetUtilization: 1.5 }]) {
    assert.throws(() => autoscalingPolicy(bad), RangeError, JSON.stringify(bad));
  }
});
