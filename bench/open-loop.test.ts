import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openLoopSchedule } from './open-loop.js';

function take(iterator: Iterator<number>, n: number): number[] {
  return Array.from({ length: n }, () => iterator.next().value as number);
}

test('constant arrivals are evenly spaced at 1/rate', () => {
  assert.deepEqual(take(openLoopSchedule(200, 'constant', 1), 5), [0, 5, 10, 15, 20]);
});

test('poisson arrivals: increasing, mean gap 1/rate, gaps vary, reproducible from the seed', () => {
  const times = take(openLoopSchedule(100, 'poisson', 42), 20_001);
  const gaps = times.slice(1).map((t, i) => t - times[i]);
  assert.ok(gaps.every((g) => g >= 0));
  const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
  assert.ok(Math.abs(mean - 10) < 0.5, `mean gap ${mean} ms, expected about 10 ms`);
  // An exponential distribution's standard deviation equals its mean.
  const sd = Math.sqrt(gaps.reduce((a, g) => a + (g - mean) ** 2, 0) / gaps.length);
  assert.ok(Math.abs(sd - mean) < 1, `standard deviation ${sd}, expected about ${mean}`);
  assert.deepEqual(take(openLoopSchedule(100, 'poisson', 42), 50), times.slice(0, 50));
  assert.notDeepEqual(take(openLoopSchedule(100, 'poisson', 43), 50), times.slice(0, 50));
});
