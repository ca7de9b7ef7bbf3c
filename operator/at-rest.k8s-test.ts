// The operator at rest against a real kube-apiserver: a pass that changes nothing sends nothing, its own status write
// wakes no second pass, and a resync replays the cache without one API call. Requests are counted at a proxy in front.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from './log.js';
import { startOperator } from './operator.js';
import { defaultSettings } from './settings.js';
import { createNamespace, eventually, operatorKubeConfig, startTestCluster } from './test-support/cluster.js';
import { FaultProxy, type ProxiedRequest } from './test-support/fault-proxy.js';
import { createIsvc, getIsvc, manifest, patchSpec } from './test-support/isvc.js';

const NS = 'rest';
const NAMES = ['rest-a', 'rest-b', 'rest-c'];
const RESYNC_MS = 1_500;

const describe = (requests: readonly ProxiedRequest[]) => requests.map((r) => `${r.method} ${r.path}`).join(', ') || 'none';

test('at rest: no-op passes and resyncs send no request; a status write of its own does not enqueue', { timeout: 180_000 }, async (t) => {
  const cluster = await startTestCluster({ controllerManager: false });
  const logs: string[] = [];
  let passed = false;
  const cleanups: Array<() => Promise<void>> = [];
  t.after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    if (!passed) process.stderr.write(`operator logs:\n${logs.join('')}`);
    await cluster.stop();
  });
  const { admin, cp } = cluster;
  await createNamespace(admin, NS);
  const proxy = await FaultProxy.start({ upstream: cp.server, caCertPath: cp.caCertPath, certPath: cp.servingCertPath, keyPath: cp.servingKeyPath });
  cleanups.push(() => proxy.close());
  const operator = await startOperator({
    kubeConfig: await operatorKubeConfig(cluster, NS, proxy.url),
    settings: defaultSettings({ serverImage: 'vernier:test' }),
    informers: { resyncEveryMs: RESYNC_MS },
    log: createLogger({ level: 'debug', write: (line) => logs.push(line) }),
  });
  cleanups.push(() => operator.stop());
  const reconciles = async () => (await operator.metrics.reconcileDuration.get()).values.find((v) => v.metricName?.endsWith('_count'))?.value ?? 0;
  const statusWrites = async () => (await operator.metrics.statusWrites.get()).values[0]?.value ?? 0;
  const sentSince = (from: number) => proxy.requests.slice(from).filter((r) => !r.watch);

  for (const name of NAMES) await createIsvc(admin, manifest(name, NS));
  for (const name of NAMES) {
    await eventually(`${name}: its first status`, async () => ((await getIsvc(admin, NS, name)).status?.observedGeneration === 1 ? true : undefined));
  }
  // Quiet: no request of the operator's for a while (Events are sent off the reconcile's path, so wait them out too).
  await eventually('the operator to go quiet', async () => {
    const mark = proxy.requests.length;
    await sleep(1_000);
    return sentSince(mark).length === 0 ? true : undefined;
  }, 30_000, 0);

  // Resyncs: every InferenceService is reconciled again from the cache, and nothing is sent.
  const mark = proxy.requests.length;
  const before = await reconciles();
  await sleep(RESYNC_MS * 3 + 500);
  const resynced = (await reconciles()) - before;
  assert.ok(resynced >= NAMES.length * 2, `at least two resyncs of ${NAMES.length} InferenceServices ran, saw ${resynced} reconciles`);
  assert.deepEqual(sentSince(mark), [], `requests during ${resynced} no-op reconciles: ${describe(sentSince(mark))}`);

  // A spec change: one status write, and its echo through the watch changes nothing in the cache, so wakes nothing.
  const changeMark = proxy.requests.length;
  const logMark = logs.length;
  const writesBefore = await statusWrites();
  await patchSpec(admin, NS, NAMES[0], { sla: { p99LatencyMs: 77 } });
  await eventually('the status of generation 2', async () => ((await getIsvc(admin, NS, NAMES[0])).status?.observedGeneration === 2 ? true : undefined));
  await sleep(1_000);
  assert.equal((await statusWrites()) - writesBefore, 1, 'one status write');
  assert.deepEqual(
    sentSince(changeMark).map((r) => `${r.method} ${r.path}`),
    [`PUT /apis/vernier.dev/v1alpha1/namespaces/${NS}/inferenceservices/${NAMES[0]}/status`],
    'only the status write was sent',
  );
  const wakeUps = logs
    .slice(logMark)
    .map((line) => JSON.parse(line) as { msg: string; informer?: string; object?: string; type?: string })
    .filter((l) => l.msg === 'event' && l.object === `${NS}/${NAMES[0]}`);
  assert.deepEqual(wakeUps.map((l) => `${l.informer}:${l.type}`), ['inferenceservices:update'], 'the spec change woke a pass; the status write did not');
  passed = true;
});
