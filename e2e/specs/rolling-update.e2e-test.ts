// A rolling update under load: an open-loop load runs through the Service from a pod while a change of the
// InferenceService's resources rolls its server pods; not one request may fail. The old pods turn not-ready, keep
// answering (each answer closing its keep-alive connection) until the endpoints have dropped them, then drain.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'yaml';
import { Label } from '../../operator/labels.js';
import { mlpInferenceService, SLA_P99_MS } from '../autoscale/autoscaled-mlp.js';
import { isvcStatus } from '../autoscale/scenario.js';
import { finishStepLoad, mlpLoadPlan, startStepLoad, type StepLoadJob } from '../autoscale/step-load-job.js';
import { E2E_IMAGE, operatorAndNamespace, withClusterDiagnostics } from '../support/operator-install.js';
import { pollUntil } from '../support/poll.js';

const NS = `vernier-rolling-${process.pid}`;
const NAME = 'mlp-rolling';
const REPLICAS = 2;
/** Well under one replica's capacity (about 120–250 req/s under its CPU limit): the rollout, not overload, is tested. */
const RATE = 40;
const LOAD_SECONDS = 100;
/** Load before the change, so the rollout happens in the middle of the measured window. */
const LEAD_SECONDS = 15;

const kubectl = operatorAndNamespace(NS);


interface DeploymentState {
  generation: number;
  observed: number;
  replicas: number;
  updated: number;
  available: number;
  memory: string;
}

async function deployment(): Promise<DeploymentState> {
  const d = JSON.parse(await kubectl(['-n', NS, 'get', 'deployment', NAME, '-o', 'json'])) as {
    metadata: { generation: number };
    spec: { template: { spec: { containers: Array<{ resources?: { requests?: { memory?: string } } }> } } };
    status: { observedGeneration?: number; replicas?: number; updatedReplicas?: number; availableReplicas?: number };
  };
  return {
    generation: d.metadata.generation,
    observed: d.status.observedGeneration ?? 0,
    replicas: d.status.replicas ?? 0,
    updated: d.status.updatedReplicas ?? 0,
    available: d.status.availableReplicas ?? 0,
    memory: d.spec.template.spec.containers[0].resources?.requests?.memory ?? '',
  };
}

const serverPods = async (): Promise<string[]> =>
  (await kubectl(['-n', NS, 'get', 'pods', '-l', `${Label.inferenceService}=${NAME},${Label.component}=server`, '-o', 'name'])).split('\n').filter(Boolean).sort();

test('a rolling update of the server pods under an open-loop load through the Service fails no request', { timeout: 900_000 }, async (t) => {
  await withClusterDiagnostics(kubectl, NS, 'rolling update', async () => {
    const manifest = mlpInferenceService({ name: NAME, namespace: NS }) as { spec: Record<string, unknown> };
    manifest.spec.replicas = REPLICAS;
    await kubectl(['apply', '-f', '-'], { input: stringify(manifest) });
    await pollUntil(`${NAME} Ready and benchmarked`, async () => {
      const s = await isvcStatus(kubectl, NS, NAME);
      const ready = s.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
      return ready && s.benchmark ? s : undefined;
    }, { timeoutMs: 360_000, intervalMs: 3000 });
    const before = await deployment();
    const podsBefore = await serverPods();
    assert.equal(podsBefore.length, REPLICAS);

    const job: StepLoadJob = {
      name: 'rolling-load',
      namespace: NS,
      image: E2E_IMAGE,
      plan: mlpLoadPlan(`http://${NAME}.${NS}.svc:8080`, [{ rate: RATE, seconds: LOAD_SECONDS }], SLA_P99_MS, LOAD_SECONDS),
    };
    await startStepLoad(kubectl, job);
    await pollUntil('the load pod to run', async () => {
      const phase = await kubectl(['-n', NS, 'get', 'pods', '-l', 'job-name=rolling-load', '-o', 'jsonpath={.items[0].status.phase}']);
      return phase === 'Running' ? true : undefined;
    }, { timeoutMs: 120_000, intervalMs: 1000 });
    await sleep(LEAD_SECONDS * 1000);

    // A resources change: a new pod template, so the Deployment replaces every server pod, one at a time.
    const changedAt = Date.now();
    await kubectl(['-n', NS, 'patch', 'inferenceservice', NAME, '--type', 'merge', '-p', JSON.stringify({ spec: { resources: { requests: { memory: '200Mi' } } } })]);
    let state = before;
    await pollUntil('the rollout to finish', async () => {
      state = await deployment();
      const done = state.generation > before.generation && state.observed === state.generation && state.memory === '200Mi' && state.updated === REPLICAS && state.replicas === REPLICAS && state.available === REPLICAS;
      if (!done) return undefined;
      const pods = await serverPods();
      return pods.length === REPLICAS && pods.every((p) => !podsBefore.includes(p)) ? true : undefined;
    }, { timeoutMs: (LOAD_SECONDS - LEAD_SECONDS - 10) * 1000, intervalMs: 1000, describe: () => JSON.stringify(state) });
    const rolloutSeconds = (Date.now() - changedAt) / 1000;
    t.diagnostic(`rollout of ${REPLICAS} server pods: ${rolloutSeconds.toFixed(1)} s after the change, under ${RATE} req/s`);
    assert.ok(LEAD_SECONDS + rolloutSeconds < LOAD_SECONDS, 'the whole rollout happened while the load ran');

    const segments = await finishStepLoad(kubectl, job);
    const seconds = segments.flatMap((s) => s.timeline);
    const requests = seconds.reduce((sum, s) => sum + s.requests, 0);
    const ok = seconds.reduce((sum, s) => sum + s.ok, 0);
    const errors = segments.reduce((acc, s) => {
      for (const [kind, n] of Object.entries(s.errors)) acc[kind] = (acc[kind] ?? 0) + n;
      return acc;
    }, {} as Record<string, number>);
    t.diagnostic(`${requests} requests over ${seconds.length} s, ${ok} answered 200, errors ${JSON.stringify(errors)}`);
    assert.ok(requests >= RATE * (LOAD_SECONDS - 5), `the load ran: ${requests} requests`);
    assert.deepEqual(errors, {}, 'no request failed during the rolling update');
    assert.equal(ok, requests);
    assert.ok(segments.every((s) => s.generatorHealthy), 'the generator kept its schedule, so every send was made');
  });
});
