import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { InvalidInferenceServiceError } from './parse.js';
import { canonicalJson, specHash } from './spec-hash.js';

const spec = () => ({
  model: { name: 'mlp', uri: 'builtin://mlp' },
  sla: { p99LatencyMs: 20 },
  concurrency: { strategy: 'pool' as const, workers: 2 },
});

describe('canonicalJson', () => {
  it('sorts keys at every level and drops undefined members', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: undefined } }), '{"a":{"d":[1,{"x":1,"y":2}]},"b":1}');
  });

  it('refuses numbers JSON cannot carry', () => {
    assert.throws(() => canonicalJson({ a: Number.NaN }), /NaN has no JSON form/);
  });
});

describe('specHash', () => {
  it('is the first 16 hex characters of the SHA-256 of the canonical measured fields', () => {
    // The canonical form, written out by hand: a change to it re-benchmarks every service, so it must be deliberate.
    const canonical =
      '{"benchmark":{"capacitySeconds":120,"concurrency":20,"durationSeconds":30,"mode":"closed","payload":"json","timeoutMs":10000,"warmupSeconds":5},' +
      '"concurrency":{"maxBatchSize":32,"maxQueue":512,"maxQueueDelayMs":2,"strategy":"pool","workers":2},' +
      '"model":{"name":"mlp","uri":"builtin://mlp"},"provider":{"type":"cpu"},"sla":{"p99LatencyMs":20}}';
    const expected = createHash('sha256').update(canonical).digest('hex').slice(0, 16);
    assert.equal(specHash(spec()), expected);
    assert.match(specHash(spec()), /^[a-f0-9]{16}$/);
  });

  it('does not depend on key order or on defaults being spelled out', () => {
    const explicit = {
      concurrency: { workers: 2, strategy: 'pool' as const, maxQueue: 512 },
      sla: { p99LatencyMs: 20 },
      model: { uri: 'builtin://mlp', name: 'mlp' },
      provider: { type: 'cpu' as const },
      replicas: 1,
    };
    assert.equal(specHash(explicit), specHash(spec()));
  });

  it('treats cpu: 2 and cpu: "2" as the same request', () => {
    const a = { ...spec(), resources: { requests: { cpu: 2 } } };
    const b = { ...spec(), resources: { requests: { cpu: '2' } } };
    assert.equal(specHash(a), specHash(b));
  });

  it('changes with anything that changes the measurement', () => {
    const base = specHash(spec());
    const variants = [
      { ...spec(), concurrency: { strategy: 'pool' as const, workers: 3 } },
      { ...spec(), model: { name: 'mlp', uri: 'builtin://mlp2' } },
      { ...spec(), provider: { type: 'nvidia-t4' as const } },
      { ...spec(), sla: { p99LatencyMs: 21 } },
      { ...spec(), benchmark: { durationSeconds: 10 } },
      { ...spec(), resources: { limits: { memory: '1Gi' } } },
      { ...spec(), image: 'registry.example.com/vernier:2' },
    ];
    const hashes = variants.map(specHash);
    for (const [i, hash] of hashes.entries()) assert.notEqual(hash, base, `variant ${i} kept the hash`);
    assert.equal(new Set(hashes).size, hashes.length);
  });

  it('ignores replicas and autoscaling: scaling never re-runs a benchmark', () => {
    assert.equal(specHash({ ...spec(), replicas: 5 }), specHash(spec()));
    assert.equal(specHash({ ...spec(), autoscaling: { minReplicas: 1, maxReplicas: 8 } }), specHash(spec()));
  });

  it('ignores the image pull policy, which changes nothing measured', () => {
    assert.equal(specHash({ ...spec(), imagePullPolicy: 'Always' }), specHash(spec()));
  });

  it('refuses an invalid spec, naming the field', () => {
    assert.throws(
      () => specHash({ ...spec(), replicas: 0 }),
      (err: unknown) => err instanceof InvalidInferenceServiceError && err.issues[0].startsWith('spec.replicas: '),
    );
  });
});
