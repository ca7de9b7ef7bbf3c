import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1Deployment, V1Job, V1Pod } from '@kubernetes/client-node';
import { benchmarkStatus } from '../../contracts/index.js';
import { InferenceServiceStatus, specHash, type InferenceServiceStatus as Status } from '../../crds/index.js';
import { compactReport, inferenceService } from '../test-support/fixtures.js';
import { benchmarkOutcome, observeJob } from './benchmark.js';
import { computeStatus, invalidSpecStatus, sameStatus } from './compute.js';
import { findCondition, setCondition } from './conditions.js';
import { readyCondition } from './ready.js';
import { conditionTransitions } from './transitions.js';

const T0 = new Date('2025-01-01T00:00:00.000Z');
const T1 = new Date('2025-01-01T00:05:00.000Z');

test('setCondition moves lastTransitionTime only when the status changes', () => {
  let c = setCondition(undefined, { type: 'Ready', status: 'False', reason: 'DeploymentProgressing', message: 'a', observedGeneration: 1 }, T0);
  assert.equal(c[0].lastTransitionTime, '2025-01-01T00:00:00Z');
  c = setCondition(c, { type: 'Ready', status: 'False', reason: 'DeploymentFailed', message: 'b', observedGeneration: 2 }, T1);
  assert.equal(c.length, 1);
  assert.equal(c[0].lastTransitionTime, '2025-01-01T00:00:00Z', 'same status: time kept');
  assert.equal(c[0].reason, 'DeploymentFailed');
  assert.equal(c[0].observedGeneration, 2);
  c = setCondition(c, { type: 'Ready', status: 'True', reason: 'DeploymentAvailable', message: 'c' }, T1);
  assert.equal(c[0].lastTransitionTime, '2025-01-01T00:05:00Z');
});

test('conditions are kept in the order Ready, Benchmarked, SLAMet', () => {
  let c = setCondition(undefined, { type: 'SLAMet', status: 'Unknown', reason: 'NotMeasured', message: '' }, T0);
  c = setCondition(c, { type: 'Ready', status: 'True', reason: 'DeploymentAvailable', message: '' }, T0);
  c = setCondition(c, { type: 'Benchmarked', status: 'False', reason: 'BenchmarkRunning', message: '' }, T0);
  assert.deepEqual(c.map((x) => x.type), ['Ready', 'Benchmarked', 'SLAMet']);
});

function deployment(status: V1Deployment['status'], generation = 1): V1Deployment {
  return { metadata: { name: 'audio-cnn', generation }, status };
}

test('Ready follows the Deployment rollout', () => {
  assert.equal(readyCondition(undefined, 1).status, 'False');
  assert.equal(readyCondition(deployment({ observedGeneration: 1, replicas: 2, updatedReplicas: 2, availableReplicas: 1 }), 2).reason, 'DeploymentProgressing');
  assert.deepEqual(readyCondition(deployment({ observedGeneration: 1, replicas: 2, updatedReplicas: 2, availableReplicas: 2, readyReplicas: 2 }), 2), {
    type: 'Ready',
    status: 'True',
    reason: 'DeploymentAvailable',
    message: '2/2 server pods available',
  });
  assert.equal(
    readyCondition(deployment({ observedGeneration: 1, replicas: 2, updatedReplicas: 2, availableReplicas: 2 }, 2), 2).status,
    'False',
    'the controller has not seen the latest generation yet',
  );
  assert.equal(readyCondition(deployment({ observedGeneration: 1, replicas: 3, updatedReplicas: 2, availableReplicas: 3 }), 2).status, 'False', 'old pods remain');
  // Scaling a service that was Ready (same template everywhere, some pods available) keeps it Ready…
  const scaling = readyCondition(deployment({ observedGeneration: 1, replicas: 4, updatedReplicas: 4, availableReplicas: 3 }), 4, true);
  assert.equal(scaling.status, 'True');
  assert.match(scaling.message, /3\/4 server pods available, scaling to 4/);
  // …but a new template rolling out does not.
  assert.equal(readyCondition(deployment({ observedGeneration: 1, replicas: 4, updatedReplicas: 2, availableReplicas: 3 }), 4, true).status, 'False');
  const stuck = readyCondition(
    deployment({ observedGeneration: 1, conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "x" has timed out progressing.' }] }),
    1,
  );
  assert.equal(stuck.reason, 'DeploymentFailed');
  assert.match(stuck.message, /timed out progressing/);
});

test('report → status.benchmark satisfies the CRD status schema', () => {
  const isvc = inferenceService();
  const b = benchmarkStatus(compactReport(), isvc.spec, specHash(isvc.spec));
  assert.ok(InferenceServiceStatus.safeParse({ benchmark: b }).success);
});

const job = (name: string, conditions: Array<{ type: string; reason?: string; message?: string }> = []): V1Job => ({
  metadata: { name, uid: 'u' },
  status: { conditions: conditions.map((c) => ({ status: 'True', ...c })) },
});
const pod = (message: string | undefined, exitCode = 0): V1Pod => ({
  status: { containerStatuses: [{ name: 'bench', image: 'i', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode, message } } }] },
});

