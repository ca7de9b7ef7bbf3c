// The loop, closed against a real kube-apiserver + etcd + kube-controller-manager; the test plays the kubelet.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import type { V1Deployment, V1Job, V1Service } from '@kubernetes/client-node';
import { isNotFound, resourcePath } from './kube-client.js';
import { createLogger } from './log.js';
import { startOperator } from './operator.js';
import { at, DEPLOYMENTS, JOBS, SERVICES } from './resources.js';
import { defaultSettings } from './settings.js';
import { createNamespace, eventually, operatorKubeConfig, startTestCluster } from './test-support/cluster.js';
import { compactReport } from './test-support/fixtures.js';
import { benchmarkJobs, condition, createIsvc, getIsvc, hashOf, isvcPath, manifest, patchSpec, type StoredIsvc } from './test-support/isvc.js';
import { benchmarkPodFinishes, serverPodsBecomeReady } from './test-support/play-node.js';

const execFileAsync = promisify(execFile);
const NS = 'ml';
const NAME = 'audio-cnn';

test('operator: apply → children → Ready → one benchmark → status → SLAMet, spec changes, failures, deletion', { timeout: 300_000 }, async (t) => {
  const cluster = await startTestCluster({ controllerManager: true });
  const cleanups: Array<() => Promise<void> | void> = [];
  // One hook, in order: dump logs, stop the operator, then the control plane it talks to.
  t.after(async () => {
    for (const cleanup of cleanups) await cleanup();
    await cluster.stop();
  });
  const { admin, cp } = cluster;
  await createNamespace(admin, NS);
  const logs: string[] = [];
  const operator = await startOperator({
    kubeConfig: await operatorKubeConfig(cluster, NS),
    settings: defaultSettings({ serverImage: 'vernier:test', benchmarkTtlSeconds: 3 }),
    http: { host: '127.0.0.1', port: 0 },
    log: createLogger({ level: process.env.VERNIER_TEST_LOG_LEVEL === 'debug' ? 'debug' : 'info', write: (line) => logs.push(line) }),
  });
  let finished = false;
  cleanups.push(() => {
    // On failure, the operator's own account of what it did is the first thing to read.
    if (!finished || process.env.VERNIER_TEST_VERBOSE) process.stderr.write(`operator logs:\n${logs.join('')}`);
  });
  cleanups.push(() => operator.stop());

  const read = () => getIsvc(admin, NS, NAME);
  const waitFor = (what: string, check: (isvc: StoredIsvc) => boolean, timeoutMs = 60_000) =>
    eventually(what, async () => {
      const isvc = await read();
      return check(isvc) ? isvc : undefined;
    }, timeoutMs, 20);
  const getOrUndefined = async <T>(path: string) => {
    try {
      return await admin.request<T>({ method: 'GET', path });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  };

  // 1. Apply → Deployment and Service with the right args.
  const appliedAt = performance.now();
  const created = await createIsvc(admin, manifest(NAME, NS));
  const deployment = await eventually('the server Deployment', () => getOrUndefined<V1Deployment>(resourcePath(at(DEPLOYMENTS, NS, NAME))), 30_000, 10);
  const applyToDeploymentMs = performance.now() - appliedAt;
  const server = deployment.spec!.template.spec!.containers[0];
  assert.deepEqual(server.args?.slice(0, 7), ['serve', '--model', 'builtin://audio-cnn', '--name', 'audio-cnn', '--strategy', 'batched']);
  assert.equal(server.image, 'vernier:test');
  assert.deepEqual(deployment.metadata?.ownerReferences?.map((r) => [r.kind, r.uid, r.controller]), [['InferenceService', created.metadata.uid, true]]);
  assert.equal(deployment.spec!.template.spec!.securityContext?.runAsNonRoot, true);
  assert.ok(deployment.metadata?.managedFields?.some((f) => f.manager === 'vernier' && f.operation === 'Apply'), 'applied server-side by "vernier"');
  const service = await eventually('the Service', () => getOrUndefined<V1Service>(resourcePath(at(SERVICES, NS, NAME))), 30_000, 20);
  assert.equal(service.spec?.ports?.[0].port, 8080);
  assert.deepEqual(service.spec?.selector, deployment.spec?.selector.matchLabels);

  const pending = await waitFor('the first status', (i) => i.status?.observedGeneration === 1);
  assert.equal(condition(pending, 'Ready')?.status, 'False');
  assert.equal(condition(pending, 'Benchmarked')?.reason, 'BenchmarkPending');
  assert.equal(condition(pending, 'SLAMet')?.status, 'Unknown');
  assert.equal(pending.status?.endpoint, `http://${NAME}.${NS}.svc:8080`);
  assert.equal((await benchmarkJobs(admin, NS, NAME)).length, 0, 'no benchmark before the server is Ready');

  // 2. Ready follows the Deployment, which the real controllers mark available once the pods are Ready.
  await serverPodsBecomeReady(admin, NS, NAME, 1);
  const ready = await waitFor('Ready=True', (i) => condition(i, 'Ready')?.status === 'True');
  assert.equal(ready.status?.readyReplicas, 1);

  // 3. One Job per spec hash.
  const hash1 = hashOf(created);
  const jobs = await eventually('the benchmark Job', async () => {
    const list = await benchmarkJobs(admin, NS, NAME);
    return list.length > 0 ? list : undefined;
  });
  assert.equal(jobs.length, 1);
  const job1 = jobs[0];
  assert.equal(job1.metadata?.name, `${NAME}-bench-${hash1.slice(0, 10)}`);
  const benchArgs = job1.spec!.template.spec!.containers[0].args!;
  assert.equal(benchArgs[benchArgs.indexOf('--url') + 1], `http://${NAME}.${NS}.svc:8080`);
  // Extra passes (a label change is an update event without a spec change) must not add a Job.
  for (let i = 0; i < 3; i++) {
    await admin.request({ method: 'PATCH', path: isvcPath(NS, NAME), contentType: 'application/merge-patch+json', body: { metadata: { labels: { poke: String(i) } } } });
  }
  await sleep(500);
  assert.deepEqual((await benchmarkJobs(admin, NS, NAME)).map((j) => j.metadata?.uid), [job1.metadata?.uid], 'still exactly one Job');

  // 4. The report in the pod's termination message → status.benchmark, Benchmarked and SLAMet.
  const podFinishedAt = performance.now();
  await benchmarkPodFinishes(admin, job1, { report: compactReport({ p99Ms: 40.5 }) });
  const measured = await waitFor('status.benchmark for the first spec', (i) => i.status?.benchmark?.specHash === hash1);
  const applyToP99Ms = performance.now() - appliedAt;
  const podToStatusMs = performance.now() - podFinishedAt;
  assert.equal(measured.status?.benchmark?.p99Ms, 40.5);
  assert.equal(measured.status?.benchmark?.strategy, 'batched');
  assert.equal(condition(measured, 'Benchmarked')?.status, 'True');
  assert.equal(condition(measured, 'SLAMet')?.status, 'True');
  assert.equal(condition(measured, 'SLAMet')?.reason, 'SLAMet');
  assert.ok(measured.status!.conditions!.every((c) => c.observedGeneration === 1));

  const kubectl = join(cp.binDir, 'kubectl');
  const waited = await execFileAsync(kubectl, ['--kubeconfig', cp.kubeconfigPath, '-n', NS, 'wait', '--for=condition=SLAMet', `inferenceservice/${NAME}`, '--timeout=30s']);
  assert.match(waited.stdout, /condition met/);

  const events = await admin.request<{ items: Array<{ reason: string; type: string; involvedObject: { name: string } }> }>({
    method: 'GET',
    path: resourcePath({ group: '', version: 'v1', plural: 'events', namespace: NS }),
    query: { fieldSelector: `involvedObject.name=${NAME}` },
  });
  const reasons = events.items.map((e) => e.reason);
  for (const reason of ['DeploymentAvailable', 'BenchmarkRunning', 'BenchmarkSucceeded', 'SLAMet']) assert.ok(reasons.includes(reason), `event ${reason} in ${reasons.join(', ')}`);

  // 5. The finished Job is deleted by its TTL; the result stays in status and nothing is rerun.
  await eventually('the TTL controller to delete the finished Job', async () => ((await benchmarkJobs(admin, NS, NAME)).length === 0 ? true : undefined), 60_000, 200);
  const statusWrites = async () => Number(/^vernier_operator_status_writes_total (\d+)/m.exec(await (await fetch(`http://127.0.0.1:${operator.httpPort}/metrics`)).text())?.[1]);
  const writesBefore = await statusWrites();
  await admin.request({ method: 'PATCH', path: isvcPath(NS, NAME), contentType: 'application/merge-patch+json', body: { metadata: { labels: { poke: 'after-ttl' } } } });
  await sleep(500);
  assert.equal((await benchmarkJobs(admin, NS, NAME)).length, 0, 'no new Job for a measured spec');
  assert.equal(await statusWrites(), writesBefore, 'a pass that changes nothing writes no status');
  assert.equal((await read()).status?.benchmark?.specHash, hash1);

  // 6. Spec change → new generation → new benchmark; a tighter SLA is missed.
  const changed = await patchSpec(admin, NS, NAME, { sla: { p99LatencyMs: 20 } });
  assert.equal(changed.metadata.generation, 2);
  const hash2 = hashOf(changed);
  assert.notEqual(hash2, hash1);
  const job2 = await eventually('the Job for generation 2', async () => (await benchmarkJobs(admin, NS, NAME)).find((j) => j.metadata?.name?.endsWith(hash2.slice(0, 10))));
  // The Job is created just before the status of that pass is written.
  const running = await waitFor('the status of generation 2', (i) => i.status?.observedGeneration === 2);
  assert.equal(condition(running, 'SLAMet')?.status, 'Unknown', 'the old verdict does not describe the new spec');
  const sameDeployment = await admin.request<V1Deployment>({ method: 'GET', path: resourcePath(at(DEPLOYMENTS, NS, NAME)) });
  assert.equal(sameDeployment.metadata?.generation, deployment.metadata?.generation, 'an SLA change does not roll the pods');
  await benchmarkPodFinishes(admin, job2, { report: compactReport({ p99Ms: 40.5 }) });
  const missed = await waitFor('SLAMet=False for generation 2', (i) => condition(i, 'SLAMet')?.status === 'False' && i.status?.observedGeneration === 2);
  assert.equal(condition(missed, 'SLAMet')?.reason, 'P99AboveTarget');
  assert.match(condition(missed, 'SLAMet')!.message, /p99 40\.5 ms is above the 20 ms target/);

  // 7. A strategy change rolls the pods; a failed benchmark is reported with the pod's message, once.
  const rolled = await patchSpec(admin, NS, NAME, { concurrency: { strategy: 'pool' } });
  const hash3 = hashOf(rolled);
  await eventually('the Deployment to run the pool strategy', async () => {
    const d = await admin.request<V1Deployment>({ method: 'GET', path: resourcePath(at(DEPLOYMENTS, NS, NAME)) });
    const args = d.spec!.template.spec!.containers[0].args!;
    return args[args.indexOf('--strategy') + 1] === 'pool' ? d : undefined;
  });
  await serverPodsBecomeReady(admin, NS, NAME, 1);
  const job3 = await eventually('the Job for generation 3', async () => (await benchmarkJobs(admin, NS, NAME)).find((j) => j.metadata?.name?.endsWith(hash3.slice(0, 10))));
  await benchmarkPodFinishes(admin, job3, { error: `GET http://${NAME}.${NS}.svc:8080/v2/models/audio-cnn: connect ECONNREFUSED` });
  const failed = await waitFor('Benchmarked=False BenchmarkFailed', (i) => condition(i, 'Benchmarked')?.reason === 'BenchmarkFailed');
  assert.match(condition(failed, 'Benchmarked')!.message, /ECONNREFUSED/);
  assert.equal(condition(failed, 'Benchmarked')?.status, 'False');
  assert.equal(failed.status?.observedGeneration, 3);
  await sleep(500);
  const afterFailure = (await benchmarkJobs(admin, NS, NAME)).filter((j) => j.metadata?.name?.endsWith(hash3.slice(0, 10)));
  assert.deepEqual(afterFailure.map((j) => j.metadata?.uid), [job3.metadata?.uid], 'a failed benchmark is not retried');

  // 8. A name that cannot name a Service: InvalidSpec, and nothing created.
  await createIsvc(admin, manifest('9lives', NS));
  const invalid = await eventually('InvalidSpec on 9lives', async () => {
    const i = await getIsvc(admin, NS, '9lives');
    return condition(i, 'Ready')?.reason === 'InvalidSpec' ? i : undefined;
  });
  assert.match(condition(invalid, 'Ready')!.message, /starting with a letter/);
  assert.equal(await getOrUndefined(resourcePath(at(DEPLOYMENTS, NS, '9lives'))), undefined);

  // Latency once the API server's watch caches are warm: a second InferenceService through the whole loop.
  const warmAppliedAt = performance.now();
  const second = await createIsvc(admin, manifest('second', NS));
  await eventually('the second Deployment', () => getOrUndefined<V1Deployment>(resourcePath(at(DEPLOYMENTS, NS, 'second'))), 30_000, 10);
  const warmApplyToDeploymentMs = performance.now() - warmAppliedAt;
  await serverPodsBecomeReady(admin, NS, 'second', 1);
  const secondJob = await eventually('the second Job', async () => (await benchmarkJobs(admin, NS, 'second'))[0], 30_000, 10);
  await benchmarkPodFinishes(admin, secondJob, { report: compactReport() });
  await eventually('the second result', async () => ((await getIsvc(admin, NS, 'second')).status?.benchmark?.specHash === hashOf(second) ? true : undefined), 30_000, 10);
  const warmApplyToP99Ms = performance.now() - warmAppliedAt;
  await admin.request({ method: 'DELETE', path: isvcPath(NS, 'second') });

  // 9. Delete → the garbage collector removes the children through their owner references.
  await admin.request({ method: 'DELETE', path: isvcPath(NS, NAME) });
  await eventually('the children to be garbage-collected', async () => {
    const [d, s, j] = await Promise.all([
      getOrUndefined(resourcePath(at(DEPLOYMENTS, NS, NAME))),
      getOrUndefined(resourcePath(at(SERVICES, NS, NAME))),
      admin.request<{ items: V1Job[] }>({ method: 'GET', path: resourcePath(at(JOBS, NS)) }),
    ]);
    return d === undefined && s === undefined && j.items.length === 0 ? true : undefined;
  }, 60_000, 200);

  const metrics = await (await fetch(`http://127.0.0.1:${operator.httpPort}/metrics`)).text();
  assert.match(metrics, /vernier_operator_benchmark_jobs_created_total 4/);
  assert.match(metrics, /vernier_operator_reconcile_duration_seconds_count\{result="success"\} \d+/);
  const readyz = await fetch(`http://127.0.0.1:${operator.httpPort}/readyz`);
  assert.equal(readyz.status, 200);

  finished = true;
  t.diagnostic(`first InferenceService, just after the operator started: apply → Deployment ${applyToDeploymentMs.toFixed(0)} ms; apply → status with p99 ${applyToP99Ms.toFixed(0)} ms (includes the test playing the kubelet)`);
  t.diagnostic(`second InferenceService, warm: apply → Deployment ${warmApplyToDeploymentMs.toFixed(0)} ms; apply → status with p99 ${warmApplyToP99Ms.toFixed(0)} ms (includes the test playing the kubelet)`);
  t.diagnostic(`benchmark pod finished → status with p99: ${podToStatusMs.toFixed(0)} ms`);
});
