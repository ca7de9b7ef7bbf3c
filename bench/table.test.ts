import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixed, formatTable } from './table.js';

test('a table left-aligns its label column and right-aligns numbers, or left-aligns as many text columns as asked', () => {
  const rows = [
    ['batched', 'met', '1.5'],
    ['pool', 'missed', '10.25'],
  ];
  assert.equal(formatTable(['variant', 'verdict', 'ms'], rows), ['variant  verdict     ms', '-------  -------  -----', 'batched      met    1.5', 'pool      missed  10.25'].join('\n'));
  assert.equal(formatTable(['variant', 'verdict', 'ms'], rows, 2).split('\n')[2], 'batched  met        1.5');
});

test('a missing figure prints as a dash', () => {
  assert.equal(fixed(null), '-');
  assert.equal(fixed(Number.NaN), '-');
  assert.equal(fixed(2.345, 2), '2.35');
});