test('observeJob reads the compact report from the pod termination message', () => {
  assert.deepEqual(observeJob(undefined, []), { state: 'absent' });
  assert.deepEqual(observeJob(job('j'), []), { state: 'running', jobName: 'j' });
  const done = observeJob(job('j', [{ type: 'Complete' }]), [pod(JSON.stringify(compactReport()))]);
  assert.equal(done.state, 'succeeded');
  assert.equal(done.state === 'succeeded' && done.report.p99Ms, 40.5);

  const noReport = observeJob(job('j', [{ type: 'Complete' }]), [pod(undefined)]);
  assert.equal(noReport.state, 'failed');
  const garbage = observeJob(job('j', [{ type: 'Complete' }]), [pod('{"version":1,"p99Ms":"fast"}')]);
  assert.equal(garbage.state, 'failed');
  assert.match(garbage.state === 'failed' ? garbage.message : '', /unreadable report/);
});

test('observeJob: a running Job whose pod cannot be scheduled or started says why', () => {
  const unschedulable: V1Pod = {
    metadata: { name: 'b-1' },
    status: { conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/1 nodes are available: 1 Insufficient cpu.' }] },
  };
  const stuck = observeJob(job('j'), [unschedulable]);
  assert.deepEqual(stuck, { state: 'running', jobName: 'j', stuck: 'pod b-1 cannot be scheduled: 0/1 nodes are available: 1 Insufficient cpu.' });
  const noImage: V1Pod = {
    metadata: { name: 'b-2' },
    status: { containerStatuses: [{ name: 'bench', image: 'i', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'ErrImageNeverPull', message: 'image "vernier:9" is not present' } } }] },
  };
  const imageMissing = observeJob(job('j'), [noImage]);
  assert.match(imageMissing.state === 'running' ? (imageMissing.stuck ?? '') : '', /b-2 cannot start: ErrImageNeverPull/);
  const starting: V1Pod = { status: { containerStatuses: [{ name: 'bench', image: 'i', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }] } };
  assert.deepEqual(observeJob(job('j'), [starting]), { state: 'running', jobName: 'j' });

  const isvc = inferenceService();
  const outcome = benchmarkOutcome({ previous: undefined, spec: isvc.spec, hash: specHash(isvc.spec), generation: 1, jobName: 'j', ready: true, job: stuck });
  assert.equal(outcome.benchmarked.reason, 'BenchmarkStuck');
  assert.match(outcome.benchmarked.message, /Job j is waiting: pod b-1 cannot be scheduled: .*Insufficient cpu/);
  assert.equal(outcome.createJob, false);
});

