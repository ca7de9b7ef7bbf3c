import assert from 'node:assert/strict';
import { test } from 'node:test';
import { specHash } from '../../crds/index.js';
import { benchmarkJobName } from '../labels.js';
import { inferenceService, settings } from '../test-support/fixtures.js';
import { benchArgs, benchPodSize, desiredBenchmarkJob } from './job.js';

test('the benchmark Job runs vernier bench at the Service with the spec benchmark and SLA', () => {
  const isvc = inferenceService({ benchmark: { mode: 'closed', concurrency: 8, durationSeconds: 20, warmupSeconds: 3, payload: 'binary', timeoutMs: 5000 } });
  const hash = specHash(isvc.spec);
  const job = desiredBenchmarkJob(isvc, hash, settings({ benchmarkTtlSeconds: 120 }));
  assert.equal(job.metadata?.name, `audio-cnn-bench-${hash.slice(0, 10)}`);
  assert.equal(job.metadata?.labels?.['vernier.dev/spec-hash'], hash);
  assert.equal(job.spec?.ttlSecondsAfterFinished, 120);
  assert.equal(job.spec?.backoffLimit, 0);
  // Waiting for the Service's endpoints, warmup, measurement, one request timeout, slack.
  assert.equal(job.spec?.activeDeadlineSeconds, 60 + 3 + 20 + 5 + 120);
  const c = job.spec!.template.spec!.containers[0];
  assert.deepEqual(c.args, [
    'bench',
    '--url', 'http://audio-cnn.ml.svc:8080',
    '--model', 'audio-cnn',
    '--threads', '1',
    '--concurrency', '8',
    '--duration', '20',
    '--warmup', '3',
    '--payload', 'binary',
    '--timeout-ms', '5000',
    '--wait-for-server', '60',
    '--sla-p99-ms', '100',
    '--sla-max-error-rate', '0.01',
    '--sla-min-rps', '50',
    '--termination-log', '/dev/termination-log',
    '--quiet',
  ]);
  assert.equal(c.terminationMessagePath, '/dev/termination-log');
  assert.equal(c.terminationMessagePolicy, 'FallbackToLogsOnError');
  assert.equal(job.spec!.template.spec!.restartPolicy, 'Never');
  assert.equal(c.securityContext?.readOnlyRootFilesystem, true);
  assert.equal(job.spec!.template.spec!.securityContext?.runAsNonRoot, true);
  assert.equal(job.metadata?.ownerReferences?.[0].kind, 'InferenceService');
});

test('an SLA that names a throughput is tested open loop at that rate unless the manifest asks for a closed loop', () => {
  const byDefault = benchArgs(inferenceService({ benchmark: { concurrency: 8 }, sla: { p99LatencyMs: 100, minThroughputRps: 50 } }));
  assert.equal(byDefault[byDefault.indexOf('--rate') + 1], '50');
  assert.ok(!byDefault.includes('--concurrency'));
  const asked = benchArgs(inferenceService({ benchmark: { mode: 'closed', concurrency: 8 }, sla: { p99LatencyMs: 100, minThroughputRps: 50 } }));
  assert.equal(asked[asked.indexOf('--concurrency') + 1], '8');
  const noTarget = benchArgs(inferenceService({ benchmark: { concurrency: 8 }, sla: { p99LatencyMs: 100 } }));
  assert.equal(noTarget[noTarget.indexOf('--concurrency') + 1], '8', 'without a throughput target there is no rate to test');
  assert.notEqual(
    specHash(inferenceService({ benchmark: { concurrency: 8 }, sla: { p99LatencyMs: 100, minThroughputRps: 50 } }).spec),
    specHash(inferenceService({ benchmark: { mode: 'closed', concurrency: 8 }, sla: { p99LatencyMs: 100, minThroughputRps: 50 } }).spec),
    'the mode a spec gets is part of what was measured',
  );
  assert.equal(
    specHash(inferenceService({ benchmark: { concurrency: 8 }, sla: { p99LatencyMs: 100 } }).spec),
    specHash(inferenceService({ benchmark: { mode: 'closed', concurrency: 8 }, sla: { p99LatencyMs: 100 } }).spec),
    'a spec that gets the closed loop it got before keeps its hash (no re-run on upgrade)',
  );
});

test('the benchmark pod gets the CPU its declared load needs, and as many load threads as its limit has cores', () => {
  assert.deepEqual(benchPodSize({ rate: 20_000 }), {
    threads: 2,
    resources: { requests: { cpu: '1000m', memory: '192Mi' }, limits: { cpu: '2000m', memory: '640Mi' } },
  });
  assert.equal(benchPodSize({ rate: 10 }).resources.requests?.cpu, '500m', 'never below half a core');
  assert.equal(benchPodSize({ concurrency: 64 }).resources.limits?.cpu, '4000m');
  assert.equal(benchPodSize({ rate: 1_000_000 }).resources.limits?.cpu, '16000m', 'capped at 8 cores requested');
  const job = desiredBenchmarkJob(inferenceService({ benchmark: { mode: 'open', rate: 40_000 } }), 'abcdef0123456789', settings());
  const c = job.spec!.template.spec!.containers[0];
  assert.deepEqual(c.resources, benchPodSize({ rate: 40_000 }).resources);
  assert.equal(c.args![c.args!.indexOf('--threads') + 1], String(benchPodSize({ rate: 40_000 }).threads));
});

test('open-loop benchmarks send a rate instead of a concurrency; a zero throughput target is passed on, not dropped', () => {
  const isvc = inferenceService({ benchmark: { mode: 'open', rate: 250 }, sla: { p99LatencyMs: 20, minThroughputRps: 0 } });
  const args = benchArgs(isvc);
  assert.equal(args[args.indexOf('--rate') + 1], '250');
  assert.ok(!args.some((a) => a.startsWith('--concurrency')));
  assert.equal(args[args.indexOf('--sla-min-rps') + 1], '0', 'the CRD and bench share the bound: 0 is a valid target');
});

test('job names are deterministic per spec hash and fit in a label value', () => {
  const isvc = inferenceService();
  const a = benchmarkJobName(isvc, specHash(isvc.spec));
  assert.equal(a, benchmarkJobName(inferenceService(), specHash(inferenceService().spec)));
  const changed = inferenceService({ sla: { p99LatencyMs: 50 } });
  assert.notEqual(benchmarkJobName(changed, specHash(changed.spec)), a, 'a changed SLA is a new benchmark');
  const long = inferenceService({}, 'a'.repeat(63));
  const name = benchmarkJobName(long, specHash(long.spec));
  assert.ok(name.length <= 63, `${name} is at most 63 characters`);
  assert.match(name, /-bench-[0-9a-f]{10}$/);
});
