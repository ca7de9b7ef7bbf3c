// Autoscaling in a real cluster: an open-loop load at twice one replica's measured capacity, sent through the
// Service from a pod, scales the service out until its live p99 is back within the SLA, and the replicas come back
// to minReplicas once the load stops. Without spec.autoscaling, `kubectl scale` drives the replicas through the
// scale subresource and measures nothing again. Every pod runs under Pod Security "restricted".
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stringify } from 'yaml';
import { Label } from '../../operator/labels.js';
import { mlpInferenceService, replicasFor, SHORT_LOOP, SLA_P99_MS } from '../autoscale/autoscaled-mlp.js';
import { secondsUntilReady } from '../autoscale/figures.js';
import { observe } from '../autoscale/observe.js';
import { deployAndMeasureCapacity, isvcStatus, waitForRest } from '../autoscale/scenario.js';
import { loadEnd, phaseStart } from '../autoscale/segments.js';
import { finishStepLoad, mlpLoadPlan, startStepLoad, type StepLoadJob } from '../autoscale/step-load-job.js';
import { E2E_IMAGE, operatorAndNamespace, withClusterDiagnostics } from '../support/operator-install.js';
import { pollUntil } from '../support/poll.js';

const NS = `vernier-autoscale-${process.pid}`;
const AUTOSCALED = 'mlp-autoscaled';
const STATIC = 'mlp-static';
// Twice one replica's capacity: the rate rule asks for 3 of the 4 replicas allowed, and a missed p99 for the fourth.
// At 3× the four pods ran at 75 % of a capacity measured with one pod alone on the node, and the node's contention
// (CFS throttling at 100m, scrapes, probes, the generator) kept the live p99 above the SLA for most of the load.
const LOAD_MULTIPLE = 2;
const LOAD_SECONDS = 150;

const kubectl = operatorAndNamespace(NS);

const withDiagnostics = (name: string, body: () => Promise<void>): Promise<void> => withClusterDiagnostics(kubectl, NS, name, body);

async function deploymentReplicas(name: string): Promise<string> {
  return kubectl(['-n', NS, 'get', 'deployment', name, '-o', 'jsonpath={.spec.replicas}/{.status.readyReplicas}']);
}

async function jobNames(name: string): Promise<string[]> {
  const out = await kubectl(['-n', NS, 'get', 'jobs', '-l', `${Label.inferenceService}=${name}`, '-o', 'name']);
  return out.split('\n').filter(Boolean).sort();
}

interface ScaledEvent { from: number; to: number; at: number; message: string }

async function scaledEvents(name: string): Promise<ScaledEvent[]> {
  const list = JSON.parse(
    await kubectl(['-n', NS, 'get', 'events', '--field-selector', `involvedObject.name=${name},reason=Scaled`, '-o', 'json']),
  ) as { items: { message: string; lastTimestamp?: string; eventTime?: string }[] };
  return list.items.flatMap((e) => {
    const m = /^replicas (\d+) → (\d+)/.exec(e.message);
    return m ? [{ from: Number(m[1]), to: Number(m[2]), at: Date.parse(e.lastTimestamp ?? e.eventTime ?? ''), message: e.message }] : [];
  });
}


test('kubectl scale sets the Deployment of an InferenceService without autoscaling, and starts no new benchmark', { timeout: 600_000 }, async () => {
  try {
    await withDiagnostics('kubectl scale', async () => {
      await kubectl(['apply', '-f', '-'], { input: stringify(mlpInferenceService({ name: STATIC, namespace: NS })) });
      const measured = await pollUntil(`a benchmark of ${STATIC}`, async () => (await isvcStatus(kubectl, NS, STATIC)).benchmark, { timeoutMs: 300_000 });
      await pollUntil(`${STATIC}'s Deployment at 1/1`, async () => ((await deploymentReplicas(STATIC)) === '1/1' ? true : undefined), { timeoutMs: 120_000 });
      const jobsBefore = await jobNames(STATIC);

      await kubectl(['-n', NS, 'scale', `vis/${STATIC}`, '--replicas=2']);
      let seen = '';
      await pollUntil(`${STATIC}'s Deployment at 2/2`, async () => ((seen = await deploymentReplicas(STATIC)) === '2/2' ? true : undefined), {
        timeoutMs: 180_000,
        describe: () => seen,
      });

      assert.equal(await kubectl(['-n', NS, 'get', 'vis', STATIC, '-o', 'jsonpath={.spec.replicas}']), '2');
      assert.deepEqual(await jobNames(STATIC), jobsBefore, 'scaling must not start a benchmark');
      assert.equal((await isvcStatus(kubectl, NS, STATIC)).benchmark?.specHash, measured.specHash);
    });
  } finally {
    // Its pods' CPU requests would otherwise count against the autoscaled service's on this small node.
    await kubectl(['-n', NS, 'delete', 'inferenceservice', STATIC, '--ignore-not-found', '--wait=true', '--timeout=120s']).catch(() => undefined);
    await kubectl(['-n', NS, 'wait', '--for=delete', 'pods', '-l', `${Label.inferenceService}=${STATIC}`, '--timeout=120s']).catch(() => undefined);
  }
});

