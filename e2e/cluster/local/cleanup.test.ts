import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forwardAcceptRules, withoutOwnedChains } from './host-network.js';
import { mountsUnder } from './node-cleanup.js';

test('withoutOwnedChains drops KUBE-/CNI-/VERNIER- chains and the jumps into them, and keeps everything else', () => {
  const saved = [
    '*nat',
    ':PREROUTING ACCEPT [0:0]',
    ':POSTROUTING ACCEPT [0:0]',
    ':KUBE-SERVICES - [0:0]',
    ':CNI-HOSTPORT-DNAT - [0:0]',
    ':DOCKER - [0:0]',
    '-A PREROUTING -j VERNIER-APISERVER',
    '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER',
    '-A KUBE-SERVICES -d 10.96.0.10/32 -j KUBE-SVC-X',
    '-A POSTROUTING -g CNI-abc',
    '-A POSTROUTING -s 172.17.0.0/16 -j MASQUERADE',
    'COMMIT',
  ].join('\n');
  assert.deepEqual(withoutOwnedChains(saved).split('\n'), [
    '*nat',
    ':PREROUTING ACCEPT [0:0]',
    ':POSTROUTING ACCEPT [0:0]',
    ':DOCKER - [0:0]',
    '-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER',
    '-A POSTROUTING -s 172.17.0.0/16 -j MASQUERADE',
    'COMMIT',
  ]);
});

test('the bridge is accepted both ways in its own chain, which cluster:down removes with the jump to it', () => {
  const rules = forwardAcceptRules('cni-test');
  assert.deepEqual(rules.map((r) => r.join(' ')), [
    '-t filter -A VERNIER-FORWARD -i cni-test -j ACCEPT',
    '-t filter -A VERNIER-FORWARD -o cni-test -j ACCEPT',
  ]);
  // As iptables-save prints the filter table of a host where Docker has run (policy DROP) and the cluster is up.
  const saved = [
    '*filter',
    ':FORWARD DROP [0:0]',
    ':DOCKER-USER - [0:0]',
    ':VERNIER-FORWARD - [0:0]',
    '-A FORWARD -j VERNIER-FORWARD',
    '-A FORWARD -j DOCKER-USER',
    ...rules.map((r) => r.slice(2).join(' ')),
    'COMMIT',
  ].join('\n');
  assert.deepEqual(withoutOwnedChains(saved).split('\n'), ['*filter', ':FORWARD DROP [0:0]', ':DOCKER-USER - [0:0]', '-A FORWARD -j DOCKER-USER', 'COMMIT']);
});

test('mountsUnder lists mounts below the prefixes, deepest first, with octal escapes decoded', () => {
  const procMounts = [
    '/dev/vda / ext4 rw 0 0',
    'tmpfs /tmp/c/node/kubelet/pods/u1/volumes/kubernetes.io~projected/kube-api-access tmpfs rw 0 0',
    'overlay /run/containerd/io.containerd.runtime.v2.task/k8s.io/abc/rootfs overlay rw 0 0',
    'tmpfs /tmp/c/node/kubelet/pods/u1/volumes/with\\040space tmpfs rw 0 0',
    'tmpfs /tmp/c/node/kubelet-other tmpfs rw 0 0',
  ].join('\n');
  assert.deepEqual(mountsUnder(procMounts, ['/tmp/c/node/kubelet', '/run/containerd/io.containerd.runtime.v2.task/k8s.io']), [
    '/tmp/c/node/kubelet/pods/u1/volumes/kubernetes.io~projected/kube-api-access',
    '/run/containerd/io.containerd.runtime.v2.task/k8s.io/abc/rootfs',
    '/tmp/c/node/kubelet/pods/u1/volumes/with space',
  ]);
});
