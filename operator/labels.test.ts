import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nameProblem, ownerKey } from './labels.js';
import { microTime } from './leader-election.js';
import { splitKey } from './reconciler.js';

test('ownerKey finds the controlling InferenceService of a child', () => {
  const ref = { apiVersion: 'vernier.dev/v1alpha1', kind: 'InferenceService', name: 'mlp', uid: 'u', controller: true };
  assert.equal(ownerKey({ metadata: { namespace: 'ml', ownerReferences: [ref] } }), 'ml/mlp');
  assert.equal(ownerKey({ metadata: { namespace: 'ml', ownerReferences: [{ ...ref, controller: false }] } }), undefined);
  assert.equal(ownerKey({ metadata: { namespace: 'ml', ownerReferences: [{ ...ref, kind: 'Deployment', apiVersion: 'apps/v1' }] } }), undefined);
  assert.equal(ownerKey({ metadata: { namespace: 'ml' } }), undefined);
});

test('names that cannot name a Service are refused with the reason', () => {
  assert.equal(nameProblem('audio-cnn'), undefined);
  assert.match(nameProblem('9lives')!, /starting with a letter/);
  assert.match(nameProblem('a'.repeat(64))!, /at most 63/);
  assert.match(nameProblem('a.b')!, /metadata\.name "a\.b"/);
});

test('reconcile keys are namespace/name', () => {
  assert.deepEqual(splitKey('ml/audio-cnn'), { namespace: 'ml', name: 'audio-cnn' });
  assert.throws(() => splitKey('audio-cnn'), /namespace\/name, got 'audio-cnn'/);
});

test('lease times are metav1.MicroTime: six fractional digits', () => {
  assert.equal(microTime(new Date('2025-01-02T03:04:05.678Z')), '2025-01-02T03:04:05.678000Z');
});