test(`a ${LOAD_MULTIPLE}× load scales the service out until its live p99 is within the SLA, and back in after`, { timeout: 1_200_000 }, async (t) => {
  await withDiagnostics('autoscaling', async () => {
    const capacity = await deployAndMeasureCapacity(kubectl, { name: AUTOSCALED, namespace: NS, autoscaling: SHORT_LOOP });
    t.diagnostic(`capacity of one replica: ${capacity.rpsPerReplica} req/s (p99 ${capacity.p99Ms} ms)`);
    await waitForRest(kubectl, NS, AUTOSCALED, SHORT_LOOP.minReplicas, 180_000);

    const rate = Math.round(LOAD_MULTIPLE * capacity.rpsPerReplica);
    const needed = replicasFor(rate, capacity.rpsPerReplica, SHORT_LOOP);
    const job: StepLoadJob = {
      name: 'step-load',
      namespace: NS,
      image: E2E_IMAGE,
      plan: mlpLoadPlan(`http://${AUTOSCALED}.${NS}.svc:8080`, [{ rate, seconds: LOAD_SECONDS }], SLA_P99_MS),
    };
    const observer = observe(kubectl, NS, AUTOSCALED, 900_000);
    try {
      await startStepLoad(kubectl, job);
      const segments = await finishStepLoad(kubectl, job);
      const loadFrom = phaseStart(segments, 0)!;
      const loadTo = loadEnd(segments)!;
      const changes = observer.replicaChanges();
      const during = changes.filter((c) => c.at >= loadFrom && c.at <= loadTo);
      const mostAskedFor = Math.max(0, ...during.map((c) => c.replicas));
      const mostReady = Math.max(0, ...during.map((c) => c.ready));
      const toNeeded = secondsUntilReady(changes, loadFrom, needed);
      t.diagnostic(
        `${rate} req/s for ${LOAD_SECONDS} s: up to ${mostAskedFor} replicas asked for, ${mostReady} ready; ` +
          `load step → ${needed} ready replicas: ${toNeeded === undefined ? 'never reached' : `${toNeeded.toFixed(1)} s`}`,
      );
      assert.ok(mostAskedFor > 1 && mostReady > 1, `replicas never rose above 1 during the load: ${JSON.stringify(during)}`);

      const scaledOut = changes.find((c) => c.at >= loadFrom && c.ready > 1)!;
      const underLoad = observer.liveObservations().filter((o) => o.at > scaledOut.at && o.at <= loadTo && (o.pods ?? 0) > 1 && (o.rps ?? 0) > capacity.rpsPerReplica);
      const within = underLoad.find((o) => o.latencyWithinSla === 'True');
      assert.ok(within, `LatencyWithinSLA never became True under the load once new pods were ready: ${JSON.stringify(observer.liveObservations())}`);
      t.diagnostic(
        `LatencyWithinSLA=True first ${((within.at - loadFrom) / 1000).toFixed(1)} s into the load (live p99 ${within.p99Ms} ms at ${within.rps} req/s over ${within.pods} pods); ` +
          `live p99 after the scale-out: ${underLoad.map((o) => `${Math.round(o.p99Ms ?? 0)}${o.latencyWithinSla === 'True' ? '' : '!'}`).join(' ')} ms`,
      );

      const events = await scaledEvents(AUTOSCALED);
      assert.ok(
        events.some((e) => e.to > e.from && e.at >= Math.floor(loadFrom / 1000) * 1000),
        `no Scaled event of a scale-out during the load: ${JSON.stringify(events)}`,
      );

      let seen = '';
      await pollUntil(`${AUTOSCALED} back at ${SHORT_LOOP.minReplicas} replica`, async () => ((seen = await deploymentReplicas(AUTOSCALED)) === '1/1' ? true : undefined), {
        timeoutMs: (SHORT_LOOP.scaleDownStabilizationSeconds + SHORT_LOOP.windowSeconds + 120) * 1000,
        describe: () => seen,
      });
      t.diagnostic(`back at ${SHORT_LOOP.minReplicas} replica ${((Date.now() - loadTo) / 1000).toFixed(1)} s after the load stopped`);
      const scaledIn = await scaledEvents(AUTOSCALED);
      assert.ok(scaledIn.some((e) => e.to === SHORT_LOOP.minReplicas && e.from > e.to && e.at >= Math.floor(loadTo / 1000) * 1000 - 1000), `no Scaled event back to ${SHORT_LOOP.minReplicas}: ${JSON.stringify(scaledIn)}`);
    } finally {
      await observer.stop();
    }
  });
});
