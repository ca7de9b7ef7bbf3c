import assert from 'node:assert/strict';
import { test } from 'node:test';
import { comparePaired, median, rotated, signTestP } from './rounds.js';

test('rounds rotate the order, so no contender always runs first', () => {
  assert.deepEqual(rotated(['a', 'b', 'c'], 0), ['a', 'b', 'c']);
  assert.deepEqual(rotated(['a', 'b', 'c'], 1), ['b', 'c', 'a']);
  assert.deepEqual(rotated(['a', 'b', 'c'], 4), ['b', 'c', 'a']);
  assert.deepEqual(rotated([], 3), []);
});

test('a median over rounds skips what was not measured', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1]), 2.5);
  assert.equal(median([null, 5, null]), 5);
  assert.equal(median([null]), null);
  assert.equal(median([]), null);
});

test('paired rounds: ratios per round, wins by the better direction, and a sign test', () => {
  const rps = comparePaired([110, 90, 120, null], [100, 100, 100, 100], 'higher');
  assert.equal(rps.rounds, 3);
  assert.equal(rps.wins, 2);
  assert.equal(rps.medianRatio, 1.1);
  const p99 = comparePaired([90, 80, 70, 60, 50, 40, 30, 20], [100, 100, 100, 100, 100, 100, 100, 100], 'lower');
  assert.equal(p99.wins, 8);
  assert.equal(p99.signTestP, 2 / 256);
  assert.equal(comparePaired([], [], 'higher').signTestP, 1);
});

test('sign test: even splits are no evidence, lopsided ones are', () => {
  assert.equal(signTestP(4, 8), 1);
  assert.equal(signTestP(0, 8), 2 / 256);
  assert.equal(signTestP(7, 8), (2 * (1 + 8)) / 256);
  assert.equal(signTestP(1, 1), 1);
});
