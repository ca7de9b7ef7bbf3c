import assert from 'node:assert/strict';
import { test } from 'node:test';
import { busyShare, leastStolen, machineTicks, machineTicksFromStat, STEAL_WARNING_SHARE, stealShare, watchSteal } from './machine-ticks.js';

test('machine busy and stolen shares from two /proc/stat readings', () => {
  const before = machineTicksFromStat('cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 50 0 25 400 25 0 0 0 0 0\n');
  const after = machineTicksFromStat('cpu  250 10 90 900 50 0 0 60 0 0\n');
  assert.deepEqual(before, { busy: 150, steal: 0, total: 1000 });
  assert.equal(busyShare(before, after), 260 / 360);
  assert.equal(stealShare(before, after), 60 / 360);
  assert.equal(busyShare(after, after), 0);
  assert.equal(stealShare(after, after), 0);
});

test('a /proc/stat without a cpu line is refused', () => {
  assert.throws(() => machineTicksFromStat('intr 1 2 3\n'), /no "cpu" line/);
});

test('this machine reads its own ticks', () => {
  const now = machineTicks();
  assert.ok(now.total > 0 && now.busy <= now.total && now.steal <= now.busy);
  const stolen = watchSteal().stop();
  assert.ok(stolen >= 0 && stolen <= 1, `a share of the CPU time, not ${stolen}`);
});

test('a measurement is taken again while steal is above the line, and the least stolen kept', async () => {
  const measuring = (steals: number[]) => {
    let i = 0;
    return async () => ({ steal: steals[i], index: i++ });
  };
  const retried: number[] = [];
  const quiet = await leastStolen(measuring([0.01, 0.5]), 2);
  assert.deepEqual(quiet, { result: { steal: 0.01, index: 0 }, runs: 1 });
  const calmed = await leastStolen(measuring([0.2, 0.03, 0.5]), 2, (r) => retried.push(r.steal));
  assert.deepEqual(calmed, { result: { steal: 0.03, index: 1 }, runs: 2 });
  assert.deepEqual(retried, [0.2]);
  const never = await leastStolen(measuring([0.3, 0.4, 0.1, 0.0]), 2);
  assert.deepEqual(never, { result: { steal: 0.1, index: 2 }, runs: 3 }, 'two more runs at most, the least stolen kept');
  assert.ok(never.result.steal > STEAL_WARNING_SHARE);
  assert.deepEqual(await leastStolen(measuring([0.9]), 0), { result: { steal: 0.9, index: 0 }, runs: 1 });
});
