// When a server-side apply is worth sending: only when the live object lacks part of the intent or another intent was applied.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeClient, KubeRequest } from './kube-client.js';
import { APPLIED_HASH_ANNOTATION, applyIfChanged, contains, needsApply, refOf, withAppliedHash } from './apply.js';
import { resourcePath } from './kube-client.js';

const desired = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 's', namespace: 'ns', labels: { a: '1' } },
  spec: { type: 'ClusterIP', selector: { app: 's' }, ports: [{ name: 'http', port: 8080, targetPort: 'http' }] },
};
/** As the API server returns it: defaults and server fields added. */
const live = (intent: typeof desired) => ({
  ...intent,
  metadata: { ...intent.metadata, uid: 'u', resourceVersion: '7' },
  spec: { ...intent.spec, clusterIP: '10.0.0.1', sessionAffinity: 'None', ports: [{ ...intent.spec.ports[0], protocol: 'TCP' }] },
  status: { loadBalancer: {} },
}) as unknown as typeof desired & { status: object };

test('contains: extra fields are fine, lists match element by element, empty asks may be absent', () => {
  assert.equal(contains(live(desired), desired), true);
  assert.equal(contains({ a: [1, 2] }, { a: [1] }), false, 'a list of another length');
  assert.equal(contains({ a: { b: 2 } }, { a: { b: 1 } }), false);
  assert.equal(contains({}, { a: {}, b: [] }), true, 'the API server drops empty maps and lists');
  assert.equal(contains({ a: 1 }, { a: undefined }), true);
  assert.equal(contains({ a: '1' }, { a: 1 }), false);
});

test('needsApply: nothing live, drift in an owned field, or a changed intent (also one that only removes a field)', () => {
  const intent = withAppliedHash(desired);
  assert.equal(needsApply(intent, undefined), true);
  assert.equal(needsApply(intent, live(intent)), false);
  const drifted = live(intent);
  drifted.spec.ports[0].port = 9090;
  assert.equal(needsApply(intent, drifted), true, 'someone changed our port');
  const { labels: _labels, ...withoutLabels } = desired.metadata;
  const smaller = withAppliedHash({ ...desired, metadata: withoutLabels });
  const hashOf = (o: { metadata: object }) => (o.metadata as { annotations?: Record<string, string> }).annotations?.[APPLIED_HASH_ANNOTATION];
  assert.notEqual(hashOf(smaller), hashOf(intent));
  assert.equal(needsApply(smaller, live(intent)), true, 'the live object still contains the smaller intent, but it was not applied');
});

test('applyIfChanged sends one PATCH for a change and none when the live object already matches', async () => {
  const sent: KubeRequest[] = [];
  const client: KubeClient = {
    async request<T>(req: KubeRequest) {
      sent.push(req);
      return live(req.body as typeof desired) as T;
    },
  };
  const remembered: unknown[] = [];
  const first = await applyIfChanged(client, desired, undefined, (o) => remembered.push(o));
  assert.equal(sent.length, 1);
  assert.equal(sent[0].method, 'PATCH');
  assert.equal(sent[0].contentType, 'application/apply-patch+yaml');
  assert.equal(remembered.length, 1, 'what the write returned goes to the cache');
  const second = await applyIfChanged(client, desired, first);
  assert.equal(sent.length, 1, 'no request when nothing changed');
  assert.equal(second, first);
});

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
