// `vernier run` and the operator write the same status for the same measurement, field by field.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sampleReport } from '../contracts/test-support/sample-report.js';
import { toCompactReport } from '../contracts/index.js';
import { parseInferenceService, specHash } from '../crds/index.js';
import { benchmarkOutcome, observeJob } from '../operator/status/benchmark.js';
import { computeStatus } from '../operator/status/compute.js';
import { readyCondition } from '../operator/status/ready.js';
import { localStatus } from './run.js';

const isvc = parseInferenceService({
  apiVersion: 'vernier.dev/v1alpha1',
  kind: 'InferenceService',
  metadata: { name: 'mlp', namespace: 'ml', generation: 3 },
  spec: { model: { name: 'mlp', uri: 'builtin://mlp' }, sla: { p99LatencyMs: 50, minThroughputRps: 10 } },
});

test('vernier run writes the status the operator writes for the same report', () => {
  const report = sampleReport();
  const now = new Date('2026-12-01T10:00:00Z');
  const url = 'http://127.0.0.1:41234';
  const local = localStatus(isvc, { spec: isvc.spec, report, server: { cpuPercent: 0, peakRssMiB: 0 }, url }, now);

  // The operator: a finished Job whose pod left the compact report in its termination message, one available replica.
  const job = { metadata: { name: 'mlp-bench' }, status: { conditions: [{ type: 'Complete', status: 'True' }] } };
  const pod = { status: { containerStatuses: [{ name: 'bench', state: { terminated: { exitCode: 0, message: JSON.stringify(toCompactReport(report)) } } }] } };
  const observed = observeJob(job as never, [pod as never]);
  assert.equal(observed.state, 'succeeded');
  const hash = specHash(isvc.spec);
  const deployment = { metadata: { generation: 1 }, status: { observedGeneration: 1, replicas: 1, readyReplicas: 1, availableReplicas: 1, updatedReplicas: 1 } };
  const operator = computeStatus({
    previous: undefined,
    generation: 3,
    endpoint: url,
    deployment,
    ready: readyCondition(deployment, 1),
    benchmark: benchmarkOutcome({ previous: undefined, spec: isvc.spec, hash, generation: 3, ready: true, jobName: 'mlp-bench', job: observed }),
    now,
  });
  assert.deepEqual(local, operator);
  assert.equal(local.endpoint, url, 'the endpoint is the server base URL, as the operator writes it (no /v2/models/… suffix)');
});
