// /proc stat parsing, and CPU read back from this very process.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseProcStat, processCpuSeconds, processTreeCpu, watchMainThread } from './process-usage.js';

test('a /proc stat line: parent pid and utime + stime, even when the command name holds spaces and parentheses', () => {
  const stat = '4242 (node (MainThread) x) S 4200 4242 4200 0 -1 4194560 52013 0 12 0 1534 287 0 0 20 0 11 0 8839 1215668224 41000 18446744073709551615';
  assert.deepEqual(parseProcStat(stat), { ppid: 4200, cpuSeconds: (1534 + 287) / 100 });
  assert.throws(() => parseProcStat('4242 (node) S'), /unexpected/);
});

test('CPU spent by this process shows in its tree, its total and its main thread', () => {
  const watch = watchMainThread(process.pid);
  const before = processCpuSeconds(process.pid)!;
  const until = performance.now() + 150;
  while (performance.now() < until); // busy: at least 0.15 s of CPU on this thread, ~15 clock ticks
  const after = processCpuSeconds(process.pid)!;
  assert.ok(after - before >= 0.05, `CPU seconds moved by ${after - before}`);
  assert.ok((watch.stop(1) ?? 0) >= 50_000, 'the main thread spent at least 50 ms');
  assert.ok(processTreeCpu(process.pid).has(process.pid));
  assert.equal(processCpuSeconds(2 ** 22 + 1), undefined, 'no such pid');
});
