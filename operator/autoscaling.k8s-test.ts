// Autoscaling, closed against a real kube-apiserver + etcd + kube-controller-manager. The test plays the node with real
// `vernier serve` processes on loopback addresses standing in for the server pods, drives real open-loop load through
// them, and watches the operator scrape them, scale the Deployment up, and back down once the load stops.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import type { BenchReport } from '../bench/index.js';
import { resourcePath } from './kube-client.js';
import { createLogger } from './log.js';
import { histogramDelta, histogramQuantile, type HistogramSnapshot } from './autoscaling/histogram.js';
import { inferenceSlaSeries, requestDurationFamily } from './autoscaling/inference-requests.js';
import { extractHistogram } from './autoscaling/prometheus-histogram.js';
import { startOperator } from './operator.js';
import { at, DEPLOYMENTS, PODS } from './resources.js';
import { defaultSettings } from './settings.js';
import { createNamespace, eventually, operatorKubeConfig, startTestCluster } from './test-support/cluster.js';
import { compactReport } from './test-support/fixtures.js';
import { benchmarkJobs, capacityJobs, condition, createIsvc, getIsvc, hashOf, isvcPath, manifest, type StoredIsvc } from './test-support/isvc.js';
import { benchmarkPodFinishes, serverPodsBecomeReady } from './test-support/play-node.js';
import { benchThread, runBenchmarkOnThread } from './test-support/bench-thread.js';
import { ServingNode } from './test-support/serving-node.js';

const execFileAsync = promisify(execFile);
const NS = 'scaling';
const NAME = 'mlp';
const MANUAL = 'mlp-manual';
const SLA_P99_MS = 50;
/** The capacity one replica is reported to have: small, so that a modest load needs several replicas. */
const CAPACITY_RPS = 40;
const TARGET_UTILIZATION = 0.7;
const MAX_REPLICAS = 4;
/**
 * More than three replicas carry at the target utilization (3 × 40 × 0.7 = 84 req/s), less than four (112 req/s): four
 * replicas are wanted, three if the measured rate falls short. Far enough above 84 that a second between two loads
 * does not bring the window's rate below it.
 */
const OFFERED_RPS = 100;
const WINDOW_SECONDS = 10;
/** Longer than the gap between the two loads: the sag it leaves in the window's rate must not scale the service in. */
const STABILIZATION_SECONDS = 15;
/** Long enough for the scale-up to end before the measured part of the first load. */
const PHASE_A_WARMUP_SECONDS = 15;
const ADDRESSES = ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5'];

/** An mlp InferenceService with a small batched server; `autoscaling` set or not. */
function mlpManifest(name: string, autoscaling?: Record<string, unknown>): Record<string, any> {
  const m = manifest(name, NS);
  m.spec.model = { name: 'mlp', uri: 'builtin://mlp' };
  m.spec.concurrency = { strategy: 'batched', workers: 1, maxBatchSize: 16, maxQueueDelayMs: 1 };
  m.spec.sla = { p99LatencyMs: SLA_P99_MS };
  m.spec.benchmark = { mode: 'closed', concurrency: 4, durationSeconds: 5, warmupSeconds: 1, capacitySeconds: 10 };
  delete m.spec.resources;
  if (autoscaling) m.spec.autoscaling = autoscaling;
  return m;
}

interface Snapshot {
  at: number;
  live: NonNullable<StoredIsvc['status']>['live'];
  desiredReplicas: number | undefined;
  deploymentReplicas: number | undefined;
  latencyWithinSla: ReturnType<typeof condition>;
  ready: string | undefined;
  servers: number;
}

/** The autoscaler's figures after one of its rounds, and when the test saw them. */
interface Round {
  seenAt: number;
  rps: number;
  p99Seconds: number | undefined;
}

