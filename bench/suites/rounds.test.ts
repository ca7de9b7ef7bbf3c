import assert from 'node:assert/strict';
import { test } from 'node:test';
import { median, rotated } from './rounds.js';

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
