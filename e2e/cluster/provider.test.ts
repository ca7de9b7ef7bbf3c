import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveKindSettings } from './kind/settings.js';
import { imageRefsOfCtrList } from './local/host.js';
import { localProvider, PROVIDER_NAMES, qualifiedImageRef, requireImage, selectProvider, type ClusterProvider } from './provider.js';

const capabilities = (p: ClusterProvider): string[] =>
  Object.entries(p)
    .filter(([, v]) => typeof v === 'function')
    .map(([k]) => k)
    .sort();

describe('cluster providers', () => {
  it('every provider exposes the same capabilities: prepare, up, down, status, image loading and listing', async () => {
    const providers = await Promise.all(PROVIDER_NAMES.map((name) => selectProvider(name)));
    assert.deepEqual(providers.map((p) => p.name), [...PROVIDER_NAMES]);
    for (const p of providers) assert.deepEqual(capabilities(p), capabilities(localProvider), `${p.name} exposes what local does`);
    assert.deepEqual(capabilities(localProvider), ['down', 'images', 'loadImage', 'prepare', 'status', 'up']);
  });

  it('an unknown provider name is refused with the names that exist', async () => {
    await assert.rejects(selectProvider('minikube'), /VERNIER_E2E_PROVIDER must be one of local, kind, got 'minikube'/);
  });

  it('qualifies image references the way container runtimes list them', () => {
    assert.equal(qualifiedImageRef('vernier:0.1.0'), 'docker.io/library/vernier:0.1.0');
    assert.equal(qualifiedImageRef('someone/vernier:1'), 'docker.io/someone/vernier:1');
    assert.equal(qualifiedImageRef('vernier.local/pause:0.1.0'), 'vernier.local/pause:0.1.0');
    assert.equal(qualifiedImageRef('localhost:5000/x:1'), 'localhost:5000/x:1');
  });

  it('reads image references out of `ctr images ls -q`, leaving digest-only entries out', () => {
    assert.deepEqual(imageRefsOfCtrList('docker.io/library/vernier:0.1.0\nsha256:0123abcd\n\nregistry.k8s.io/pause:3.10\n'), [
      'docker.io/library/vernier:0.1.0',
      'registry.k8s.io/pause:3.10',
    ]);
  });

  it('an image missing from the node is a clear error that says how to load it', async () => {
    const held = { ...localProvider, name: 'kind' as const, images: async () => ['docker.io/library/other:1'] };
    await assert.rejects(requireImage(held, 'vernier:0.1.0'), /the image vernier:0\.1\.0 is not loaded in the kind cluster .*npm run image:build.*load-image/);
    await requireImage({ ...held, images: async () => ['docker.io/library/vernier:0.1.0'] }, 'vernier:0.1.0');
  });
});

describe('kind settings', () => {
  const printed = new Map([
    ['VERNIER_KIND_BIN', '/c/kind-v0.33.0/bin/kind'],
    ['VERNIER_KIND_NODE_IMAGE', 'vernier.local/kind-node:v1.37.2'],
    ['VERNIER_KIND_CONFIG', '/repo/e2e/cluster/kind/cluster.yaml'],
  ]);
  const k8s = { version: 'v1.37.2', kubectl: '/c/kubectl' };

  it('uses the node image built here (with its config) by default, kind\'s published one on request, or the one named', () => {
    const built = resolveKindSettings(printed, { VERNIER_CACHE: '/c' }, k8s);
    assert.deepEqual([built.nodeImage, built.clusterConfig], ['vernier.local/kind-node:v1.37.2', '/repo/e2e/cluster/kind/cluster.yaml']);
    const published = resolveKindSettings(printed, { VERNIER_KIND_NODE_IMAGE: 'published' }, k8s);
    assert.deepEqual([published.nodeImage, published.clusterConfig], [undefined, undefined]);
    const named = resolveKindSettings(printed, { VERNIER_KIND_NODE_IMAGE: 'kindest/node:v1.37.0' }, k8s);
    assert.deepEqual([named.nodeImage, named.clusterConfig], ['kindest/node:v1.37.0', undefined]);
  });

  it('names the cluster vernier-e2e unless VERNIER_KIND_CLUSTER says otherwise, and keeps its kubeconfig in the cache', () => {
    const s = resolveKindSettings(printed, { VERNIER_CACHE: '/c' }, k8s);
    assert.equal(s.clusterName, 'vernier-e2e');
    assert.equal(s.kubeconfig, '/c/kind/kubeconfig');
    assert.equal(resolveKindSettings(printed, { VERNIER_KIND_CLUSTER: 'mine' }, k8s).clusterName, 'mine');
  });

  it('fails clearly when setup.sh printed too little', () => {
    assert.throws(() => resolveKindSettings(new Map(), {}, k8s), /setup.sh --print-env printed no VERNIER_KIND_BIN/);
  });
});
