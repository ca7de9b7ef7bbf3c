import assert from 'node:assert/strict';
import { test } from 'node:test';
import { linearTicks, logTicks, p99VsThroughputSvg } from './svg-plot.js';

test('log ticks are 1-2-5 steps within the range', () => {
  assert.deepEqual(logTicks(1, 100), [1, 2, 5, 10, 20, 50, 100]);
  assert.deepEqual(logTicks(0.1, 1), [0.1, 0.2, 0.5, 1]);
});

test('linear ticks start at 0 and reach the maximum in round steps', () => {
  assert.deepEqual(linearTicks(430), [0, 100, 200, 300, 400, 500]);
  assert.deepEqual(linearTicks(0), [0, 1]);
});

test('the plot has one line and one legend entry per series, points placed inside the frame', () => {
  const svg = p99VsThroughputSvg('audio-cnn <json>', [
    { name: 'vernier batched', points: [{ throughputRps: 300, p99Ms: 40 }, { throughputRps: 100, p99Ms: 5 }] },
    { name: 'python fastapi', points: [{ throughputRps: 90, p99Ms: 300 }] },
    { name: 'never answered', points: [{ throughputRps: 0, p99Ms: 0 }] },
  ]);
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(svg, /audio-cnn &lt;json&gt;/);
  assert.equal((svg.match(/<polyline /g) ?? []).length, 1, 'a line only where a series has two points');
  assert.equal((svg.match(/<circle /g) ?? []).length, 3);
  for (const name of ['vernier batched', 'python fastapi', 'never answered']) assert.ok(svg.includes(`>${name}</text>`));
  const frame = { left: 70, right: 760 - 190, top: 40, bottom: 460 - 50 };
  for (const [, cx, cy] of svg.matchAll(/<circle cx="([\d.]+)" cy="([\d.]+)"/g)) {
    assert.ok(Number(cx) >= frame.left && Number(cx) <= frame.right, `x ${cx} inside`);
    assert.ok(Number(cy) >= frame.top && Number(cy) <= frame.bottom, `y ${cy} inside`);
  }
  // Lower p99 sits lower on the plot (larger y).
  const ys = [...svg.matchAll(/<circle cx="[\d.]+" cy="([\d.]+)"/g)].map((m) => Number(m[1]));
  assert.ok(ys[0] > ys[1], 'the 5 ms point is below the 40 ms point');
});
