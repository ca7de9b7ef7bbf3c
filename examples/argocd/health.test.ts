import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { ConditionType, Reason } from '../../crds/index.js';
import { repoRoot } from '../../crds/crd-file.js';
import { runHealthCheck } from './run-health-check.js';

const script = readFileSync(join(repoRoot(), 'examples', 'argocd', 'inferenceservice-health.lua'), 'utf8');
const HEALTH_KEY = 'resource.customizations.health.vernier.dev_InferenceService';

type Condition = { type: string; status: 'True' | 'False' | 'Unknown'; reason: string; message: string; observedGeneration: number };
const condition = (type: string, status: Condition['status'], reason: string, message: string, observedGeneration = 2): Condition => ({
  type, status, reason, message, observedGeneration,
});
const isvc = (status?: { observedGeneration: number; conditions: Condition[] }) => ({
  apiVersion: 'vernier.dev/v1alpha1',
  kind: 'InferenceService',
  metadata: { name: 'audio-cnn', namespace: 'models', generation: 2 },
  spec: { model: { name: 'audio-cnn', uri: 'builtin://audio-cnn' } },
  ...(status ? { status } : {}),
});
const ready = condition(ConditionType.Ready, 'True', Reason.DeploymentAvailable, '1/1 replicas available');
const benchmarked = condition(ConditionType.Benchmarked, 'True', Reason.BenchmarkSucceeded, 'measured 3012 requests');
const notMeasured = condition(ConditionType.SLAMet, 'Unknown', Reason.NotMeasured, 'no benchmark result for the current spec yet');

describe('Argo CD health check of an InferenceService (examples/argocd/inferenceservice-health.lua)', () => {
  it('is Progressing before the operator has written status for the current generation', () => {
    assert.deepEqual(runHealthCheck(script, isvc()), { status: 'Progressing', message: 'waiting for the operator to observe generation 2' });
    const stale = isvc({ observedGeneration: 1, conditions: [condition(ConditionType.SLAMet, 'True', Reason.SLAMet, 'p99 9 ms ≤ 50 ms', 1)] });
    assert.equal(runHealthCheck(script, stale).status, 'Progressing');
  });

  it('is Progressing while the benchmark of the current generation runs, with its message', () => {
    const running = condition(ConditionType.Benchmarked, 'False', Reason.BenchmarkRunning, 'benchmark Job audio-cnn-bench-1a2b is running');
    assert.deepEqual(runHealthCheck(script, isvc({ observedGeneration: 2, conditions: [ready, running, notMeasured] })), {
      status: 'Progressing',
      message: 'benchmark Job audio-cnn-bench-1a2b is running',
    });
  });

  it('is Healthy when SLAMet is True for the current generation', () => {
    const met = condition(ConditionType.SLAMet, 'True', Reason.SLAMet, 'p99 9.1 ms ≤ 50 ms');
    assert.deepEqual(runHealthCheck(script, isvc({ observedGeneration: 2, conditions: [ready, benchmarked, met] })), {
      status: 'Healthy',
      message: 'p99 9.1 ms ≤ 50 ms',
    });
  });

  it('is not Healthy on a verdict about an older generation', () => {
    const oldVerdict = condition(ConditionType.SLAMet, 'True', Reason.SLAMet, 'p99 9.1 ms ≤ 50 ms', 1);
    assert.equal(runHealthCheck(script, isvc({ observedGeneration: 2, conditions: [ready, oldVerdict] })).status, 'Progressing');
  });

  it('is Degraded when SLAMet is False, with the reason and message', () => {
    const missed = condition(ConditionType.SLAMet, 'False', Reason.P99AboveTarget, 'p99 212 ms is above the 5 ms target');
    assert.deepEqual(runHealthCheck(script, isvc({ observedGeneration: 2, conditions: [ready, benchmarked, missed] })), {
      status: 'Degraded',
      message: 'P99AboveTarget: p99 212 ms is above the 5 ms target',
    });
  });

  it('is Degraded when the benchmark failed, the Deployment failed or the spec is invalid', () => {
    const failed = condition(ConditionType.Benchmarked, 'False', Reason.BenchmarkFailed, 'the benchmark pod was OOMKilled');
    const unknown = condition(ConditionType.SLAMet, 'Unknown', Reason.BenchmarkFailed, 'the benchmark failed, so the SLA could not be checked');
    assert.deepEqual(runHealthCheck(script, isvc({ observedGeneration: 2, conditions: [ready, failed, unknown] })), {
      status: 'Degraded',
      message: 'BenchmarkFailed: the benchmark pod was OOMKilled',
    });
    const deploymentFailed = condition(ConditionType.Ready, 'False', Reason.DeploymentFailed, 'ImagePullBackOff');
    assert.equal(runHealthCheck(script, isvc({ observedGeneration: 2, conditions: [deploymentFailed, notMeasured] })).status, 'Degraded');
    const invalid = condition(ConditionType.Ready, 'False', Reason.InvalidSpec, 'the spec is invalid, nothing was changed: spec.replicas');
    assert.deepEqual(runHealthCheck(script, isvc({ observedGeneration: 2, conditions: [invalid] })), {
      status: 'Degraded',
      message: 'the spec is invalid, nothing was changed: spec.replicas',
    });
  });

  it('is the check the README puts in argocd-cm, word for word', () => {
    const readme = readFileSync(join(repoRoot(), 'README.md'), 'utf8');
    const blocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]).filter((b) => b.includes(HEALTH_KEY));
    assert.equal(blocks.length, 1, `one README yaml block holds ${HEALTH_KEY}`);
    const configMap = parseYaml(blocks[0]) as { kind: string; metadata: { name: string }; data: Record<string, string> };
    assert.equal(configMap.kind, 'ConfigMap');
    assert.equal(configMap.metadata.name, 'argocd-cm');
    assert.equal(configMap.data[HEALTH_KEY], script);
  });
});
