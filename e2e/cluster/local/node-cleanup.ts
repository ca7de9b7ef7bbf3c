// Removes what pods leave on the host once kubelet is gone: containers and their shims, pod volume mounts,
// network namespaces and the kubepods cgroups.
import { readdir, readFile, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CONTAINERD_SOCKET } from './node-config.js';
import { tryRun } from './host.js';

const CRI_NAMESPACE = 'k8s.io';

function ctr(args: string[]): Promise<string | undefined> {
  return tryRun('ctr', ['--address', CONTAINERD_SOCKET, '-n', CRI_NAMESPACE, ...args]);
}

/** Kills and deletes every container (pods and their sandboxes) in containerd's CRI namespace; images stay. */
export async function removeAllContainers(): Promise<number> {
  const tasks = ((await ctr(['tasks', 'ls', '-q'])) ?? '').split('\n').filter(Boolean);
  for (const id of tasks) await ctr(['tasks', 'kill', '-s', 'SIGKILL', id]);
  for (const id of tasks) {
    for (let i = 0; i < 20 && (await ctr(['tasks', 'delete', id])) === undefined; i++) await sleep(250);
  }
  const containers = ((await ctr(['containers', 'ls', '-q'])) ?? '').split('\n').filter(Boolean);
  for (const id of containers) await ctr(['containers', 'delete', id]);
  return containers.length;
}

/** Mount points under any of `prefixes`, deepest first, from /proc/self/mounts. */
export function mountsUnder(procMounts: string, prefixes: readonly string[]): string[] {
  const unescape = (s: string): string => s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
  return procMounts
    .split('\n')
    .map((line) => line.split(' ')[1])
    .filter((path): path is string => path !== undefined)
    .map(unescape)
    .filter((path) => prefixes.some((p) => path === p || path.startsWith(p.endsWith('/') ? p : `${p}/`)))
    .sort((a, b) => b.length - a.length);
}

export async function unmountUnder(prefixes: readonly string[]): Promise<number> {
  const mounts = mountsUnder(await readFile('/proc/self/mounts', 'utf8'), prefixes);
  // Lazy: a mount still held by a dying process must not block the rest of the cleanup.
  for (const path of mounts) await tryRun('umount', ['-l', path]);
  return mounts.length;
}

/** Network namespaces containerd made for pod sandboxes (named cni-UUID under /run/netns). */
export async function removePodNetns(): Promise<void> {
  const names = await readdir('/run/netns').catch(() => [] as string[]);
  for (const name of names.filter((n) => n.startsWith('cni-'))) {
    await tryRun('umount', ['-l', join('/run/netns', name)]);
    await rm(join('/run/netns', name), { force: true });
  }
}

async function rmdirTree(dir: string): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) if (entry.isDirectory()) await rmdirTree(join(dir, entry.name));
  await rmdir(dir).catch(() => undefined);
}

/** kubelet's cgroupfs hierarchy (kubepods, under every v1 controller or the v2 root). */
export async function removeKubepodsCgroups(): Promise<void> {
  for (const root of await kubepodsRoots()) await rmdirTree(root);
}

async function cgroupProcs(dir: string, into: Set<number>): Promise<void> {
  const text = await readFile(join(dir, 'cgroup.procs'), 'utf8').catch(() => '');
  for (const line of text.split('\n')) if (/^\d+$/.test(line)) into.add(Number(line));
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (entry.isDirectory()) await cgroupProcs(join(dir, entry.name), into);
  }
}

/** Processes still in kubelet's pod cgroups once their shims are gone: the pods' own processes, nothing else. */
export async function podProcesses(): Promise<number[]> {
  const pids = new Set<number>();
  for (const root of await kubepodsRoots()) await cgroupProcs(root, pids);
  return [...pids];
}

async function kubepodsRoots(): Promise<string[]> {
  const roots = ['/sys/fs/cgroup/kubepods'];
  for (const entry of await readdir('/sys/fs/cgroup', { withFileTypes: true }).catch(() => [])) {
    if (entry.isDirectory()) roots.push(join('/sys/fs/cgroup', entry.name, 'kubepods'));
  }
  return roots;
}
