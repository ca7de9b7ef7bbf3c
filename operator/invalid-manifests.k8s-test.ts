// The real API server, with the generated CRD, refuses every invalid manifest with a message naming the problem.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { INVALID_MANIFESTS, validBaseManifest } from '../crds/invalid-manifests.js';
import { KubeApiError, resourcePath } from './kube-client.js';
import { at, INFERENCE_SERVICES } from './resources.js';
import { createNamespace, startTestCluster } from './test-support/cluster.js';

test('kube-apiserver rejects each invalid InferenceService with the expected message', { timeout: 300_000 }, async (t) => {
  const cluster = await startTestCluster({ controllerManager: false });
  t.after(() => cluster.stop());
  const namespace = 'invalid';
  await createNamespace(cluster.admin, namespace);
  const path = resourcePath(at(INFERENCE_SERVICES, namespace));
  // kubectl's default: unknown fields are errors, not silently pruned.
  const create = (body: unknown) => cluster.admin.request({ method: 'POST', path, query: { fieldValidation: 'Strict' }, body });

  await create(validBaseManifest('valid-base'));
  assert.ok(INVALID_MANIFESTS.length >= 20, `at least 20 cases, have ${INVALID_MANIFESTS.length}`);
  let rejected = 0;
  for (const { name, manifest, expectedMessageFragment } of INVALID_MANIFESTS) {
    await assert.rejects(
      create(manifest),
      (err: unknown) => {
        assert.ok(err instanceof KubeApiError, `${name}: ${String(err)}`);
        assert.ok(err.status === 422 || err.status === 400, `${name}: HTTP ${err.status} (${err.message})`);
        assert.ok(err.message.includes(expectedMessageFragment), `${name}: expected "${expectedMessageFragment}" in: ${err.message}`);
        return true;
      },
      `${name} must be rejected`,
    );
    rejected++;
  }
  t.diagnostic(`${rejected} invalid manifests rejected by kube-apiserver ${cluster.cp.k8sVersion}`);
});