test('observeJob: a failed Job gives its reason and the pod message', () => {
  const failure = observeJob(job('j', [{ type: 'Failed', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' }]), [
    pod(JSON.stringify({ version: 1, failed: true, error: 'GET http://audio-cnn.ml.svc:8080/v2/models/audio-cnn: ECONNREFUSED' }), 1),
  ]);
  assert.equal(failure.state, 'failed');
  const message = failure.state === 'failed' ? failure.message : '';
  assert.match(message, /BackoffLimitExceeded/);
  assert.match(message, /exited with code 1/);
  assert.match(message, /ECONNREFUSED/);
  const logs = observeJob(job('j', [{ type: 'Failed', reason: 'DeadlineExceeded' }]), [pod('node: out of memory', 137)]);
  assert.match(logs.state === 'failed' ? logs.message : '', /DeadlineExceeded.*137: node: out of memory/);
});

function statusWith(outcome: ReturnType<typeof benchmarkOutcome>, previous?: Status, generation = 1): Status {
  return computeStatus({
    previous,
    generation,
    endpoint: 'http://audio-cnn.ml.svc:8080',
    deployment: deployment({ observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 1, readyReplicas: 1 }),
    ready: { type: 'Ready', status: 'True', reason: 'DeploymentAvailable', message: '1/1' },
    benchmark: outcome,
    now: T0,
  });
}

test('the benchmark loop: pending → create once → running → measured → SLAMet', () => {
  const isvc = inferenceService();
  const hash = specHash(isvc.spec);
  const input = { previous: undefined, spec: isvc.spec, hash, generation: 1, jobName: 'audio-cnn-bench-x' };

  const pending = benchmarkOutcome({ ...input, ready: false, job: { state: 'absent' } });
  assert.equal(pending.createJob, false, 'no Job before the server is Ready');
  assert.equal(pending.benchmarked.reason, 'BenchmarkPending');

  const create = benchmarkOutcome({ ...input, ready: true, job: { state: 'absent' } });
  assert.equal(create.createJob, true);
  assert.equal(create.benchmarked.reason, 'BenchmarkRunning');
  assert.equal(create.slaMet.status, 'Unknown');

  const running = benchmarkOutcome({ ...input, ready: true, job: { state: 'running', jobName: 'audio-cnn-bench-x' } });
  assert.equal(running.createJob, false, 'an existing Job is never duplicated');

  const succeeded = benchmarkOutcome({ ...input, ready: true, job: { state: 'succeeded', jobName: 'j', report: compactReport() } });
  const status = statusWith(succeeded);
  assert.equal(status.benchmark?.specHash, hash);
  assert.equal(findCondition(status.conditions, 'Benchmarked')?.status, 'True');
  assert.equal(findCondition(status.conditions, 'SLAMet')?.status, 'True');
  assert.ok(status.conditions!.every((c) => c.observedGeneration === 1));

  // Next pass, even with the Job gone (TTL): the result in status is enough, nothing is rerun.
  const measured = benchmarkOutcome({ ...input, previous: status, ready: true, job: undefined });
  assert.equal(measured.createJob, false);
  assert.equal(measured.slaMet.status, 'True');
  assert.ok(sameStatus(statusWith(measured, status), status), 'a pass that changes nothing writes nothing');
});

test('a measured spec keeps the verdict written with its result; after InvalidSpec it is recomputed from the figures', () => {
  const isvc = inferenceService({ sla: { p99LatencyMs: 100 } });
  const hash = specHash(isvc.spec);
  const input = { spec: isvc.spec, hash, generation: 1, jobName: 'j', ready: true };
  const failing = compactReport({ errorRate: 0.2, errors: { http_503: 200 } });
  const written = statusWith(benchmarkOutcome({ ...input, previous: undefined, job: { state: 'succeeded', jobName: 'j', report: failing } }));
  assert.match(findCondition(written.conditions, 'SLAMet')!.message, /most: http_503 × 200/);
  const again = benchmarkOutcome({ ...input, previous: written, job: undefined });
  assert.equal(again.slaMet.message, findCondition(written.conditions, 'SLAMet')!.message, 'kept, not rewritten with less detail');
  const afterInvalid = invalidSpecStatus(written, 2, 'x', T1);
  const recomputed = benchmarkOutcome({ ...input, generation: 3, previous: afterInvalid, job: undefined });
  assert.equal(recomputed.slaMet.reason, 'ErrorRateTooHigh');
  assert.equal(recomputed.benchmarked.reason, 'BenchmarkSucceeded');
});

test('a spec change makes the old result stale: SLAMet Unknown until the new benchmark', () => {
  const before = inferenceService();
  const measured = statusWith(
    benchmarkOutcome({ previous: undefined, spec: before.spec, hash: specHash(before.spec), generation: 1, jobName: 'j', ready: true, job: { state: 'succeeded', jobName: 'j', report: compactReport() } }),
  );
  const after = inferenceService({ sla: { p99LatencyMs: 10 } });
  const hash = specHash(after.spec);
  const waiting = benchmarkOutcome({ previous: measured, spec: after.spec, hash, generation: 2, jobName: 'j2', ready: false, job: { state: 'absent' } });
  assert.equal(waiting.benchmarked.reason, 'SpecChanged');
  assert.equal(waiting.slaMet.status, 'Unknown');
  assert.equal(waiting.benchmark?.specHash, specHash(before.spec), 'the old figures stay visible, marked by their hash');
  const missed = benchmarkOutcome({ previous: measured, spec: after.spec, hash, generation: 2, jobName: 'j2', ready: true, job: { state: 'succeeded', jobName: 'j2', report: compactReport() } });
  assert.equal(missed.slaMet.status, 'False');
  assert.equal(missed.slaMet.reason, 'P99AboveTarget');
});

test('a failed benchmark is reported and not rerun for the same generation', () => {
  const isvc = inferenceService();
  const hash = specHash(isvc.spec);
  const failed = benchmarkOutcome({ previous: undefined, spec: isvc.spec, hash, generation: 3, jobName: 'j', ready: true, job: { state: 'failed', jobName: 'j', message: 'Job j failed (BackoffLimitExceeded)' } });
  assert.equal(failed.benchmarked.reason, 'BenchmarkFailed');
  assert.equal(failed.slaMet.reason, 'BenchmarkFailed');
  const status = statusWith(failed, undefined, 3);
  const later = benchmarkOutcome({ previous: status, spec: isvc.spec, hash, generation: 3, jobName: 'j', ready: true, job: { state: 'absent' } });
  assert.equal(later.createJob, false, 'the Job is gone (TTL) but the failure stands');
  assert.match(later.benchmarked.message, /BackoffLimitExceeded/);
  const nextGeneration = benchmarkOutcome({ previous: status, spec: isvc.spec, hash, generation: 4, jobName: 'j', ready: true, job: { state: 'absent' } });
  assert.equal(nextGeneration.createJob, true, 'a spec edit runs it again');
});

test('invalid spec: every condition says InvalidSpec, earlier measurements stay', () => {
  const previous: Status = { observedGeneration: 1, benchmark: benchmarkStatus(compactReport(), inferenceService().spec, 'a'.repeat(16)) };
  const status = invalidSpecStatus(previous, 2, 'spec.model.uri: must be builtin://NAME', T0);
  assert.equal(status.observedGeneration, 2);
  assert.deepEqual(status.conditions?.map((c) => [c.type, c.status, c.reason]), [
    ['Ready', 'False', 'InvalidSpec'],
    ['Benchmarked', 'False', 'InvalidSpec'],
    ['SLAMet', 'Unknown', 'InvalidSpec'],
  ]);
  assert.match(status.conditions![0].message, /spec\.model\.uri/);
  assert.equal(status.benchmark?.p99Ms, 40.5);
});

test('events fire on transitions only, not for a first state that is still waiting', () => {
  const a = setCondition(undefined, { type: 'Ready', status: 'False', reason: 'DeploymentProgressing', message: 'x' }, T0);
  assert.deepEqual(conditionTransitions(undefined, a), []);
  const invalid = setCondition(undefined, { type: 'Ready', status: 'False', reason: 'InvalidSpec', message: 'bad' }, T0);
  assert.deepEqual(conditionTransitions(undefined, invalid).map((e) => [e.type, e.reason]), [['Warning', 'InvalidSpec']]);
  const available = setCondition(a, { type: 'Ready', status: 'True', reason: 'DeploymentAvailable', message: '1/1' }, T1);
  assert.deepEqual(conditionTransitions(a, available).map((e) => [e.type, e.reason]), [['Normal', 'DeploymentAvailable']]);
  assert.deepEqual(conditionTransitions(a, setCondition(a, { type: 'Ready', status: 'False', reason: 'DeploymentProgressing', message: 'y' }, T1)), []);
  const b = setCondition(a, { type: 'SLAMet', status: 'False', reason: 'P99AboveTarget', message: 'p99 70 ms > 50 ms' }, T1);
  assert.deepEqual(conditionTransitions(a, b), [{ type: 'Warning', reason: 'P99AboveTarget', message: 'SLAMet=False: p99 70 ms > 50 ms' }]);
});
