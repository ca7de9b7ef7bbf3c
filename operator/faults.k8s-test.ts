// Faults around the operator: etcd restarted under it, its status edited by hand, the API server refusing requests, a
// server that keeps exiting.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { test, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { V1Job } from '@kubernetes/client-node';
import { createLogger } from './log.js';
import { startOperator, type RunningOperator } from './operator.js';
import { defaultSettings } from './settings.js';
import { createNamespace, eventually, operatorKubeConfig, startTestCluster, type TestCluster } from './test-support/cluster.js';
import { FaultProxy, type FaultWindow, type ProxiedRequest } from './test-support/fault-proxy.js';
import { compactReport } from './test-support/fixtures.js';
import { benchmarkJobs, condition, createIsvc, getIsvc, hashOf, manifest, patchSpec, serverPods, type StoredIsvc } from './test-support/isvc.js';
import { benchmarkPodFinishes, serverPodsBecomeReady } from './test-support/play-node.js';
import { crashLoopPod } from './test-support/fake-kubelet.js';
import { SERVE_EXIT_CODES } from '../contracts/index.js';
import { STALLED_ROLLOUT_MS } from './status/server-failure.js';

const execFileAsync = promisify(execFile);
const NS = 'faults';
/** The informers the operator runs: InferenceServices, Deployments, Services, Jobs. */
const WATCHED_RESOURCES = 4;
/** The informer supervisor's and the work queue's default backoff: first delay and cap, doubling per failure. */
const INFORMER_BACKOFF = { baseMs: 200, maxMs: 30_000 };
const QUEUE_BACKOFF = { baseMs: 5, maxMs: 1_000_000 };

interface Harness {
  cluster: TestCluster;
  operator: RunningOperator;
  proxy?: FaultProxy;
  logs: string[];
  /** Called at the end of a test that passed: its operator logs are then not printed. */
  passed(): void;
}

/** A control plane, the namespace and an in-process operator (through a fault proxy when asked); torn down after the test. */
async function setUp(t: TestContext, options: { proxy?: boolean; benchmarkTtlSeconds: number }): Promise<Harness> {
  const cluster = await startTestCluster({ controllerManager: true });
  const logs: string[] = [];
  let finished = false;
  const cleanups: Array<() => Promise<void> | void> = [];
  t.after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    if (!finished || process.env.VERNIER_TEST_VERBOSE) process.stderr.write(`operator logs:\n${logs.join('')}`);
    await cluster.stop();
  });
  await createNamespace(cluster.admin, NS);
  let proxy: FaultProxy | undefined;
  if (options.proxy) {
    const { cp } = cluster;
    proxy = await FaultProxy.start({ upstream: cp.server, caCertPath: cp.caCertPath, certPath: cp.servingCertPath, keyPath: cp.servingKeyPath });
    cleanups.push(() => proxy!.close());
  }
  const operator = await startOperator({
    kubeConfig: await operatorKubeConfig(cluster, NS, proxy?.url),
    settings: defaultSettings({ serverImage: 'vernier:test', benchmarkTtlSeconds: options.benchmarkTtlSeconds }),
    http: { host: '127.0.0.1', port: 0 },
    log: createLogger({ level: process.env.VERNIER_TEST_LOG_LEVEL === 'debug' ? 'debug' : 'info', write: (line) => logs.push(line) }),
  });
  cleanups.push(() => operator.stop());
  return { cluster, operator, proxy, logs, passed: () => (finished = true) };
}

/** Polls the InferenceService until `check` holds. */
function waitFor(h: Harness, name: string, what: string, check: (isvc: StoredIsvc) => boolean, timeoutMs = 60_000): Promise<StoredIsvc> {
  return eventually(`${name}: ${what}`, async () => {
    const isvc = await getIsvc(h.cluster.admin, NS, name);
    return check(isvc) ? isvc : undefined;
  }, timeoutMs, 50);
}

/** Status describes the current generation, the server is Ready and the current spec is measured. */
const measuredNow = (isvc: StoredIsvc): boolean =>
  isvc.status?.observedGeneration === isvc.metadata.generation &&
  condition(isvc, 'Ready')?.status === 'True' &&
  isvc.status?.benchmark?.specHash === hashOf(isvc) &&
  condition(isvc, 'Benchmarked')?.status === 'True';

