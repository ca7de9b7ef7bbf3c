// Names and picks of the scale run's InferenceServices.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exampleManifest, keyOf, scaleRefs, spreadPick } from './inference-services.js';

test('names are mlp-0001… spread round-robin over the namespaces', () => {
  const refs = scaleRefs(12, ['a', 'b', 'c']);
  assert.deepEqual(refs.slice(0, 4).map(keyOf), ['a/mlp-0001', 'b/mlp-0002', 'c/mlp-0003', 'a/mlp-0004']);
  assert.equal(scaleRefs(12_000, ['a'])[11_999].name, 'mlp-12000');
});

test('two picks with different offsets are spread and do not overlap', () => {
  const refs = scaleRefs(1000, ['a', 'b']);
  const latency = spreadPick(refs, 10, 0).map(keyOf);
  const downtime = spreadPick(refs, 10, 1).map(keyOf);
  assert.equal(new Set(latency).size, 10);
  assert.equal(new Set([...latency, ...downtime]).size, 20);
  assert.equal(new Set(spreadPick(scaleRefs(5000, ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j']), 10, 0).map((r) => r.namespace)).size, 10);
  const smoke = scaleRefs(30, ['a', 'b']);
  assert.equal(new Set([...spreadPick(smoke, 10, 0), ...spreadPick(smoke, 10, 1)].map(keyOf)).size, 20);
  assert.equal(spreadPick(refs.slice(0, 5), 10, 0).length, 5);
});

test('the template is examples/mlp.yaml', () => {
  const m = exampleManifest();
  assert.equal(m.kind, 'InferenceService');
  assert.equal(m.spec.sla.p99LatencyMs, 50);
});
