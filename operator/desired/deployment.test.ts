import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { inferenceService, settings } from '../test-support/fixtures.js';
import { desiredDeployment, GPU_TOLERATION, SERVER_CONTAINER } from './deployment.js';
import { FETCH_MODEL_SCRIPT, modelSource } from './model-source.js';
import { desiredService } from './service.js';

const execFileAsync = promisify(execFile);

test('desiredDeployment runs vernier serve with the spec model, strategy and knobs', () => {
  const isvc = inferenceService({ concurrency: { strategy: 'pool', workers: 3, maxBatchSize: 8, maxQueueDelayMs: 4, maxQueue: 64, intraOpThreads: 1 }, replicas: 2 });
  const d = desiredDeployment(isvc, settings());
  assert.equal(d.metadata?.name, 'audio-cnn');
  assert.equal(d.metadata?.namespace, 'ml');
  assert.equal(d.spec?.replicas, 2);
  const c = d.spec!.template.spec!.containers[0];
  assert.equal(c.name, SERVER_CONTAINER);
  assert.equal(c.image, 'vernier:test');
  assert.equal(c.imagePullPolicy, 'IfNotPresent');
  assert.deepEqual(c.command, ['node', '/app/dist/cli/vernier.js']);
  assert.deepEqual(c.args, [
    'serve',
    '--model', 'builtin://audio-cnn',
    '--name', 'audio-cnn',
    '--strategy', 'pool',
    '--workers', '3',
    '--max-batch-size', '8',
    '--max-queue-delay-ms', '4',
    '--max-queue', '64',
    '--execution-provider', 'cpu',
    '--intra-op-threads', '1',
    '--host', '0.0.0.0',
    '--port', '8080',
    '--probe-port', '8081',
    '--shutdown-delay-ms', '5000',
    '--drain-timeout-ms', '20000',
  ]);
  assert.equal(d.spec!.template.spec!.terminationGracePeriodSeconds, 30, 'grace covers shutdown delay + drain + margin');
});

test('a text-embedding model\'s spec.model.maxTokens reaches the server as --max-tokens; without it, no flag', () => {
  const minilm = inferenceService({ model: { name: 'minilm', uri: 'builtin://all-minilm-l6-v2', maxTokens: 128 } });
  const args = desiredDeployment(minilm, settings()).spec!.template.spec!.containers[0].args!;
  assert.equal(args[args.indexOf('--max-tokens') + 1], '128');
  const plain = desiredDeployment(inferenceService({ model: { name: 'minilm', uri: 'builtin://all-minilm-l6-v2' } }), settings());
  assert.ok(!plain.spec!.template.spec!.containers[0].args!.includes('--max-tokens'));
});

test('desiredDeployment: owner reference, labels, selector and Prometheus annotations', () => {
  const isvc = inferenceService();
  const d = desiredDeployment(isvc, settings());
  assert.deepEqual(d.metadata?.ownerReferences, [
    { apiVersion: 'vernier.dev/v1alpha1', kind: 'InferenceService', name: 'audio-cnn', uid: isvc.metadata.uid, controller: true, blockOwnerDeletion: true },
  ]);
  assert.deepEqual(d.spec?.selector.matchLabels, { 'vernier.dev/inferenceservice': 'audio-cnn', 'app.kubernetes.io/component': 'server' });
  const podLabels = d.spec!.template.metadata!.labels!;
  for (const [k, v] of Object.entries(d.spec!.selector.matchLabels!)) assert.equal(podLabels[k], v, `pod label ${k} matches the selector`);
  assert.equal(podLabels['app.kubernetes.io/managed-by'], 'vernier');
  assert.deepEqual(d.spec!.template.metadata!.annotations, { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '8080', 'prometheus.io/path': '/metrics' });
});