/** The Job of the current spec hash, once the operator created it. */
async function currentJob(h: Harness, name: string): Promise<V1Job> {
  const isvc = await getIsvc(h.cluster.admin, NS, name);
  const suffix = hashOf(isvc).slice(0, 10);
  return eventually(`${name}: the Job for spec hash ${suffix}`, async () => (await benchmarkJobs(h.cluster.admin, NS, name)).find((j) => j.metadata?.name?.endsWith(suffix)), 60_000, 50);
}

/** Benchmark Jobs of `name` by spec hash: more than one Job for a hash is a duplicate. */
async function jobsPerHash(h: Harness, name: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const job of await benchmarkJobs(h.cluster.admin, NS, name)) {
    const hash = job.metadata?.labels?.['vernier.dev/spec-hash'] ?? '(none)';
    counts.set(hash, (counts.get(hash) ?? 0) + 1);
  }
  return counts;
}

/** The most attempts a requester backing off from `baseMs` (doubling, at most `maxMs`) makes within `windowMs`. */
function maxAttempts(windowMs: number, baseMs: number, maxMs: number): number {
  let attempts = 1;
  for (let elapsed = 0, delay = baseMs; elapsed + delay <= windowMs; attempts++) {
    elapsed += delay;
    delay = Math.min(maxMs, delay * 2);
  }
  return attempts;
}

function byPath(requests: readonly ProxiedRequest[]): string {
  const counts = new Map<string, number>();
  for (const r of requests) {
    const key = `${r.method} ${r.path}${r.watch ? ' (watch)' : ''}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${n} × ${k}`).join('; ');
}

test('etcd restarted while InferenceServices are created and changed → every one converges, one Job per spec hash, no status lost', { timeout: 180_000 }, async (t) => {
  // The proxy only watches here: what the operator asked for while etcd was gone, and what it got.
  const h = await setUp(t, { proxy: true, benchmarkTtlSeconds: 120 });
  const { admin, cp } = h.cluster;
  // Before the restart: two measured (one of them is then changed), one benchmarking, one not Ready yet.
  const measured = ['et-a', 'et-b'];
  for (const name of [...measured, 'et-c', 'et-d']) await createIsvc(admin, manifest(name, NS));
  for (const name of [...measured, 'et-c']) await serverPodsBecomeReady(admin, NS, name, 1);
  for (const name of measured) await benchmarkPodFinishes(admin, await currentJob(h, name), { report: compactReport({ p99Ms: 30 }) });
  for (const name of measured) await waitFor(h, name, 'measured before the restart', measuredNow);
  await currentJob(h, 'et-c');
  await waitFor(h, 'et-c', 'BenchmarkRunning', (i) => condition(i, 'Benchmarked')?.reason === 'BenchmarkRunning');
  const before = new Map<string, StoredIsvc>();
  for (const name of [...measured, 'et-c', 'et-d']) before.set(name, await getIsvc(admin, NS, name));

  // A change the operator is busy with when etcd is killed, and more while it is gone (they wait in the API server).
  await patchSpec(admin, NS, 'et-a', { sla: { p99LatencyMs: 20 } });
  const killedAt = Date.now();
  const restarted = cp.restartEtcd({ signal: 'SIGKILL', downMs: 5_000 });
  await sleep(500);
  const duringOutage = [createIsvc(admin, manifest('et-e', NS)), patchSpec(admin, NS, 'et-d', { replicas: 2 })];
  const downMs = await restarted;
  const backAt = Date.now();
  await Promise.all(duringOutage);
  const outage = h.proxy!.during({ start: killedAt, end: backAt });
  const statuses = [...new Set(outage.map((r) => r.status ?? 'none'))].join(', ');
  const longest = Math.max(0, ...outage.map((r) => (r.watch ? 0 : (r.waitedMs ?? backAt - r.at))));
  t.diagnostic(`etcd killed and back (API server ready) after ${downMs} ms; the operator sent ${outage.length} requests meanwhile (statuses ${statuses}; longest wait ${longest} ms): ${byPath(outage)}`);

  // Nothing written before the restart went missing: the untouched ones' status is exactly as it was.
  for (const name of ['et-b', 'et-c']) assert.deepEqual((await getIsvc(admin, NS, name)).status, before.get(name)!.status, `${name}: status as before the restart`);
  assert.deepEqual((await getIsvc(admin, NS, 'et-a')).status?.benchmark, before.get('et-a')!.status?.benchmark, 'et-a: the old result stays until the new one');

  // The test plays the node: every server Ready, every current benchmark finished.
  const all = ['et-a', 'et-b', 'et-c', 'et-d', 'et-e'];
  await serverPodsBecomeReady(admin, NS, 'et-d', 2);
  await serverPodsBecomeReady(admin, NS, 'et-e', 1);
  for (const name of ['et-a', 'et-c', 'et-d', 'et-e']) await benchmarkPodFinishes(admin, await currentJob(h, name), { report: compactReport({ p99Ms: 30 }) });
  for (const name of all) await waitFor(h, name, 'measured after the restart', measuredNow);
  t.diagnostic(`every InferenceService converged ${Date.now() - backAt} ms after etcd was back (the test playing the node included)`);

  for (const name of all) {
    const isvc = await getIsvc(admin, NS, name);
    const slaMet = condition(isvc, 'SLAMet');
    if (name === 'et-a') assert.equal(slaMet?.reason, 'P99AboveTarget', 'et-a: p99 30 ms misses the tightened 20 ms target');
    else assert.equal(slaMet?.status, 'True', `${name}: SLAMet`);
    assert.ok(isvc.status!.conditions!.every((c) => c.observedGeneration === isvc.metadata.generation), `${name}: every condition is about the current generation`);
    for (const [hash, count] of await jobsPerHash(h, name)) assert.equal(count, 1, `${name}: one Job for spec hash ${hash}`);
  }
  assert.equal((await jobsPerHash(h, 'et-a')).size, 2, 'et-a: one Job for each of its two specs');
  const b = await getIsvc(admin, NS, 'et-b');
  assert.deepEqual(b.status?.benchmark, before.get('et-b')!.status?.benchmark, 'et-b: measured once, before the restart');
  assert.deepEqual(b.status?.conditions, before.get('et-b')!.status?.conditions, 'et-b: its conditions did not move');
  h.passed();
});

