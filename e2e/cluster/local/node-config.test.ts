import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'yaml';
import { cniConflist, containerdConfig, kubeletConfig, kubeProxyConfig, NODE_IP, PAUSE_IMAGE, POD_CIDR } from './node-config.js';

const kubeletInput = { resolvConf: '/x/resolv.conf', staticPodDir: '/x/static', healthzPort: 10248, clientCaFile: '/x/ca.crt' };

test('kubelet is told to accept cgroup v1 only on a cgroup v1 host', () => {
  assert.equal(parse(kubeletConfig({ ...kubeletInput, cgroupV1: true })).failCgroupV1, false);
  assert.equal('failCgroupV1' in parse(kubeletConfig({ ...kubeletInput, cgroupV1: false })), false);
});

test('kubelet uses cgroupfs, never collects images, and serves on the node address only', () => {
  const config = parse(kubeletConfig({ ...kubeletInput, cgroupV1: false }));
  assert.equal(config.cgroupDriver, 'cgroupfs');
  assert.equal(config.imageGCHighThresholdPercent, 100);
  assert.equal(config.address, NODE_IP);
  assert.deepEqual(config.clusterDNS, [NODE_IP]);
  assert.equal(config.failSwapOn, false);
});

test('containerd runs the locally built pause image and never lowers oom_score_adj below its own', () => {
  const toml = containerdConfig({ cniConfDir: '/x/net.d', runcPath: '/usr/sbin/runc' });
  assert.match(toml, new RegExp(`sandbox_image = "${PAUSE_IMAGE}"`));
  assert.match(toml, /restrict_oom_score_adj = true/);
  assert.match(toml, /SystemdCgroup = false/);
  assert.match(toml, /conf_dir = "\/x\/net.d"/);
});

test('the CNI network is a bridge with host-local addresses in the pod CIDR, gateway = node address', () => {
  const conflist = JSON.parse(cniConflist()) as { plugins: { type: string; ipam?: { type: string; ranges: { subnet: string; gateway: string }[][] } }[] };
  assert.deepEqual(conflist.plugins.map((p) => p.type), ['bridge', 'portmap']);
  assert.deepEqual(conflist.plugins[0].ipam!.ranges[0][0], { subnet: POD_CIDR, gateway: NODE_IP });
});

test('kube-proxy serves health and metrics on loopback only', () => {
  const config = parse(kubeProxyConfig({ kubeconfigPath: '/x/kc', healthzPort: 1, metricsPort: 2 }));
  assert.equal(config.healthzBindAddress, '127.0.0.1:1');
  assert.equal(config.metricsBindAddress, '127.0.0.1:2');
  assert.equal(config.mode, 'iptables');
});
