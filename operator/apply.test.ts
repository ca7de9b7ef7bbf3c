import assert from 'node:assert/strict';
import { test } from 'node:test';
import { refOf } from './apply.js';
import { resourcePath } from './kube-client.js';

test('applied objects map to their resource paths', () => {
  const path = (apiVersion: string, kind: string, namespace?: string) => resourcePath(refOf({ apiVersion, kind, metadata: { name: 'x', namespace } }));
  assert.equal(path('apps/v1', 'Deployment', 'ns'), '/apis/apps/v1/namespaces/ns/deployments/x');
  assert.equal(path('v1', 'Service', 'ns'), '/api/v1/namespaces/ns/services/x');
  assert.equal(path('batch/v1', 'Job', 'ns'), '/apis/batch/v1/namespaces/ns/jobs/x');
});

test('kinds the operator does not apply, and nameless objects, are refused', () => {
  assert.throws(() => refOf({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' } }), /no resource known for v1 Pod/);
  assert.throws(() => refOf({ apiVersion: 'apps/v2', kind: 'Deployment', metadata: { name: 'x' } }), /no resource known/);
  assert.throws(() => refOf({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: {} }), /Deployment has no metadata.name/);
});
