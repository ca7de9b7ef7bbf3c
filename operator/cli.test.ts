import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseOperatorArgs } from './cli.js';
import { OPERATOR_RBAC_RULES } from './rbac.js';

test('operator flags: defaults', () => {
  const config = parseOperatorArgs([], {});
  assert.notEqual(config, 'help');
  if (config === 'help') return;
  assert.match(config.settings.serverImage, /^vernier:\d+\.\d+\.\d+/);
  assert.equal(config.settings.cudaServerImage, `${config.settings.serverImage}-cuda`);
  assert.equal(config.settings.imagePullPolicy, 'IfNotPresent');
  assert.deepEqual(config.settings.gpuNodeSelector, { 'nvidia.com/gpu.product': 'Tesla-T4' });
  assert.equal(config.namespace, undefined, 'all namespaces');
  assert.equal(config.leaderElection, undefined);
  assert.deepEqual(config.http, { host: '0.0.0.0', port: 8081 });
});

test('operator flags: values, and environment variables VERNIER_<FLAG>', () => {
  const config = parseOperatorArgs(
    ['--namespace=ml', '--gpu-node-selector', 'a=b,c=d', '--leader-elect', '--lease-duration-seconds=6', '--metrics-port=0', '--benchmark-ttl-seconds=60'],
    { VERNIER_SERVER_IMAGE: 'registry.example.com/vernier:1', VERNIER_LEADER_ELECTION_NAMESPACE: 'vernier-system' },
  );
  if (config === 'help') throw new Error('unexpected help');
  assert.equal(config.namespace, 'ml');
  assert.equal(config.settings.serverImage, 'registry.example.com/vernier:1');
  assert.equal(config.settings.cudaServerImage, 'registry.example.com/vernier:1-cuda', "the server image's CUDA build by default");
  assert.deepEqual(config.settings.gpuNodeSelector, { a: 'b', c: 'd' });
  assert.equal(config.settings.benchmarkTtlSeconds, 60);
  assert.deepEqual(config.leaderElection, { namespace: 'vernier-system', name: 'vernier-operator', leaseDurationMs: 6000, renewDeadlineMs: 4000, retryPeriodMs: 800 });
  assert.equal(config.http.port, 0);
});

test('operator flags: --cuda-server-image names the CUDA build; a digest server image needs it', () => {
  const own = parseOperatorArgs(['--server-image=r/vernier:2', '--cuda-server-image=r/vernier-gpu:2'], {});
  if (own === 'help') throw new Error('unexpected help');
  assert.deepEqual([own.settings.serverImage, own.settings.cudaServerImage], ['r/vernier:2', 'r/vernier-gpu:2']);
  assert.throws(() => parseOperatorArgs([`--server-image=r/vernier@sha256:${'a'.repeat(64)}`], {}), /give --cuda-server-image too/);
  const untagged = parseOperatorArgs(['--server-image=registry:5000/vernier'], {});
  if (untagged === 'help') throw new Error('unexpected help');
  assert.equal(untagged.settings.cudaServerImage, 'registry:5000/vernier:latest-cuda');
});

test('operator flags: bad values name the flag and what was expected', () => {
  assert.throws(() => parseOperatorArgs(['--metrics-port=http'], {}), /--metrics-port: expected a number, got 'http'/);
  assert.throws(() => parseOperatorArgs(['--image-pull-policy=Sometimes'], {}), /--image-pull-policy: expected Always, IfNotPresent or Never/);
  assert.throws(() => parseOperatorArgs(['--gpu-node-selector=t4'], {}), /--gpu-node-selector: expected key=value pairs/);
  assert.throws(() => parseOperatorArgs(['--log-level=loud'], {}), /--log-level/);
});

test('RBAC rules name each resource once with verbs Kubernetes knows', () => {
  const known = new Set(['get', 'list', 'watch', 'create', 'update', 'patch', 'delete']);
  const seen = new Set<string>();
  for (const rule of OPERATOR_RBAC_RULES) {
    for (const resource of rule.resources) {
      const key = `${rule.apiGroups.join(',')}/${resource}`;
      assert.ok(!seen.has(key), `${key} appears once`);
      seen.add(key);
    }
    for (const verb of rule.verbs) assert.ok(known.has(verb), verb);
  }
});

test('operator flags: a value out of range names the flag and the range', () => {
  assert.throws(() => parseOperatorArgs(['--workers=0'], {}), /--workers: expected an integer from 1 to 64/);
  assert.throws(() => parseOperatorArgs([], { VERNIER_WORKERS: '99' }), /--workers \(VERNIER_WORKERS\): expected an integer from 1 to 64/);
});