/** Runs `step` every `ms` while `going()`; a failed step is only a missing sample. */
async function repeat(going: () => boolean, ms: number, step: () => Promise<void>): Promise<void> {
  while (going()) {
    try {
      await step();
    } catch {
      // Missing one sample is fine; the checks say what they lacked.
    }
    await sleep(ms);
  }
}

const within = (measured: number, expected: number, share: number): boolean => Math.abs(measured - expected) <= share * expected;
const relative = (measured: number, reference: number): number => (measured - reference) / reference;
const pct = (share: number): string => `${share >= 0 ? '+' : ''}${(share * 100).toFixed(1)} %`;

test('autoscaling: capacity Job on a pod IP, live figures from real servers under real load, scale up, scale down; the scale subresource', { timeout: 240_000 }, async (t) => {
  const testStartedAt = performance.now();
  const cluster = await startTestCluster({ controllerManager: true });
  const cleanups: Array<() => Promise<void> | void> = [];
  // One hook, in order: stop recording, print the figures (and on failure the logs), stop the load, the servers, the
  // operator, then the control plane.
  t.after(async () => {
    for (const cleanup of cleanups) {
      try {
        await cleanup();
      } catch (err) {
        process.stderr.write(`cleanup failed: ${(err as Error).stack}\n`);
      }
    }
    await cluster.stop();
  });
  const { admin, cp } = cluster;
  await createNamespace(admin, NS);
  const logs: string[] = [];
  const operator = await startOperator({
    kubeConfig: await operatorKubeConfig(cluster, NS),
    settings: defaultSettings({ serverImage: 'vernier:test' }),
    http: { host: '127.0.0.1', port: 0 },
    log: createLogger({ level: process.env.VERNIER_TEST_LOG_LEVEL === 'debug' ? 'debug' : 'info', write: (line) => logs.push(line) }),
  });
  let finished = false;
  /** What the test measured, printed at its end whether it passed or not. */
  const figures: string[] = [];
  /** The status and the Deployment every 500 ms under load, and the autoscaler's figures of every round. */
  const snapshots: Snapshot[] = [];
  const rounds: Round[] = [];
  const node = new ServingNode(admin, NS, NAME, ADDRESSES, ['--shutdown-delay-ms', '0']);
  const load = new AbortController();
  cleanups.push(async () => {
    if (figures.length > 0) console.log(figures.join('\n'));
    if (!finished || process.env.VERNIER_TEST_VERBOSE) {
      process.stderr.write(`operator logs:\n${logs.join('')}`);
      process.stderr.write(`node: started ${JSON.stringify(node.started)}, stopped ${JSON.stringify(node.stopped)}, errors ${JSON.stringify(node.errors)}\n`);
      process.stderr.write(`status and Deployment every 500 ms:\n${snapshots.map((x) => JSON.stringify({ ...x, latencyWithinSla: x.latencyWithinSla?.status })).join('\n')}\n`);
      const events = await admin.request<{ items: Array<{ reason: string; message: string; metadata: { resourceVersion: string } }> }>({
        method: 'GET',
        path: resourcePath({ group: '', version: 'v1', plural: 'events', namespace: NS }),
        query: { fieldSelector: `involvedObject.name=${NAME}` },
      });
      events.items.sort((x, y) => Number(x.metadata.resourceVersion) - Number(y.metadata.resourceVersion));
      process.stderr.write(`events of ${NAME}:\n${events.items.map((e) => `${e.reason}: ${e.message}`).join('\n')}\n`);
      process.stderr.write(`autoscaler rounds:\n${rounds.map((r) => `${r.seenAt} ${r.rps.toFixed(1)} req/s p99 ${r.p99Seconds === undefined ? '-' : (r.p99Seconds * 1000).toFixed(2)} ms`).join('\n')}\n`);
    }
  });
  cleanups.push(() => load.abort(new Error('the test is over')));
  cleanups.push(() => node.stop());
  cleanups.push(() => operator.stop());

  const read = (name = NAME) => getIsvc(admin, NS, name);
  const waitFor = (what: string, check: (isvc: StoredIsvc) => boolean, timeoutMs = 60_000, name = NAME) =>
    eventually(what, async () => {
      const isvc = await read(name);
      return check(isvc) ? isvc : undefined;
    }, timeoutMs, 50);
  const deploymentOf = (name: string) => admin.request<V1Deployment>({ method: 'GET', path: resourcePath(at(DEPLOYMENTS, NS, name)) });
  /** The Scaled events of `name`, oldest first (by resourceVersion: their timestamps have whole seconds). */
  const scaledEvents = async (name: string) => {
    const events = await admin.request<{ items: Array<{ reason: string; message: string; type: string; metadata: { resourceVersion: string } }> }>({
      method: 'GET',
      path: resourcePath({ group: '', version: 'v1', plural: 'events', namespace: NS }),
      query: { fieldSelector: `involvedObject.name=${name}` },
    });
    return events.items.filter((e) => e.reason === 'Scaled').sort((x, y) => Number(x.metadata.resourceVersion) - Number(y.metadata.resourceVersion));
  };

  // 1. An autoscaled InferenceService; the node runs a real server for each of its pods.
  const created = await createIsvc(
    admin,
    mlpManifest(NAME, {
      minReplicas: 1,
      maxReplicas: MAX_REPLICAS,
      targetUtilization: TARGET_UTILIZATION,
      intervalSeconds: 1,
      windowSeconds: WINDOW_SECONDS,
      scaleDownStabilizationSeconds: STABILIZATION_SECONDS,
    }),
  );
  const hash = hashOf(created);
  node.start(250);
  const ready = await waitFor('Ready=True with one real server', (i) => condition(i, 'Ready')?.status === 'True');
  assert.equal(ready.status?.readyReplicas, 1);
  assert.deepEqual(node.servers().map((s) => [s.ip, s.url]), [['127.0.0.2', 'http://127.0.0.2:8080']]);
  const firstPod = await admin.request<V1Pod>({ method: 'GET', path: resourcePath(at(PODS, NS, node.servers()[0].pod)) });
  assert.equal(firstPod.status?.podIP, '127.0.0.2');
  assert.deepEqual(firstPod.status?.podIPs, [{ ip: '127.0.0.2' }]);
  // What the autoscaler scrapes, served by the real server.
  const exposition = await (await fetch('http://127.0.0.2:8080/metrics')).text();
  assert.match(exposition, /^# TYPE vernier_http_request_duration_seconds histogram$/m);

  // 2. The declared benchmark first (played: it meets the SLA), then no capacity Job before it is done.
  const benchJob = await eventually('the benchmark Job', async () => (await benchmarkJobs(admin, NS, NAME))[0], 30_000, 50);
  assert.equal((await capacityJobs(admin, NS, NAME)).length, 0, 'the capacity search waits for the benchmark');
  assert.equal(condition(await read(), 'CapacityMeasured')?.reason, 'CapacityPending');
  await benchmarkPodFinishes(admin, benchJob, { report: compactReport({ model: 'mlp', p99Ms: 4.2, throughputRps: 600 }) });
  await waitFor('SLAMet=True', (i) => condition(i, 'SLAMet')?.status === 'True');

  // 3. The capacity Job searches one pod, at its IP rather than at the Service.
  const capacityJob = await eventually('the capacity Job', async () => (await capacityJobs(admin, NS, NAME))[0], 30_000, 50);
  assert.equal(capacityJob.metadata?.name, `${NAME}-capacity-${hash.slice(0, 10)}`);
  assert.equal(capacityJob.metadata?.labels?.['app.kubernetes.io/component'], 'capacity');
  const capacityArgs = capacityJob.spec!.template.spec!.containers[0].args!;
  assert.equal(capacityArgs[0], 'bench');
  assert.equal(capacityArgs[capacityArgs.indexOf('--url') + 1], 'http://127.0.0.2:8080');
  assert.ok(capacityArgs.includes('--capacity'), `--capacity in ${capacityArgs.join(' ')}`);
  assert.equal(capacityArgs[capacityArgs.indexOf('--capacity-seconds') + 1], '10');
  assert.equal(capacityArgs[capacityArgs.indexOf('--sla-p99-ms') + 1], String(SLA_P99_MS));
  assert.equal(condition(await read(), 'CapacityMeasured')?.reason, 'CapacityMeasuring');
  await benchmarkPodFinishes(admin, capacityJob, {
    report: compactReport({
      model: 'mlp',
      mode: 'open',
      concurrency: null,
      rate: CAPACITY_RPS,
      throughputRps: CAPACITY_RPS,
      p99Ms: 31.7,
      capacity: { variable: 'rate', rps: CAPACITY_RPS, load: CAPACITY_RPS, p99Ms: 31.7, steps: 6, stoppedBecause: 'converged' },
    }),
  });
  const measured = await waitFor('status.capacity', (i) => i.status?.capacity?.specHash === hash);
  assert.equal(measured.status?.capacity?.rpsPerReplica, CAPACITY_RPS);
  assert.equal(measured.status?.capacity?.p99Ms, 31.7);
  assert.equal(condition(measured, 'CapacityMeasured')?.status, 'True');
  assert.equal(condition(measured, 'CapacityMeasured')?.reason, 'CapacitySucceeded');
  assert.equal(measured.status?.autoscaling?.desiredReplicas, 1, 'no load, one replica');
  assert.equal((await capacityJobs(admin, NS, NAME)).length, 1, 'one capacity Job per spec hash');

  // 4. Real load through the real servers. Meanwhile the test records the status and the Deployment, the autoscaler's
  // figures of every round (as the operator exports them: the status is written only when they move notably), and the
  // first server's own request histogram.
  const serverSamples: Array<{ at: number; histogram: HistogramSnapshot }> = [];
  const single = node.servers()[0];
  const gaugeValue = async (gauge: typeof operator.metrics.liveP99Seconds) =>
    (await gauge.get()).values.find((v) => v.labels.namespace === NS && v.labels.name === NAME)?.value;
  let recording = true;
  const recorders = Promise.all([
    repeat(() => recording, 500, async () => {
      const [isvc, deployment] = await Promise.all([read(), deploymentOf(NAME)]);
      snapshots.push({
        at: Date.now(),
        live: isvc.status?.live,
        desiredReplicas: isvc.status?.autoscaling?.desiredReplicas,
        deploymentReplicas: deployment.spec?.replicas,
        latencyWithinSla: condition(isvc, 'LatencyWithinSLA'),
        ready: condition(isvc, 'Ready')?.status,
        servers: node.servers().length,
      });
    }),
    repeat(() => recording, 25, async () => {
      const rps = await gaugeValue(operator.metrics.liveRequestsPerSecond);
      const p99Seconds = await gaugeValue(operator.metrics.liveP99Seconds);
      const last = rounds.at(-1);
      if (rps !== undefined && (last?.rps !== rps || last.p99Seconds !== p99Seconds)) rounds.push({ seenAt: Date.now(), rps, p99Seconds });
    }),
    repeat(() => recording, 100, async () => {
      const histogram = extractHistogram(await (await fetch(`${single.url}/metrics`)).text(), requestDurationFamily, inferenceSlaSeries);
      if (histogram) serverSamples.push({ at: Date.now(), histogram });
    }),
  ]);
  cleanups.unshift(async () => {
    recording = false;
    await recorders;
  });
  /** The autoscaler's last round seen by `t`: its window ends at most one interval before. */
  const roundBefore = (t: number) => rounds.filter((r) => r.seenAt <= t).at(-1);
  /**
   * p99 of the first server's own histogram over the window of `round`: from the round that starts it (the autoscaler's
   * rule: the last one at least 95 % of the window earlier) to `round`, each taken as the sample nearest to it.
   */
  const serverP99Over = (round: Round) => {
    const start = rounds.filter((r) => r.seenAt <= round.seenAt - 0.95 * WINDOW_SECONDS * 1000).at(-1) ?? rounds[0];
    const nearest = (t: number) => serverSamples.reduce((best, x) => (Math.abs(x.at - t) < Math.abs(best.at - t) ? x : best));
    return histogramQuantile(0.99, histogramDelta(nearest(start.seenAt).histogram, nearest(round.seenAt).histogram))! * 1000;
  };

  // Phase A: one open loop at the first server. Its warmup spans the scale-up (the window's rate climbs as the load
  // fills it, so the replicas rise a step at a time); its measured 10 s then match the autoscaling window of the last
  // round before it ends, to within a round: the same requests, seen by the servers and by the generator.
  // The threads of phase B start meanwhile, so that its load follows at once and the window's rate does not sag.
  const phaseBThreads = Promise.all(ADDRESSES.map(() => benchThread(load.signal)));
  phaseBThreads.catch(() => {}); // awaited below; this only keeps an abort after a failed check from being unhandled
  const loadStartedAt = Date.now();
  const reportA: BenchReport = await runBenchmarkOnThread(
    { url: single.url, model: 'mlp', mode: 'open', rate: OFFERED_RPS, warmupSeconds: PHASE_A_WARMUP_SECONDS, durationSeconds: WINDOW_SECONDS, timeoutMs: 5_000 },
    load.signal,
  );
  const loadAEndedAt = Date.now();

  // Phase B: the same rate spread over every ready server, one open loop each; the live rate is their sum.
  const lanes = node.servers();
  const phaseB = phaseBThreads.then((threads) =>
    Promise.all(
      lanes.map((s, i) =>
        threads[i].run({ url: s.url, model: 'mlp', mode: 'open', rate: OFFERED_RPS / lanes.length, warmupSeconds: 2, durationSeconds: WINDOW_SECONDS, timeoutMs: 5_000 }),
      ),
    ),
  );
  phaseB.catch(() => {});

  // Phase A is checked while phase B runs.
  assert.equal(reportA.requests.errors, 0, `no failed requests: ${JSON.stringify(reportA.errors)}`);
  const measuredAStart = Date.parse(reportA.startedAt) + PHASE_A_WARMUP_SECONDS * 1000;
  const measuredAEnd = Date.parse(reportA.completedAt);
  const lastScaleUpServerAt = Math.max(...node.started.map((st) => st.at));
  const duringA = snapshots.filter((s) => s.at >= loadStartedAt && s.at <= loadAEndedAt);
  const scaledTo = Math.max(...duringA.map((s) => s.deploymentReplicas ?? 0));
  assert.ok(scaledTo === 3 || scaledTo === 4, `the Deployment scaled to 3 or 4 replicas, got ${scaledTo}`);
  assert.equal(lanes.length, scaledTo, 'every replica was serving when the spread load began');
  const liveA = duringA.map((s) => s.live).filter((l) => l?.p99Ms !== undefined);
  assert.ok(liveA.length > 0, 'status.live with a p99 during the load');
  assert.ok(liveA.some((l) => within(l!.rps, OFFERED_RPS, 0.25)), `status.live.rps near ${OFFERED_RPS}: ${liveA.map((l) => l!.rps).join(', ')}`);
  // LatencyWithinSLA follows the live p99 it was written with (whether the p99 meets the SLA depends on the machine).
  const judged = duringA.filter((s) => s.live?.p99Ms !== undefined && s.latencyWithinSla?.reason !== 'NotEnoughTraffic');
  assert.ok(judged.length > 0, 'LatencyWithinSLA judged under the load');
  for (const s of judged) assert.equal(s.latencyWithinSla?.status, s.live!.p99Ms! <= SLA_P99_MS ? 'True' : 'False', s.latencyWithinSla?.message);
  const scaledUp = await eventually('a Scaled event for the scale-up', async () => (await scaledEvents(NAME)).find((e) => /^replicas 1 → \d+:/.test(e.message)), 10_000, 100);
  assert.equal(scaledUp.type, 'Normal');
  const afterUp = await read();
  const deploymentAfterUp = await deploymentOf(NAME);
  assert.equal(afterUp.status?.autoscaling?.desiredReplicas, deploymentAfterUp.spec?.replicas);
  assert.ok(afterUp.status?.autoscaling?.lastScaleTime, 'status.autoscaling.lastScaleTime');
  assert.match(afterUp.status!.autoscaling!.message, /req\/s/);
  // The new pods got servers, were marked Ready with their addresses, and are scraped.
  assert.deepEqual(lanes.map((s) => s.ip).sort(), ADDRESSES.slice(0, lanes.length));
  const scrapedPods = Math.max(...snapshots.map((s) => s.live?.pods ?? 0));
  assert.ok(scrapedPods > 1, `status.live counting more than one pod (${scrapedPods})`);
  assert.deepEqual(node.errors, []);
  // The live figures of the last round before the load ended, against the generator and the server's own histogram.
  const roundA = roundBefore(measuredAEnd);
  assert.ok(roundA?.p99Seconds !== undefined, 'a live p99 for the window');
  const liveRpsA = roundA.rps;
  const liveP99A = roundA.p99Seconds * 1000;
  const serverP99A = serverP99Over(roundA);
  const p99ErrorA = relative(liveP99A, reportA.latency.p99Ms);
  const p99ErrorVsServerA = relative(liveP99A, serverP99A);
  const g = reportA.generator;
  figures.push(
    `phase A, ${OFFERED_RPS} req/s at one server (warmup ${PHASE_A_WARMUP_SECONDS} s spanning the scale-up 1 → ${scaledTo}, the last new server up ${((measuredAStart - lastScaleUpServerAt) / 1000).toFixed(1)} s before the measured ${WINDOW_SECONDS} s):`,
    `  live rps ${liveRpsA.toFixed(1)} vs offered ${OFFERED_RPS} (${pct(relative(liveRpsA, OFFERED_RPS))}); generator throughput ${reportA.throughputRps.toFixed(1)} req/s`,
    `  live p99 ${liveP99A.toFixed(2)} ms vs generator p99 ${reportA.latency.p99Ms.toFixed(2)} ms over the same period: relative error ${pct(p99ErrorA)}`,
    `  live p99 vs the server's own histogram over the window (${serverP99A.toFixed(2)} ms): ${pct(p99ErrorVsServerA)}`,
    `  generator: p50 ${reportA.latency.p50Ms.toFixed(2)} ms, max ${reportA.latency.maxMs.toFixed(2)} ms; ${g.lateSends} of ${g.sentRequests} sends late by > ${g.lateThresholdMs} ms (max ${g.maxLagMs} ms), event-loop delay p99 ${g.eventLoopDelayP99Ms} ms`,
    `  first scale step: ${scaledUp.message}; status.live.pods reached ${scrapedPods}`,
  );
  assert.ok(within(liveRpsA, OFFERED_RPS, 0.25), `live rps ${liveRpsA} within 25 % of the offered ${OFFERED_RPS}`);
  assert.ok(
    Math.abs(p99ErrorVsServerA) <= 0.25,
    `live p99 ${liveP99A.toFixed(2)} ms within 25 % of the p99 of the server's own histogram over the window, ${serverP99A.toFixed(2)} ms (${pct(p99ErrorVsServerA)})`,
  );
  assert.ok(
    p99ErrorA <= 0.25,
    `live p99 ${liveP99A.toFixed(2)} ms at most 25 % above the generator's ${reportA.latency.p99Ms.toFixed(2)} ms (${pct(p99ErrorA)}): the servers see part of what the clients wait`,
  );

  const reportsB = await phaseB;
  const measuredBEnd = Math.min(...reportsB.map((r) => Date.parse(r.completedAt)));
  const loadEndedAt = Date.now();
  for (const r of reportsB) assert.equal(r.requests.errors, 0, `no failed requests at ${r.target.url}: ${JSON.stringify(r.errors)}`);
  const roundB = roundBefore(measuredBEnd);
  assert.ok(roundB?.p99Seconds !== undefined, 'a live p99 for the window of the spread load');
  const liveRpsB = roundB.rps;
  const liveP99B = roundB.p99Seconds * 1000;
  const offeredB = reportsB.reduce((sum, r) => sum + (r.generator.offeredRps ?? 0), 0);
  const laneP99s = reportsB.map((r) => r.latency.p99Ms);
  figures.push(
    `phase B, ${OFFERED_RPS} req/s spread over ${lanes.length} servers (${(OFFERED_RPS / lanes.length).toFixed(1)} req/s each, ${offeredB.toFixed(1)} offered in all):`,
    `  live rps ${liveRpsB.toFixed(1)} vs offered ${OFFERED_RPS} (${pct(relative(liveRpsB, OFFERED_RPS))})`,
    `  live p99 ${liveP99B.toFixed(2)} ms (merged over the pods) vs the generators' p99 ${laneP99s.map((p) => p.toFixed(2)).join(', ')} ms (${pct(relative(liveP99B, Math.max(...laneP99s)))} against the highest)`,
  );
  assert.ok(within(liveRpsB, OFFERED_RPS, 0.25), `live rps ${liveRpsB} over ${lanes.length} loaded pods within 25 % of the offered ${OFFERED_RPS}`);
  const duringB = snapshots.filter((s) => s.at > loadAEndedAt && s.at <= loadEndedAt);
  assert.ok(duringB.every((s) => s.deploymentReplicas === lanes.length), `the replicas held at ${lanes.length} under the same load`);

  // 5. The load stops: back to minReplicas once the window has emptied and the stabilization window has passed.
  const down = await eventually(
    'the Deployment back at 1 replica',
    async () => ((await deploymentOf(NAME)).spec?.replicas === 1 ? Date.now() : undefined),
    60_000,
    100,
  );
  figures.push(`scale-down to 1 replica ${((down - loadEndedAt) / 1000).toFixed(1)} s after the load stopped (window ${WINDOW_SECONDS} s, stabilization ${STABILIZATION_SECONDS} s)`);
  const settled = await waitFor('status.autoscaling.desiredReplicas 1', (i) => i.status?.autoscaling?.desiredReplicas === 1, 10_000);
  assert.ok(settled.status?.autoscaling?.message, 'a reason for the count');
  // No requests in the window: no p99, and no verdict on it.
  const idle = await waitFor('LatencyWithinSLA=Unknown without traffic', (i) => condition(i, 'LatencyWithinSLA')?.reason === 'NotEnoughTraffic', 20_000);
  assert.equal(idle.status?.live?.rps, 0);
  assert.equal(idle.status?.live?.p99Ms, undefined);
  assert.equal(condition(idle, 'LatencyWithinSLA')?.status, 'Unknown');
  await eventually('one running server', async () => (node.servers().length === 1 ? true : undefined), 20_000, 100);
  const scaledDown = (await scaledEvents(NAME)).filter((e) => /^replicas [234] → [123]:/.test(e.message));
  assert.ok(scaledDown.length > 0, `Scaled events for the scale-down: ${(await scaledEvents(NAME)).map((e) => e.message).join(' | ')}`);
  assert.ok(node.stopped.length >= lanes.length - 1, 'the deleted pods\' servers were stopped');
  assert.deepEqual(node.errors, []);
  recording = false;
  await recorders;
  // Neither a scale-up nor a scale-down re-runs a benchmark or a capacity search.
  assert.equal((await benchmarkJobs(admin, NS, NAME)).length, 1);
  assert.equal((await capacityJobs(admin, NS, NAME)).length, 1);

  // 6. The scale subresource of an InferenceService without autoscaling sets spec.replicas, and only that.
  const manual = await createIsvc(admin, mlpManifest(MANUAL));
  await serverPodsBecomeReady(admin, NS, MANUAL, 1);
  const manualJob = await eventually('the benchmark Job of the manual service', async () => (await benchmarkJobs(admin, NS, MANUAL))[0], 30_000, 50);
  await benchmarkPodFinishes(admin, manualJob, { report: compactReport({ model: 'mlp', p99Ms: 4.2 }) });
  await waitFor('the manual service measured', (i) => i.status?.benchmark?.specHash === hashOf(manual) && condition(i, 'SLAMet')?.status === 'True', 30_000, MANUAL);
  const jobsCreated = async () => (await operator.metrics.benchmarkJobsCreated.get()).values[0]?.value ?? 0;
  const jobsBefore = await jobsCreated();
  const scalePath = `${isvcPath(NS, MANUAL)}/scale`;
  interface Scale {
    spec: { replicas?: number };
    status: { replicas: number; selector?: string };
  }
  await admin.request({ method: 'PATCH', path: scalePath, contentType: 'application/merge-patch+json', body: { spec: { replicas: 3 } } });
  assert.equal((await read(MANUAL)).spec.replicas, 3);
  await eventually('the manual Deployment at 3 replicas', async () => ((await deploymentOf(MANUAL)).spec?.replicas === 3 ? true : undefined), 30_000, 50);
  await serverPodsBecomeReady(admin, NS, MANUAL, 3);
  const scale = await eventually('GET /scale with 3 replicas', async () => {
    const s = await admin.request<Scale>({ method: 'GET', path: scalePath });
    return s.status.replicas === 3 ? s : undefined;
  }, 30_000, 50);
  assert.equal(scale.spec.replicas, 3);
  assert.equal(scale.status.selector, `vernier.dev/inferenceservice=${MANUAL},app.kubernetes.io/component=server`);
  // kubectl scale goes through the same subresource.
  const kubectl = join(cp.binDir, 'kubectl');
  await execFileAsync(kubectl, ['--kubeconfig', cp.kubeconfigPath, '-n', NS, 'scale', `inferenceservice/${MANUAL}`, '--replicas=2']);
  await eventually('the manual Deployment at 2 replicas', async () => ((await deploymentOf(MANUAL)).spec?.replicas === 2 ? true : undefined), 30_000, 50);
  const rescaled = await waitFor('observedGeneration 3', (i) => i.status?.observedGeneration === 3, 30_000, MANUAL);
  assert.equal(hashOf(rescaled), hashOf(manual), 'replicas are not part of the spec hash');
  assert.equal(condition(rescaled, 'Benchmarked')?.status, 'True', 'the measurement still describes the spec');
  await sleep(500);
  assert.deepEqual((await benchmarkJobs(admin, NS, MANUAL)).map((j) => j.metadata?.uid), [manualJob.metadata?.uid], 'no benchmark for a replica change');
  assert.equal(await jobsCreated(), jobsBefore);
  assert.equal((await capacityJobs(admin, NS, MANUAL)).length, 0, 'no capacity search without spec.autoscaling');
  assert.equal((await read(MANUAL)).status?.autoscaling, undefined);

  finished = true;
  figures.push(`Scaled events: ${(await scaledEvents(NAME)).map((e) => e.message.replace(/:.*/, '')).join('; ')}`);
  figures.push(`test took ${((performance.now() - testStartedAt) / 1000).toFixed(0)} s`);
});