test('status edited by hand → the operator restores its own fields on the next pass, without measuring again', { timeout: 180_000 }, async (t) => {
  // A short TTL: the edit comes after the finished Job is gone, when status is the only place the result was written.
  const h = await setUp(t, { benchmarkTtlSeconds: 2 });
  const { admin, cp } = h.cluster;
  const name = 'hand-edit';
  await createIsvc(admin, manifest(name, NS));
  await serverPodsBecomeReady(admin, NS, name, 1);
  const job = await currentJob(h, name);
  await benchmarkPodFinishes(admin, job, { report: compactReport({ p99Ms: 40.5 }) });
  const original = await waitFor(h, name, 'measured', measuredNow);
  await eventually('the TTL controller to delete the finished Job', async () => ((await benchmarkJobs(admin, NS, name)).length === 0 ? true : undefined), 60_000, 200);
  const kubectl = (...args: string[]) => execFileAsync(join(cp.binDir, 'kubectl'), ['--kubeconfig', cp.kubeconfigPath, '-n', NS, ...args]);

  /** The operator's fields as it wrote them: every condition's lastTransitionTime aside (an edit of status moves it). */
  const ownFields = (isvc: StoredIsvc) => ({
    ...isvc.status,
    conditions: isvc.status?.conditions?.map(({ lastTransitionTime: _, ...c }) => c),
  });
  const edits: Array<[string, Record<string, unknown>]> = [
    [
      'conditions, endpoint and replicas',
      {
        endpoint: 'http://somewhere-else.example:80',
        replicas: 9,
        readyReplicas: 0,
        conditions: original.status!.conditions!.map((c) =>
          c.type === 'Ready'
            ? { ...c, status: 'False', reason: 'EditedByHand', message: 'not really' }
            : c.type === 'SLAMet'
              ? { ...c, status: 'False', reason: 'P99AboveTarget', message: 'p99 900 ms is above the 100 ms target' }
              : { ...c, message: 'measured nothing at all' },
        ),
      },
    ],
    ['the benchmark figures', { benchmark: { ...original.status!.benchmark, p99Ms: 1.5, throughputRps: 99_999, requests: 7 } }],
    ['status.benchmark removed', { benchmark: null }],
  ];
  for (const [what, patch] of edits) {
    // The object as the patch left it (a GET after it may already see the operator's repair).
    const patched = await kubectl('patch', `inferenceservice/${name}`, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: patch }), '-o', 'json');
    const edited = JSON.parse(patched.stdout) as StoredIsvc;
    assert.notDeepEqual(ownFields(edited), ownFields(original), `the edit of ${what} went through`);
    const editedAt = Date.now();
    const restored = await eventually(`the operator to restore ${what}`, async () => {
      const isvc = await getIsvc(admin, NS, name);
      return JSON.stringify(ownFields(isvc)) === JSON.stringify(ownFields(original)) ? isvc : undefined;
    }, 20_000, 50).catch(async (err) => {
      assert.deepEqual(ownFields(await getIsvc(admin, NS, name)), ownFields(original), `after an edit of ${what}: ${(err as Error).message}`);
      throw err;
    });
    t.diagnostic(`edit of ${what}: restored ${Date.now() - editedAt} ms later`);
    assert.equal(restored.metadata.generation, original.metadata.generation);
    assert.equal((await benchmarkJobs(admin, NS, name)).length, 0, `after an edit of ${what}: no benchmark rerun`);
  }
  const metrics = await (await fetch(`http://127.0.0.1:${h.operator.httpPort}/metrics`)).text();
  assert.match(metrics, /vernier_operator_benchmark_jobs_created_total 1\n/, 'one benchmark in all');
  h.passed();
});

