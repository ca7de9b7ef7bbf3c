// The provider's capabilities, proven on the running cluster the same way for every provider: its kubeconfig and
// kubectl drive it, its node address is the node's InternalIP, and the image it loaded is in the node's runtime.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { defaultSettings } from '../../operator/settings.js';
import { clusterKubectl } from '../support/kubectl.js';
import { qualifiedImageRef, selectProvider } from './provider.js';

test('the cluster handle works as every spec uses it: kubeconfig, kubectl, node address, loaded image', async (t) => {
  const provider = await selectProvider();
  const handle = await provider.status();
  assert.ok(handle, `the ${provider.name} cluster is up`);
  assert.equal(handle.provider, provider.name);
  assert.ok(existsSync(handle.kubeconfig), `kubeconfig ${handle.kubeconfig} exists`);
  const kubectl = await clusterKubectl();
  const nodes = JSON.parse(await kubectl(['get', 'nodes', '-o', 'json'])) as {
    items: { status: { addresses: { type: string; address: string }[]; conditions: { type: string; status: string }[]; nodeInfo: { kubeletVersion: string } } }[];
  };
  assert.equal(nodes.items.length, 1, 'one node');
  const [node] = nodes.items;
  assert.equal(node.status.conditions.find((c) => c.type === 'Ready')?.status, 'True', 'the node is Ready');
  assert.equal(node.status.addresses.find((a) => a.type === 'InternalIP')?.address, handle.nodeAddress, 'nodeAddress is the InternalIP');
  if (handle.k8sVersion) assert.equal(node.status.nodeInfo.kubeletVersion, handle.k8sVersion, 'the kubelet runs the version the handle says');
  assert.ok((await provider.images()).includes(qualifiedImageRef(defaultSettings().serverImage)), 'the server image is in the node runtime');
  t.diagnostic(`${provider.name}: node ${handle.nodeAddress}, kubelet ${node.status.nodeInfo.kubeletVersion}`);
});
