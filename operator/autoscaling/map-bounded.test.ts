import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { mapBounded } from './map-bounded.js';

test('mapBounded keeps the order of the items and at most `limit` calls in flight', async () => {
  let inFlight = 0;
  let most = 0;
  const results = await mapBounded([5, 1, 4, 2, 3, 0, 6], 3, async (n) => {
    most = Math.max(most, ++inFlight);
    await sleep(n);
    inFlight--;
    return n * 10;
  });
  assert.deepEqual(results, [50, 10, 40, 20, 30, 0, 60]);
  assert.equal(most, 3);
});

test('mapBounded of nothing is nothing, and a limit must be a positive integer', async () => {
  assert.deepEqual(await mapBounded([], 4, async () => 1), []);
  await assert.rejects(mapBounded([1], 0, async () => 1), RangeError);
});
