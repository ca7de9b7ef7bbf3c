// Crashes and outages: the operator killed mid-reconcile, a standby taking the lease, kube-apiserver restarted.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { V1Deployment } from '@kubernetes/client-node';
import { resourcePath } from './kube-client.js';
import { at, DEPLOYMENTS, LEASES } from './resources.js';
import { createNamespace, eventually, operatorKubeConfig, startTestCluster } from './test-support/cluster.js';
import { compactReport } from './test-support/fixtures.js';
import { benchmarkJobs, condition, createIsvc, getIsvc, hashOf, manifest, patchSpec } from './test-support/isvc.js';
import { OperatorProcess } from './test-support/operator-process.js';
import { benchmarkPodFinishes, serverPodsBecomeReady } from './test-support/play-node.js';

const NS = 'crash';
const NAME = 'mlp';

async function metric(port: number, pattern: RegExp): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return [...text.matchAll(new RegExp(pattern, 'gm'))].reduce((sum, m) => sum + Number(m[1]), 0);
}

test('operator killed mid-reconcile → a standby takes the lease and converges with no duplicate Job; kube-apiserver restarted → informers resume', { timeout: 300_000 }, async (t) => {
  const cluster = await startTestCluster({ controllerManager: true });
  const dir = await mkdtemp(join(tmpdir(), 'vernier-operator-'));
  const processes: OperatorProcess[] = [];
  let finished = false;
  // One hook, in order: stop the operators, show their logs on failure, then stop the control plane.
  t.after(async () => {
    for (const p of processes) p.kill('SIGKILL');
    await Promise.all(processes.map((p) => p.exited));
    if (!finished || process.env.VERNIER_TEST_VERBOSE) process.stderr.write(processes.map((p) => p.dump()).join(''));
    await rm(dir, { recursive: true, force: true });
    await cluster.stop();
  });
  const { admin, cp } = cluster;
  await createNamespace(admin, NS);
  const kubeconfig = join(dir, 'kubeconfig');
  await writeFile(kubeconfig, (await operatorKubeConfig(cluster, NS)).exportConfig(), { mode: 0o600 });
  const args = (leaseSeconds: number) => [
    `--kubeconfig=${kubeconfig}`,
    '--server-image=vernier:test',
    '--leader-elect',
    `--leader-election-namespace=${NS}`,
    `--lease-duration-seconds=${leaseSeconds}`,
    '--metrics-host=127.0.0.1',
    '--metrics-port=0',
  ];
  // A short lease makes the takeover quick; the one that rides out the API server restart needs a longer one.
  const start = (name: string, leaseSeconds = 3) => {
    const p = new OperatorProcess(name, args(leaseSeconds));
    processes.push(p);
    return p;
  };

  // A leads; B waits as a standby, healthy but idle.
  const a = start('operator-a');
  await a.waitForLog('informers synced');
  const b = start('operator-b');
  const bPort = await b.httpPort();
  await sleep(1_000);
  assert.equal(await metric(bPort, /^vernier_operator_leader (\d+)/), 0, 'B is a standby while A holds the lease');
  assert.equal((await fetch(`http://127.0.0.1:${bPort}/readyz`)).status, 200, 'a standby is ready (healthy)');

  const created = await createIsvc(admin, manifest(NAME, NS));
  await serverPodsBecomeReady(admin, NS, NAME, 1);
  const job = await eventually('the benchmark Job from A', async () => (await benchmarkJobs(admin, NS, NAME))[0], 60_000, 5);
  // Kill A the moment the Job exists: the pass that created it has not finished writing status.
  a.kill('SIGKILL');
  const killedAt = Date.now();
  await a.exited;
  t.diagnostic(`A killed ${job.metadata?.creationTimestamp} with status Benchmarked=${condition(await getIsvc(admin, NS, NAME), 'Benchmarked')?.reason ?? '(none)'}`);

  await b.waitForLog('became leader', 30_000);
  t.diagnostic(`B took over ${Date.now() - killedAt} ms after A was killed (lease 3 s)`);
  await eventually('B to report the running benchmark', async () => {
    const i = await getIsvc(admin, NS, NAME);
    return condition(i, 'Benchmarked')?.reason === 'BenchmarkRunning' && i.status?.observedGeneration === 1 ? i : undefined;
  });
  await sleep(500);
  assert.deepEqual((await benchmarkJobs(admin, NS, NAME)).map((j) => j.metadata?.uid), [job.metadata?.uid], 'the same single Job: nothing duplicated across the crash');

  await benchmarkPodFinishes(admin, job, { report: compactReport({ p99Ms: 12 }) });
  const measured = await eventually('B to write the result', async () => {
    const i = await getIsvc(admin, NS, NAME);
    return i.status?.benchmark?.specHash === hashOf(created) ? i : undefined;
  });
  assert.equal(condition(measured, 'SLAMet')?.status, 'True');

  // SIGTERM: B exits 0 and gives the lease up, so C takes it without waiting for it to expire.
  b.kill('SIGTERM');
  assert.deepEqual(await b.exited, { code: 0, signal: null });
  const lease = await admin.request<{ spec: { holderIdentity?: string } }>({ method: 'GET', path: resourcePath(at(LEASES, NS, 'vernier-operator')) });
  assert.equal(lease.spec.holderIdentity ?? '', '', 'the lease is released on shutdown');
  const cStarted = Date.now();
  const c = start('operator-c', 20);
  const cPort = await c.httpPort();
  await c.waitForLog('informers synced', 60_000);
  const takeoverMs = Date.now() - cStarted;
  assert.ok(takeoverMs < 15_000, `C leads in ${takeoverMs} ms, well before a 20 s lease could have expired`);

  // kube-apiserver restarts: C's watches break; its supervisor brings them back.
  const restartMs = await cp.restartApiServer();
  t.diagnostic(`kube-apiserver restarted in ${restartMs} ms`);
  await eventually('C informers to have restarted', async () => ((await metric(cPort, /^vernier_operator_informer_restarts_total\{[^}]*reason="error"[^}]*\} (\d+)/)) > 0 ? true : undefined), 60_000, 200);
  const patchedAt = performance.now();
  // Replicas scale the Deployment; the benchmark's duration is in the spec hash, so it also brings a new benchmark.
  const changed = await patchSpec(admin, NS, NAME, { replicas: 2, benchmark: { durationSeconds: 7 } });
  await eventually('C to scale the Deployment after the restart', async () => {
    const d = await admin.request<V1Deployment>({ method: 'GET', path: resourcePath(at(DEPLOYMENTS, NS, NAME)) });
    return d.spec?.replicas === 2 ? d : undefined;
  }, 60_000, 20);
  const patchToDeploymentMs = performance.now() - patchedAt;
  await serverPodsBecomeReady(admin, NS, NAME, 2);
  const job2 = await eventually('the benchmark Job for 2 replicas', async () => (await benchmarkJobs(admin, NS, NAME)).find((j) => j.metadata?.name?.endsWith(hashOf(changed).slice(0, 10))));
  await benchmarkPodFinishes(admin, job2, { report: compactReport({ p99Ms: 9, throughputRps: 400 }) });
  const after = await eventually('the result for 2 replicas', async () => {
    const i = await getIsvc(admin, NS, NAME);
    return i.status?.benchmark?.specHash === hashOf(changed) ? i : undefined;
  });
  assert.equal(after.status?.readyReplicas, 2);
  assert.equal(after.status?.benchmark?.throughputRps, 400);
  assert.equal(await metric(cPort, /^vernier_operator_leader (\d+)/), 1, 'C kept the lease through the API server restart');
  c.kill('SIGTERM');
  assert.deepEqual(await c.exited, { code: 0, signal: null });

  finished = true;
  t.diagnostic(`C took the released lease and synced in ${takeoverMs} ms`);
  t.diagnostic(`spec change → Deployment updated (after the API server restart): ${patchToDeploymentMs.toFixed(0)} ms`);
});
