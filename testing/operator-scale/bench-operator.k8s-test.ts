// The scale benchmark's smoke run (30 objects, 20 s idle) on a real control plane: every object observed, and
// figures that hold together.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runOperatorScaleBench } from './scale-bench.js';
import { parseBenchArgs } from './settings.js';

test('bench:operator --smoke: all InferenceServices observed, the operator\'s requests counted and split by verb', { timeout: 150_000 }, async (t) => {
  const { settings } = parseBenchArgs(['--smoke'])!;
  const figures = await runOperatorScaleBench({ ...settings, progress: (line) => t.diagnostic(line) });
  const { creation, idle, specChange, restart } = figures;

  assert.ok(creation.allObservedSeconds > 0 && creation.allObservedSeconds < settings.observeTimeoutSeconds);
  assert.ok(creation.requests.requests > 0, 'the operator made requests while the objects were created');
  assert.equal(
    Object.values(creation.requests.byVerb).reduce((a, b) => a + b, 0),
    creation.requests.requests,
    'the split by verb adds up to the total',
  );
  assert.ok(creation.requests.statusWrites >= settings.count, 'at least one status write per object');
  assert.ok(creation.reconciles >= settings.count, 'at least one reconcile per object');
  assert.ok(creation.cpuSeconds > 0);
  assert.ok(creation.rssMiB.start > 0 && creation.rssMiB.peak >= creation.rssMiB.start);

  assert.ok(idle.seconds >= settings.idleSeconds);
  assert.ok(idle.rate.perSecond >= 0 && idle.rate.maxPerBucket >= 0);
  assert.ok(idle.rssMiB.peak > 0);

  assert.equal(specChange.latency.count, settings.changes);
  assert.ok(specChange.latency.medianMs > 0 && specChange.latency.maxMs >= specChange.latency.medianMs);

  assert.ok(restart.syncedSeconds > 0);
  assert.equal(restart.changedCurrentMs.count, settings.changes);
  assert.ok(restart.allCurrentSeconds >= restart.syncedSeconds);
  assert.ok(restart.requests.watches > 0, 'the new operator opened its watches');
  assert.ok(restart.requests.statusWrites >= settings.changes, 'the specs changed while it was down got their status');
  assert.ok(restart.statusWritesToUnchanged >= 0);
  t.diagnostic(`creation: ${creation.requests.requests} requests (${creation.requests.perObject.toFixed(1)} per object), all observed after ${creation.allObservedSeconds.toFixed(1)} s`);
});
