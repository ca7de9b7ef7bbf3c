import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { DeadlineQueue, type Expirable } from './deadlines.js';

function entry(log: string[], name: string): Expirable {
  const e: Expirable = {
    deadline: 0,
    settled: false,
    expire: () => {
      e.settled = true;
      log.push(name);
    },
  };
  return e;
}

test('unsettled entries expire in order after the timeout; settled ones never do', async () => {
  const log: string[] = [];
  const queue = new DeadlineQueue(30);
  const a = entry(log, 'a');
  const b = entry(log, 'b');
  const c = entry(log, 'c');
  queue.add(a);
  queue.add(b);
  await sleep(10);
  queue.add(c);
  b.settled = true;
  queue.settled();
  assert.deepEqual(log, []);
  await sleep(200);
  assert.deepEqual(log, ['a', 'c']);
  queue.close();
});

test('a closed queue expires nothing', async () => {
  const log: string[] = [];
  const queue = new DeadlineQueue(10);
  queue.add(entry(log, 'a'));
  queue.close();
  await sleep(50);
  assert.deepEqual(log, []);
});