test('desiredDeployment meets Pod Security Standards restricted', () => {
  const pod = desiredDeployment(inferenceService({ model: { name: 'm', uri: 'https://models.example.com/m.onnx', sha256: 'a'.repeat(64) } }), settings()).spec!.template.spec!;
  assert.equal(pod.securityContext?.runAsNonRoot, true);
  assert.equal(pod.securityContext?.runAsUser, 10001);
  assert.deepEqual(pod.securityContext?.seccompProfile, { type: 'RuntimeDefault' });
  assert.equal(pod.automountServiceAccountToken, false);
  const all = [...(pod.initContainers ?? []), ...pod.containers];
  assert.equal(all.length, 2, 'the https model adds an init container');
  const server = pod.containers[0];
  assert.equal(server.args?.[server.args.indexOf('--model') + 1], '/mnt/model/model.onnx', 'the server loads what the init container fetched');
  assert.equal(pod.initContainers?.[0].args?.[2], '/mnt/model/model.onnx');
  for (const c of all) {
    assert.equal(c.securityContext?.allowPrivilegeEscalation, false, c.name);
    assert.equal(c.securityContext?.readOnlyRootFilesystem, true, c.name);
    assert.deepEqual(c.securityContext?.capabilities, { drop: ['ALL'] }, c.name);
    assert.ok(c.volumeMounts?.some((m) => m.mountPath === '/tmp' && m.name === 'tmp'), `${c.name} has a writable /tmp`);
  }
  assert.ok(pod.volumes?.some((v) => v.name === 'tmp' && v.emptyDir), 'tmp is an emptyDir');
});

test('desiredDeployment probes the v2 health endpoints on the named port', () => {
  const c = desiredDeployment(inferenceService(), settings()).spec!.template.spec!.containers[0];
  assert.deepEqual(c.ports, [
    { name: 'http', containerPort: 8080, protocol: 'TCP' },
    { name: 'probes', containerPort: 8081, protocol: 'TCP' },
  ]);
  // Probes go to the probe port, whose thread answers however busy the HTTP thread is.
  assert.deepEqual(c.readinessProbe?.httpGet, { path: '/v2/health/ready', port: 'probes' });
  assert.deepEqual(c.livenessProbe?.httpGet, { path: '/v2/health/live', port: 'probes' });
  assert.deepEqual(c.startupProbe?.httpGet, { path: '/v2/health/live', port: 'probes' });
});

