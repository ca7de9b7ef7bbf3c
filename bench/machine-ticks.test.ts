import assert from 'node:assert/strict';
import { test } from 'node:test';
import { busyShare, machineTicks, machineTicksFromStat, stealShare, watchSteal } from './machine-ticks.js';

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
