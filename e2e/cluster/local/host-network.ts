// The node's networking on the host: the pod bridge, forwarding sysctls and rules, the route from pods to the API server,
// and the removal of all of it (including the chains kubelet, kube-proxy and the CNI plugins add).
import { writeFile } from 'node:fs/promises';
import { BRIDGE_NAME, NODE_IP, POD_CIDR } from './node-config.js';
import { run, tryRun } from './host.js';

/** The first address of the service range that testing/control-plane/component-args.ts gives the API server. */
export const KUBERNETES_SERVICE_IP = '10.96.0.1';
const APISERVER_CHAIN = 'VERNIER-APISERVER';
const FORWARD_CHAIN = 'VERNIER-FORWARD';
/** Chains removed on `down`: ours, kube-proxy's and kubelet's (KUBE-), the CNI plugins' (CNI-). */
export const OWNED_CHAIN_PREFIXES = ['VERNIER-', 'KUBE-', 'CNI-'];

async function sysctl(key: string, value: string): Promise<void> {
  await writeFile(`/proc/sys/${key.replaceAll('.', '/')}`, value).catch((err: unknown) => {
    throw new Error(`cannot set ${key}=${value} (the local cluster needs it)`, { cause: err });
  });
}

/** Creates the pod bridge with the node address before kubelet starts: kubelet's --node-ip must already exist. */
export async function setUpNodeNetwork(): Promise<void> {
  await run('modprobe', ['br_netfilter']).catch(() => undefined);
  await sysctl('net.ipv4.ip_forward', '1');
  // Pod-to-Service traffic between pods on one bridge must traverse iptables, or replies skip the reverse NAT.
  await sysctl('net.bridge.bridge-nf-call-iptables', '1');
  if ((await tryRun('ip', ['link', 'show', BRIDGE_NAME])) === undefined) {
    await run('ip', ['link', 'add', BRIDGE_NAME, 'type', 'bridge']);
  }
  const prefix = POD_CIDR.split('/')[1];
  await tryRun('ip', ['addr', 'add', `${NODE_IP}/${prefix}`, 'dev', BRIDGE_NAME]);
  await run('ip', ['link', 'set', BRIDGE_NAME, 'up']);
  // The bridge has no ports until the first pod starts; without this it stays NO-CARRIER and NODE_IP is unusable.
  await sysctl(`net.ipv4.conf.${BRIDGE_NAME}.route_localnet`, '1');
  await acceptBridgeForwarding();
}

/**
 * The filter rules that let the pod bridge's traffic through FORWARD whatever the chain's policy: a host where Docker
 * has run has policy DROP (Docker sets it), and pod-to-Service connections then time out. Accepting our own bridge
 * explicitly is what kube-proxy's KUBE-FORWARD chain and the CNI firewall plugin do. Pure: `iptables` argument lists.
 */
export function forwardAcceptRules(bridge: string = BRIDGE_NAME): string[][] {
  return [
    ['-t', 'filter', '-A', FORWARD_CHAIN, '-i', bridge, '-j', 'ACCEPT'],
    ['-t', 'filter', '-A', FORWARD_CHAIN, '-o', bridge, '-j', 'ACCEPT'],
  ];
}

/** Puts the bridge's accept rules first in FORWARD, ahead of any other user's chains (Docker's included). */
export async function acceptBridgeForwarding(): Promise<void> {
  await tryRun('iptables', ['-t', 'filter', '-N', FORWARD_CHAIN]);
  await run('iptables', ['-t', 'filter', '-F', FORWARD_CHAIN]);
  for (const rule of forwardAcceptRules()) await run('iptables', rule);
  const jump = ['FORWARD', '-j', FORWARD_CHAIN];
  if ((await tryRun('iptables', ['-t', 'filter', '-C', ...jump])) === undefined) await run('iptables', ['-t', 'filter', '-I', ...jump]);
}

/**
 * The test control plane's API server listens on 127.0.0.1 only. Pods reach it the in-cluster way
 * (https://10.96.0.1:443) through a DNAT to that loopback port, which route_localnet on the bridge permits.
 */
export async function routeKubernetesServiceToApiServer(apiServerPort: number): Promise<void> {
  await tryRun('iptables', ['-t', 'nat', '-N', APISERVER_CHAIN]);
  await run('iptables', ['-t', 'nat', '-F', APISERVER_CHAIN]);
  await run('iptables', [
    '-t', 'nat', '-A', APISERVER_CHAIN, '-s', POD_CIDR, '-d', KUBERNETES_SERVICE_IP, '-p', 'tcp', '--dport', '443',
    '-j', 'DNAT', '--to-destination', `127.0.0.1:${apiServerPort}`,
  ]);
  const jump = ['PREROUTING', '-j', APISERVER_CHAIN];
  if ((await tryRun('iptables', ['-t', 'nat', '-C', ...jump])) === undefined) await run('iptables', ['-t', 'nat', '-I', ...jump]);
}

/** iptables-save text for one table without the owned chains and every rule that jumps to or lives in them. */
export function withoutOwnedChains(saved: string, prefixes: readonly string[] = OWNED_CHAIN_PREFIXES): string {
  const owned = (chain: string | undefined): boolean => chain !== undefined && prefixes.some((p) => chain.startsWith(p));
  return saved
    .split('\n')
    .filter((line) => {
      if (line.startsWith(':')) return !owned(line.slice(1).split(' ')[0]);
      if (line.startsWith('-A ')) {
        const words = line.split(/\s+/);
        if (owned(words[1])) return false;
        const target = words.indexOf('-j') >= 0 ? words[words.indexOf('-j') + 1] : words[words.indexOf('-g') + 1];
        return !owned(target);
      }
      return true;
    })
    .join('\n');
}

async function removeOwnedChains(save: string, restore: string): Promise<void> {
  for (const table of ['filter', 'nat', 'mangle']) {
    const saved = await tryRun(save, ['-t', table]);
    if (saved === undefined || !OWNED_CHAIN_PREFIXES.some((p) => saved.includes(`:${p}`) || saved.includes(`-j ${p}`))) continue;
    // Restoring one table replaces only that table; other tables and other users' chains are untouched.
    await run(restore, ['-T', table], { input: withoutOwnedChains(saved) + '\n' });
  }
}

export async function tearDownNodeNetwork(): Promise<void> {
  await removeOwnedChains('iptables-save', 'iptables-restore');
  await removeOwnedChains('ip6tables-save', 'ip6tables-restore').catch(() => undefined);
  await tryRun('ip', ['link', 'del', BRIDGE_NAME]);
}