test('provider nvidia-t4 adds the GPU limit, node selector, toleration and the CUDA execution provider', () => {
  const cpu = desiredDeployment(inferenceService(), settings()).spec!.template.spec!;
  assert.equal(cpu.containers[0].image, 'vernier:test', 'CPU services keep the small image');
  assert.equal(cpu.nodeSelector, undefined);
  assert.equal(cpu.tolerations, undefined);
  assert.equal(cpu.containers[0].resources?.limits, undefined);

  const isvc = inferenceService({
    provider: { type: 'nvidia-t4', nodeSelector: { zone: 'a' } },
    resources: { requests: { cpu: '2' }, limits: { memory: '2Gi' } },
  });
  const pod = desiredDeployment(isvc, settings({ gpuNodeSelector: { 'gpu.example.com/model': 't4' } })).spec!.template.spec!;
  const c = pod.containers[0];
  assert.deepEqual(c.resources, { requests: { cpu: '2' }, limits: { memory: '2Gi', 'nvidia.com/gpu': '1' } });
  assert.deepEqual(pod.nodeSelector, { zone: 'a' }, "the spec's node selector replaces the operator's GPU default");
  const byDefault = desiredDeployment(inferenceService({ provider: { type: 'nvidia-t4' } }), settings({ gpuNodeSelector: { 'gpu.example.com/model': 't4' } }));
  assert.deepEqual(byDefault.spec!.template.spec!.nodeSelector, { 'gpu.example.com/model': 't4' });
  assert.deepEqual(pod.tolerations, [GPU_TOLERATION]);
  assert.deepEqual(GPU_TOLERATION, { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' });
  assert.equal(c.args?.[c.args.indexOf('--execution-provider') + 1], 'cuda');
  assert.equal(c.image, 'vernier:test-cuda', 'the CUDA build of the image');
  assert.equal(byDefault.spec!.template.spec!.containers[0].resources?.limits?.['nvidia.com/gpu'], '1');
});

test('provider nvidia-t4 with a model to fetch: the init container runs the same CUDA image, without a GPU', () => {
  const isvc = inferenceService({ provider: { type: 'nvidia-t4' }, model: { name: 'm', uri: 'https://models.example.com/m.onnx', sha256: 'a'.repeat(64) } });
  const pod = desiredDeployment(isvc, settings()).spec!.template.spec!;
  assert.equal(pod.initContainers?.[0].image, 'vernier:test-cuda', 'one image to pull on the GPU node');
  assert.equal(pod.initContainers?.[0].resources, undefined);
  const own = desiredDeployment(inferenceService({ provider: { type: 'nvidia-t4' }, image: 'registry.example.com/vernier-gpu:7' }), settings());
  assert.equal(own.spec!.template.spec!.containers[0].image, 'registry.example.com/vernier-gpu:7', 'spec.image wins for GPU services too');
});

test('spec.image and spec.imagePullPolicy override the operator defaults', () => {
  const c = desiredDeployment(inferenceService({ image: 'registry.example.com/vernier:2', imagePullPolicy: 'Always' }), settings()).spec!.template.spec!.containers[0];
  assert.equal(c.image, 'registry.example.com/vernier:2');
  assert.equal(c.imagePullPolicy, 'Always');
});

test('a pvc:// model is mounted read-only where the server is told to look', () => {
  const isvc = inferenceService({ model: { name: 'm', uri: 'pvc://models/onnx/m.onnx' } });
  const args = desiredDeployment(isvc, settings()).spec!.template.spec!.containers[0].args!;
  assert.equal(args[args.indexOf('--model') + 1], '/mnt/model/onnx/m.onnx');
  const source = modelSource(isvc.spec.model);
  assert.deepEqual(source.volumes, [{ name: 'model', persistentVolumeClaim: { claimName: 'models', readOnly: true } }]);
  assert.deepEqual(source.mounts, [{ name: 'model', mountPath: '/mnt/model', readOnly: true }]);
});

test('the fetch-model script downloads, verifies the sha256 and refuses a mismatch', async (t) => {
  const model = Buffer.from('not really onnx, but bytes all the same');
  const server = createServer((req, res) => {
    if (req.url === '/m.onnx') res.end(model);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const dir = await mkdtemp(join(tmpdir(), 'vernier-fetch-'));
  t.after(async () => {
    server.close();
    await rm(dir, { recursive: true, force: true });
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/m.onnx`;
  const sha = createHash('sha256').update(model).digest('hex');
  const dest = join(dir, 'model.onnx');
  const run = (args: string[]) => execFileAsync(process.execPath, ['--input-type=module', '-e', FETCH_MODEL_SCRIPT, ...args]);

  await run([url, sha, dest]);
  assert.deepEqual(await readFile(dest), model);

  await assert.rejects(run([url, 'b'.repeat(64), join(dir, 'other.onnx')]), (err: { stderr: string }) => {
    assert.match(err.stderr, /does not match spec\.model\.sha256/);
    return true;
  });
  await assert.rejects(run([url.replace('m.onnx', 'missing.onnx'), sha, join(dir, 'x.onnx')]), (err: { stderr: string }) => {
    assert.match(err.stderr, /HTTP 404/);
    return true;
  });
});

test('desiredService selects the server pods on port 8080 and carries the owner reference', () => {
  const isvc = inferenceService();
  const s = desiredService(isvc);
  const d = desiredDeployment(isvc, settings());
  assert.equal(s.metadata?.name, 'audio-cnn');
  assert.deepEqual(s.spec?.selector, d.spec?.selector.matchLabels);
  assert.deepEqual(s.spec?.ports, [{ name: 'http', port: 8080, targetPort: 'http', protocol: 'TCP' }]);
  assert.equal(s.metadata?.ownerReferences?.[0].uid, isvc.metadata.uid);
  assert.equal(s.metadata?.annotations?.['prometheus.io/scrape'], 'true');
});
