import assert from 'node:assert/strict';
import { test } from 'node:test';
import { judgeStrategyGoals, type GoalInputRow } from './strategy-goals.js';

function row(strategy: string, concurrency: number, figures: Partial<GoalInputRow> = {}): GoalInputRow {
  return { model: 'audio-cnn', payload: 'binary', strategy, concurrency, rps: 100, p50: 10, p99: 100, probePortP99: 5, rss: 400, limitRowsPerSecond: 120, attainable: 110, ...figures };
}

const byGoal = (verdicts: ReturnType<typeof judgeStrategyGoals>, start: string) => verdicts.filter((v) => v.goal.startsWith(start));

test('every goal is judged from the rows, met and missed alike', () => {
  const rows = [
    row('shared', 1, { p50: 10 }),
    row('batched', 1, { p50: 10.4 }),
    row('pool', 20, { rps: 90, p99: 200 }),
    row('batched', 20, { rps: 95, p99: 190 }),
    row('pool', 64, { rps: 90, p99: 600, rss: 400 }),
    row('batched', 64, { rps: 100, p99: 610, rss: 640, probePortP99: 12.5 }),
  ];
  const verdicts = judgeStrategyGoals(rows, [{ payload: 'binary', concurrency: 64, healthP99Ms: 14 }], 'audio-cnn');
  assert.equal(byGoal(verdicts, 'batched p50 at 1')[0].met, true, '1.04 × shared is within 5 %');
  assert.equal(byGoal(verdicts, 'batched at 20')[0].met, true);
  assert.equal(byGoal(verdicts, 'batched at 64 in flight ≥ pool')[0].met, false, 'more req/s, but a higher p99');
  const health = byGoal(verdicts, 'probe port')[0];
  assert.equal(health.met, false);
  assert.match(health.measured, /worst 12\.5 ms \(batched at 64\); 5 of 6 within/);
  assert.match(health.machine, /14\.0/);
  assert.equal(byGoal(verdicts, 'batched peak RSS')[0].met, false, '1.6 × pool');
  const limit = byGoal(verdicts, 'batched at 64 in flight ≥ 0.9')[0];
  assert.equal(limit.met, false, '100 / 120 = 0.83');
  assert.match(limit.machine, /0\.92 ×/);
});

test('a goal whose rows the run lacks says so, and JSON has its own in-process bound', () => {
  const verdicts = judgeStrategyGoals([row('batched', 64, { payload: 'json', rps: 97, limitRowsPerSecond: 120 })], [], 'audio-cnn');
  assert.equal(byGoal(verdicts, 'batched p50 at 1')[0].met, null);
  assert.equal(byGoal(verdicts, 'batched at 64 in flight ≥ 0.8')[0].met, true, '97 / 120 = 0.81');
  assert.deepEqual(judgeStrategyGoals([row('batched', 64)], [], 'mlp'), [], 'only the named model is judged');
});