test('API server answering 429 (Retry-After) and then 500 → the operator backs off, honours Retry-After and converges after', { timeout: 180_000 }, async (t) => {
  // Finished Jobs outlive the faults: the result is read from them once the operator gets through again.
  const h = await setUp(t, { proxy: true, benchmarkTtlSeconds: 120 });
  const proxy = h.proxy!;
  const { admin } = h.cluster;
  const names = ['tm-a', 'tm-b', 'tm-c'];
  for (const name of names) await createIsvc(admin, manifest(name, NS));
  for (const name of names) await waitFor(h, name, 'the first status', (i) => i.status?.observedGeneration === 1);

  // 429 with Retry-After while the watches stay open: events keep arriving and every reconcile is refused.
  const retryAfterSeconds = 2;
  const faultMs = 8_000;
  const tooMany = proxy.failFor(faultMs, { status: 429, retryAfterSeconds });
  await sleep(200);
  for (const name of names) await serverPodsBecomeReady(admin, NS, name, 1);
  await patchSpec(admin, NS, 'tm-c', { sla: { p99LatencyMs: 90 } });
  const window429 = await tooMany;
  const seen429 = proxy.during(window429);
  t.diagnostic(`429 for ${faultMs} ms: ${seen429.length} requests reached the proxy: ${byPath(seen429)}`);
  assertRetryAfterHonoured(seen429, retryAfterSeconds * 1000);
  assertBounded('429', seen429, window429, names.length, retryAfterSeconds * 1000);

  const recovered429 = Date.now();
  const jobs = new Map<string, V1Job>();
  for (const name of names) jobs.set(name, await currentJob(h, name));
  const recovery429Ms = Date.now() - recovered429;
  t.diagnostic(`after the 429s: every benchmark Job created ${recovery429Ms} ms after the fault ended`);

  // 500 with every open watch cut: the informers have to list again, and fail, until the fault ends.
  const failing = proxy.failFor(faultMs, { status: 500 }, { cutStreams: true });
  await sleep(200);
  for (const name of names) await benchmarkPodFinishes(admin, jobs.get(name)!, { report: compactReport({ p99Ms: 30 }) });
  const window500 = await failing;
  const seen500 = proxy.during(window500);
  t.diagnostic(`500 for ${faultMs} ms, watches cut: ${seen500.length} requests reached the proxy: ${byPath(seen500)}`);
  assertBounded('500', seen500, window500, names.length);

  const recovered500 = Date.now();
  for (const name of names) await waitFor(h, name, 'measured after the 500s', measuredNow);
  const recovery500Ms = Date.now() - recovered500;
  t.diagnostic(`after the 500s: every InferenceService measured ${recovery500Ms} ms after the fault ended`);

  for (const name of names) {
    const isvc = await getIsvc(admin, NS, name);
    assert.equal(condition(isvc, 'SLAMet')?.status, 'True', `${name}: SLAMet`);
    for (const [hash, count] of await jobsPerHash(h, name)) assert.equal(count, 1, `${name}: one Job for spec hash ${hash}`);
  }
  h.passed();
});

