import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ZodError } from 'zod';
import { validBaseManifest } from './invalid-manifests.js';
import { InvalidInferenceServiceError, formatPath, parseInferenceService, parseInferenceServiceSpec } from './parse.js';

const minimal = () => ({
  apiVersion: 'vernier.dev/v1alpha1',
  kind: 'InferenceService',
  metadata: { name: 'm', namespace: 'ml' },
  spec: { model: { name: 'mlp', uri: 'builtin://mlp' }, sla: { p99LatencyMs: 20 } },
});

function rejection(obj: unknown): InvalidInferenceServiceError {
  try {
    parseInferenceService(obj);
  } catch (err) {
    assert.ok(err instanceof InvalidInferenceServiceError);
    return err;
  }
  assert.fail('accepted');
}

describe('parseInferenceService', () => {
  it('fills in every default of a minimal manifest', () => {
    const { spec } = parseInferenceService(minimal());
    assert.deepEqual(spec.provider, { type: 'cpu' });
    assert.deepEqual(spec.concurrency, { strategy: 'batched', workers: 2, maxBatchSize: 32, maxQueueDelayMs: 2, maxQueue: 512 });
    assert.deepEqual(spec.benchmark, {
      concurrency: 20,
      durationSeconds: 30,
      warmupSeconds: 5,
      payload: 'json',
      timeoutMs: 10000,
      capacitySeconds: 120,
    });
    assert.equal(spec.replicas, 1);
  });

  it('keeps unknown metadata (the API server adds plenty) and a status', () => {
    const obj = {
      ...minimal(),
      metadata: { ...minimal().metadata, generation: 3, resourceVersion: '42', uid: 'u-1' },
      status: {
        observedGeneration: 3,
        conditions: [
          { type: 'Ready', status: 'True', lastTransitionTime: '2024-05-01T12:00:00Z', reason: 'DeploymentAvailable', message: '' },
        ],
      },
    };
    const isvc = parseInferenceService(obj);
    assert.equal(isvc.metadata.resourceVersion, '42');
    assert.equal(isvc.status?.conditions?.[0].reason, 'DeploymentAvailable');
  });

  it('accepts https models with a digest and pvc models', () => {
    const https = minimal();
    https.spec.model = { name: 'mlp', uri: 'https://models.example.com/mlp.onnx', sha256: 'a'.repeat(64) } as never;
    assert.doesNotThrow(() => parseInferenceService(https));
    const pvc = minimal();
    pvc.spec.model.uri = 'pvc://models/team-a/mlp.onnx';
    assert.doesNotThrow(() => parseInferenceService(pvc));
  });

  it('lists every problem as path: message, naming the object', () => {
    const obj = validBaseManifest('broken');
    obj.metadata.namespace = 'ml';
    obj.spec.concurrency.workers = 0;
    obj.spec.provider.type = 'tpu';
    delete obj.spec.sla;
    const err = rejection(obj);
    assert.match(err.message, /^invalid InferenceService "ml\/broken":\n/);
    assert.deepEqual(err.issues.map((line) => line.split(':')[0]).sort(), ['spec.concurrency.workers', 'spec.provider.type', 'spec.sla']);
    assert.match(err.issues.find((l) => l.startsWith('spec.sla'))!, /^spec\.sla: required \(expected object\)$/);
    assert.match(err.issues.find((l) => l.startsWith('spec.provider.type'))!, /"cpu"\|"nvidia-t4"/);
    for (const issue of err.issues) assert.ok(err.message.includes(`  - ${issue}`));
    assert.ok(err.cause instanceof ZodError);
  });

  it('names each misspelled field', () => {
    const obj = validBaseManifest();
    obj.spec.concurency = {};
    obj.spec.benchmark.durationSecond = 5;
    assert.deepEqual(rejection(obj).issues.sort(), ['spec.benchmark.durationSecond: unknown field', 'spec.concurency: unknown field']);
  });

  it('says what a model uri may look like', () => {
    const obj = validBaseManifest();
    obj.spec.model.uri = 's3://bucket/model.onnx';
    assert.deepEqual(rejection(obj).issues, [
      'spec.model.uri: must be builtin://NAME (a model shipped in the image), https://HOST/PATH (with sha256 set) or pvc://CLAIM/PATH',
    ]);
  });

  it('reports the cross-field rules at the field to fix', () => {
    const obj = validBaseManifest();
    obj.spec.benchmark.mode = 'open';
    assert.deepEqual(rejection(obj).issues, ['spec.benchmark.rate: rate is required when mode is open (requests per second to send)']);
  });

  it('refuses the wrong apiVersion or kind', () => {
    const obj = { ...minimal(), apiVersion: 'vernier.dev/v1' };
    assert.match(rejection(obj).issues[0], /^apiVersion: /);
    assert.match(rejection({ ...minimal(), kind: 'Deployment' }).issues[0], /^kind: /);
  });

  it('refuses non-objects with a line, not a crash', () => {
    assert.deepEqual(rejection(null).issues, ['<root>: Invalid input: expected object, received null']);
    assert.match(rejection('spec').message, /^invalid InferenceService \(unnamed\)/);
  });
});

describe('parseInferenceServiceSpec', () => {
  it('reports paths from spec, as in a whole manifest', () => {
    assert.throws(
      () => parseInferenceServiceSpec({ model: { name: 'mlp', uri: 'builtin://mlp' }, sla: { p99LatencyMs: -1 } }),
      (err: InvalidInferenceServiceError) => err.issues.length === 1 && err.issues[0].startsWith('spec.sla.p99LatencyMs: '),
    );
  });
});

describe('formatPath', () => {
  it('writes fields with dots and list positions in brackets', () => {
    assert.equal(formatPath(['status', 'conditions', 0, 'type']), 'status.conditions[0].type');
    assert.equal(formatPath([]), '<root>');
  });
});
