import assert from 'node:assert/strict';
import { test } from 'node:test';
import { attainableRate, measureHttpFloor } from './http-floor.js';

test('the attainable rate adds the floor to in-process inference, core for core', () => {
  // 100 rows/s on 2 cores: 20 ms of CPU a row. No floor: the in-process limit itself.
  assert.equal(attainableRate(100, 2, { serverMicrosPerRequest: 0, benchProcessMicrosPerRequest: 0 }), 100);
  // 2 ms of floor (1.5 endpoint + 0.5 bench process) on top of 20: 2 / 0.022 = 90.9 req/s.
  assert.ok(Math.abs(attainableRate(100, 2, { serverMicrosPerRequest: 1500, benchProcessMicrosPerRequest: 500 }) - 2 / 0.022) < 1e-9);
  // The same floor weighs twice as much on one core.
  assert.ok(Math.abs(attainableRate(50, 1, { serverMicrosPerRequest: 1500, benchProcessMicrosPerRequest: 500 }) - 1 / 0.022) < 1e-9);
});

test('the HTTP floor loads the trivial endpoint with the model\'s payloads at the pace it is given', async () => {
  const metadata = { name: 'wide', platform: 'trivial', inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 4096] }], outputs: [{ name: 'y', datatype: 'FP32', shape: [-1, 1] }] };
  // 4 in flight, answered after 4 / 40 s = 100 ms each: about 40 req/s, far below what loopback could carry.
  const floor = await measureHttpFloor({ metadata, payload: 'binary', concurrency: 4, paceRps: 40, seconds: 1.5 });
  assert.ok(floor.rps > 25 && floor.rps <= 41, `paced at 40 req/s, ran at ${floor.rps}`);
  assert.ok(floor.serverMicrosPerRequest > 0, 'the endpoint spent CPU receiving 16 KiB bodies');
  assert.ok(floor.benchProcessMicrosPerRequest > 0, 'the bench process spent CPU sending them');
  assert.ok(floor.healthP99Ms !== null && floor.healthP99Ms > 0 && floor.healthP99Ms < 10_000, `the endpoint answered its health checks (p99 ${floor.healthP99Ms} ms)`);
});

test('the HTTP floor refuses a pace it cannot answer by', async () => {
  await assert.rejects(measureHttpFloor({ metadata: { name: 'm' }, payload: 'json', concurrency: 4, paceRps: 0, seconds: 1 }), /needs a pace above 0 req\/s/);
});