/**
 * No tight loop: requests in the window within what the informers' and the work queue's backoff permit (a key waits
 * at least `retryAfterMs` between attempts when the server said so), and well under 5/s per watched resource and key.
 */
function assertBounded(what: string, requests: readonly ProxiedRequest[], window: FaultWindow, keys: number, retryAfterMs?: number): void {
  const windowMs = window.end - window.start;
  // Each informer attempt is a list (and, once it ran, a watch); each reconcile attempt fails at its first request.
  const informerBound = WATCHED_RESOURCES * 2 * maxAttempts(windowMs, INFORMER_BACKOFF.baseMs, INFORMER_BACKOFF.maxMs);
  const perKey = maxAttempts(windowMs, QUEUE_BACKOFF.baseMs, QUEUE_BACKOFF.maxMs);
  const keyBound = keys * (retryAfterMs ? Math.min(perKey, Math.floor(windowMs / retryAfterMs) + 1) : perKey);
  const bound = informerBound + keyBound;
  assert.ok(requests.length <= bound, `${what}: ${requests.length} requests in ${windowMs} ms, more than the ${bound} the backoff allows: ${byPath(requests)}`);
  const perRequesterPerSecond = requests.length / (windowMs / 1000) / (WATCHED_RESOURCES + keys);
  assert.ok(perRequesterPerSecond < 2.5, `${what}: ${perRequesterPerSecond.toFixed(2)} requests per second per watched resource and key`);
}

/**
 * After a 429 with Retry-After, the client sends nothing more until it has passed; requests that were already on their
 * way (arriving within `graceMs` of the 429) and watches (opened by the informers' own HTTP client) are not counted.
 */
function assertRetryAfterHonoured(requests: readonly ProxiedRequest[], retryAfterMs: number, graceMs = 500): void {
  const sent = requests.filter((r) => !r.watch);
  const violations: string[] = [];
  for (const refused of sent.filter((r) => r.status === 429)) {
    const early = sent.filter((r) => r.at > refused.at + graceMs && r.at < refused.at + retryAfterMs - graceMs);
    for (const r of early) violations.push(`${r.method} ${r.path} ${r.at - refused.at} ms after a 429 on ${refused.method} ${refused.path}`);
  }
  const unique = [...new Set(violations)];
  assert.equal(unique.length, 0, `requests sent before Retry-After (${retryAfterMs} ms) passed:\n${unique.slice(0, 20).join('\n')}`);
}

test('a server pod that keeps exiting for want of CUDA → Ready=False CUDAUnavailable with its line, well before the progress deadline', { timeout: 180_000 }, async (t) => {
  const h = await setUp(t, { benchmarkTtlSeconds: 3600 });
  const body = manifest('no-gpu', NS);
  body.spec.provider = { type: 'nvidia-t4' };
  await createIsvc(h.cluster.admin, body);
  const pod = await eventually('the server pod of no-gpu', async () => (await serverPods(h.cluster.admin, NS, 'no-gpu'))[0], 60_000, 50);
  const line = 'vernier serve: no CUDA device visible: the CUDA runtime says "no CUDA-capable device is detected"';
  await crashLoopPod(h.cluster.admin, pod, { exitCode: SERVE_EXIT_CODES.cudaUnavailable, message: `onnxruntime error\n${line}\n`, restartCount: 3 });
  const started = Date.now();
  const isvc = await waitFor(h, 'no-gpu', 'Ready=False CUDAUnavailable', (x) => condition(x, 'Ready')?.reason === 'CUDAUnavailable', STALLED_ROLLOUT_MS + 60_000);
  const ready = condition(isvc, 'Ready')!;
  assert.equal(ready.status, 'False');
  assert.match(ready.message ?? '', /exited with code 69, restarted 3 time\(s\): no CUDA device visible: the CUDA runtime says "no CUDA-capable device is detected"$/);
  assert.equal(condition(isvc, 'Benchmarked')?.status === 'True', false, 'nothing is measured without a server');
  t.diagnostic(`CUDAUnavailable in Ready ${((Date.now() - started) / 1000).toFixed(1)} s after the pod's first exit (the Deployment's progress deadline: 600 s)`);
  h.passed();
});
