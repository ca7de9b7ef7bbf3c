// The default strategy's goals, judged on one bench:server run: each goal, what the run measured, and whether it is
// met, with what the machine allows beside the goals it bounds (the HTTP floor's health p99 and attainable rate).
// Pure: the suite hands in its rows.
import { fixed } from '../table.js';

/** What the goals read of a bench:server row (medians over rounds; health p99s over every probe). */
export interface GoalInputRow {
  model: string;
  payload: string;
  /** The variant's label: the goals read the strategies' own labels (shared, pool, batched). */
  strategy: string;
  concurrency: number;
  rps: number;
  p50: number;
  p99: number;
  /** /v2/health/live on the probe port (--probe-port), answered by a thread of its own. */
  probePortP99: number | null;
  /** Peak RSS in MiB (the highest over rounds). */
  rss: number | null;
  /** In-process onnxruntime rows/s the row is compared with. */
  limitRowsPerSecond: number;
  /** Requests per second the machine allows at this load and payload (the HTTP floor's attainableRate); null when nothing set a pace. */
  attainable: number | null;
}

/** Health p99 of the trivial endpoint (the HTTP floor) at one load and payload. */
export interface FloorHealth {
  payload: string;
  concurrency: number;
  healthP99Ms: number | null;
}

export interface GoalVerdict {
  goal: string;
  payload: string;
  measured: string;
  /** null: the run lacks a row the goal needs. */
  met: boolean | null;
  /** What the machine allows, where a goal is bounded by it. */
  machine: string;
}

/** p99 of health checks on the probe port, every strategy but inline. */
export const HEALTH_P99_GOAL_MS = 10;
/** batched's p50 at 1 in flight against shared's. */
export const LONE_REQUEST_P50_GOAL = 1.05;
/** batched's peak RSS at 64 in flight against pool's. */
export const PEAK_RSS_GOAL = 1.5;
/** batched's req/s at 64 in flight against in-process onnxruntime's rows/s, by payload. */
export const IN_PROCESS_GOAL: Record<string, number> = { binary: 0.9, json: 0.8 };

const notMeasured = (goal: string, payload: string): GoalVerdict => ({ goal, payload, measured: 'not measured', met: null, machine: '' });

/** Every goal of `model` that the rows can judge, per payload, in the order the issue lists them. */
export function judgeStrategyGoals(rows: readonly GoalInputRow[], floors: readonly FloorHealth[], model: string): GoalVerdict[] {
  const mine = rows.filter((r) => r.model === model);
  const verdicts: GoalVerdict[] = [];
  for (const payload of [...new Set(mine.map((r) => r.payload))]) {
    const at = (strategy: string, concurrency: number) => mine.find((r) => r.payload === payload && r.strategy === strategy && r.concurrency === concurrency);

    const lone = 'batched p50 at 1 in flight ≤ 1.05 × shared';
    const [batched1, shared1] = [at('batched', 1), at('shared', 1)];
    if (batched1 && shared1) {
      const ratio = batched1.p50 / shared1.p50;
      verdicts.push({ goal: lone, payload, measured: `${fixed(ratio, 2)} × (${fixed(batched1.p50, 2)} vs ${fixed(shared1.p50, 2)} ms)`, met: ratio <= LONE_REQUEST_P50_GOAL, machine: '' });
    } else verdicts.push(notMeasured(lone, payload));

    for (const concurrency of [20, 64]) {
      const goal = `batched at ${concurrency} in flight ≥ pool's req/s, at a lower p99`;
      const [b, p] = [at('batched', concurrency), at('pool', concurrency)];
      if (!b || !p) {
        verdicts.push(notMeasured(goal, payload));
        continue;
      }
      verdicts.push({
        goal,
        payload,
        measured: `req/s ${fixed(b.rps / p.rps, 2)} ×, p99 ${fixed(b.p99 / p.p99, 2)} × (${fixed(b.rps)} vs ${fixed(p.rps)} req/s, ${fixed(b.p99, 0)} vs ${fixed(p.p99, 0)} ms)`,
        met: b.rps >= p.rps && b.p99 < p.p99,
        machine: '',
      });
    }

    const health = `probe port health p99 ≤ ${HEALTH_P99_GOAL_MS} ms (shared, pool, batched, every load)`;
    const probed = mine.filter((r) => r.payload === payload && ['shared', 'pool', 'batched'].includes(r.strategy) && r.probePortP99 !== null);
    if (probed.length > 0) {
      const worst = probed.reduce((a, b) => (b.probePortP99! > a.probePortP99! ? b : a));
      const floorP99s = floors.filter((f) => f.payload === payload && f.healthP99Ms !== null).map((f) => f.healthP99Ms!);
      verdicts.push({
        goal: health,
        payload,
        measured: `worst ${fixed(worst.probePortP99, 1)} ms (${worst.strategy} at ${worst.concurrency}); ${probed.filter((r) => r.probePortP99! <= HEALTH_P99_GOAL_MS).length} of ${probed.length} within`,
        met: worst.probePortP99! <= HEALTH_P99_GOAL_MS,
        machine: floorP99s.length > 0 ? `trivial endpoint's own health p99 ${fixed(Math.min(...floorP99s), 1)}–${fixed(Math.max(...floorP99s), 1)} ms` : '',
      });
    } else verdicts.push(notMeasured(health, payload));

    const memory = `batched peak RSS at 64 in flight ≤ ${PEAK_RSS_GOAL} × pool`;
    const [b64, p64] = [at('batched', 64), at('pool', 64)];
    if (b64?.rss && p64?.rss) {
      const ratio = b64.rss / p64.rss;
      verdicts.push({ goal: memory, payload, measured: `${fixed(ratio, 2)} × (${fixed(b64.rss, 0)} vs ${fixed(p64.rss, 0)} MiB)`, met: ratio <= PEAK_RSS_GOAL, machine: '' });
    } else verdicts.push(notMeasured(memory, payload));

    const target = IN_PROCESS_GOAL[payload];
    const limit = `batched at 64 in flight ≥ ${target} × in-process`;
    if (b64 && target !== undefined) {
      verdicts.push({
        goal: limit,
        payload,
        measured: `${fixed(b64.rps / b64.limitRowsPerSecond, 2)} × (${fixed(b64.rps)} req/s vs ${fixed(b64.limitRowsPerSecond)} rows/s)`,
        met: b64.rps / b64.limitRowsPerSecond >= target,
        machine: b64.attainable === null ? '' : `any HTTP server here: ${fixed(b64.attainable / b64.limitRowsPerSecond, 2)} × (the HTTP floor)`,
      });
    } else if (target !== undefined) verdicts.push(notMeasured(limit, payload));
  }
  return verdicts;
}
