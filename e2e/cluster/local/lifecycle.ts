// `up` and `down` of the `local` provider: start the supervisor detached and wait for it; stop it and remove
// every trace it can leave on the host (processes, containers, mounts, network namespaces, cgroups, iptables chains).
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { binaryLayout, repoRoot } from '../../../testing/control-plane/binaries.js';
import { logTail } from '../../../testing/control-plane/processes.js';
import { commandExists, imageRefsOfCtrList, run, tryRun } from './host.js';
import { tearDownNodeNetwork } from './host-network.js';
import { CONTAINERD_SOCKET } from './node-config.js';
import { podProcesses, removeAllContainers, removeKubepodsCgroups, removePodNetns, unmountUnder } from './node-cleanup.js';
import { clusterPaths, type ClusterInfo, type ClusterPaths } from './paths.js';

export type { ClusterInfo };

const UP_TIMEOUT_MS = 600_000;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function readPid(path: string): Promise<number | undefined> {
  const text = await readFile(path, 'utf8').catch(() => '');
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isInteger(pid) && pid > 1 ? pid : undefined;
}

/** The running cluster's info, or undefined when it is not up (no ready file, or its supervisor is gone). */
export async function clusterStatus(paths: ClusterPaths = clusterPaths()): Promise<ClusterInfo | undefined> {
  const text = await readFile(paths.readyFile, 'utf8').catch(() => undefined);
  if (!text) return undefined;
  const info = JSON.parse(text) as ClusterInfo;
  return isAlive(info.supervisorPid) ? info : undefined;
}

async function preflight(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('the local cluster runs kubelet and containerd, which need root; run cluster:up as root');
  const missing: string[] = [];
  for (const command of ['containerd', 'ctr', 'runc', 'iptables', 'iptables-save', 'iptables-restore', 'ip', 'gcc', 'jq', 'go']) {
    if (!(await commandExists(command))) missing.push(command);
  }
  if (missing.length > 0) {
    throw new Error(`missing host commands: ${missing.join(', ')}; run: sudo bash e2e/cluster/install-host-deps.sh (go >= 1.26 separately)`);
  }
}

/** Runs a repository script, streaming its output, and returns its last stdout line. */
async function script(path: string, args: string[] = []): Promise<string> {
  const result = await execa('bash', [join(repoRoot(), path), ...args], { stderr: 'inherit', stdout: ['pipe', 'inherit'], lines: true });
  const lines = result.stdout as unknown as string[];
  return lines[lines.length - 1] ?? '';
}

export async function up(): Promise<ClusterInfo> {
  const paths = clusterPaths();
  const running = await clusterStatus(paths);
  if (running) {
    console.log(`local cluster already up (supervisor ${running.supervisorPid}); kubeconfig ${running.kubeconfig}`);
    return running;
  }
  await preflight();
  // A previous cluster that died without `down` leaves state behind; clear it first so `up` always starts clean.
  await down({ quiet: true });

  await script('testing/control-plane/build-binaries.sh', ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kubectl', 'kube-scheduler', 'kubelet', 'kube-proxy']);
  const coredns = await script('e2e/cluster/build-coredns.sh');
  const corednsBin = (await run('bash', [join(repoRoot(), 'e2e/cluster/build-coredns.sh'), '--print-path'])).trim();
  void coredns;
  const pauseArchive = await script('e2e/image/build-pause.sh');

  await mkdir(paths.logDir, { recursive: true });
  const supervisorJs = join(fileURLToPath(new URL('.', import.meta.url)), 'supervisor.js');
  const out = openSync(paths.supervisorLog, 'a');
  const child = spawn(process.execPath, [supervisorJs], {
    detached: true,
    stdio: ['ignore', out, out],
    env: { ...process.env, VERNIER_PAUSE_ARCHIVE: pauseArchive, VERNIER_COREDNS_BIN: corednsBin },
  });
  closeSync(out);
  child.unref();
  const pid = child.pid!;
  console.log(`local cluster: supervisor ${pid} starting (log ${paths.supervisorLog})`);
  const deadline = Date.now() + UP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const info = await clusterStatus(paths);
    if (info) return info;
    if (!isAlive(pid)) {
      const tail = await logTail(paths.supervisorLog, 40);
      // Leave nothing behind but the logs.
      await down({ quiet: true });
      throw new Error(`the local cluster failed to start; supervisor log ${paths.supervisorLog}:\n${tail}`);
    }
    await sleep(500);
  }
  await down({ quiet: true });
  throw new Error(`the local cluster was not ready within ${UP_TIMEOUT_MS / 1000} s; see ${paths.supervisorLog} and ${paths.logDir}`);
}

/** Where containerd mounts container root filesystems and sandbox /dev/shm. */
const CONTAINERD_POD_MOUNT_DIRS = ['/run/containerd/io.containerd.runtime.v2.task/k8s.io', '/run/containerd/io.containerd.grpc.v1.cri/sandboxes'];

/** containerd-shim processes serving the CRI namespace of the containerd at `socket`. */
async function shimsOf(socket: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const args = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0');
    if (args[0]?.endsWith('containerd-shim-runc-v2') && args.includes(socket) && args.includes('k8s.io')) pids.push(pid);
  }
  return pids;
}

/** A containerd answering on the socket: the running one, or one started from the cluster's config (its pid returned). */
async function ensureContainerd(paths: ClusterPaths, knownPid: number | undefined): Promise<number | undefined> {
  const answers = async (): Promise<boolean> => (await tryRun('ctr', ['--address', CONTAINERD_SOCKET, 'version'])) !== undefined;
  if (knownPid && isAlive(knownPid) && (await answers())) return undefined;
  if (!existsSync(paths.containerdConfig)) return undefined;
  const child = spawn('containerd', ['--config', paths.containerdConfig], { detached: true, stdio: 'ignore' });
  child.unref();
  for (let i = 0; i < 100 && !(await answers()); i++) await sleep(100);
  return child.pid;
}

/** The programs the supervisor runs (a shell tailing a log in the cluster directory is not one of them). */
const CLUSTER_PROGRAMS = new Set([
  'node', 'etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubelet', 'kube-proxy', 'containerd', 'coredns',
]);

/** Processes whose command line names the cluster directory: ours, whatever pid files say (covers a killed supervisor). */
async function processesUsing(root: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    const args = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0');
    if (CLUSTER_PROGRAMS.has(basename(args[0] ?? '')) && args.some((arg) => arg.includes(root))) pids.push(pid);
  }
  return pids;
}

async function killAndWait(pids: number[], graceMs: number): Promise<void> {
  for (const pid of pids) tryKill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (pids.some(isAlive) && Date.now() < deadline) await sleep(200);
  for (const pid of pids.filter(isAlive)) tryKill(pid, 'SIGKILL');
}

function tryKill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

export async function down(opts: { quiet?: boolean } = {}): Promise<void> {
  const paths = clusterPaths();
  const say = (m: string): void => {
    if (!opts.quiet) console.log(m);
  };
  const supervisor = await readPid(paths.supervisorPid);
  if (supervisor && isAlive(supervisor)) {
    say(`stopping supervisor ${supervisor}`);
    // SIGTERM: the supervisor stops kubelet, removes the pods' containers, then stops containerd and the control plane.
    await killAndWait([supervisor], 90_000);
  }
  // Leftovers of a supervisor that was killed: stop everything but containerd, which must remove the containers.
  const containerdPid = await readPid(join(paths.pidDir, 'containerd.pid'));
  const stray = (await processesUsing(paths.root)).filter((pid) => pid !== containerdPid);
  if (stray.length > 0) {
    say(`stopping ${stray.length} leftover processes`);
    await killAndWait(stray, 15_000);
  }
  // Pod containers outlive containerd (their shims keep running); only containerd can remove them cleanly.
  if ((await shimsOf(CONTAINERD_SOCKET)).length > 0) {
    const containerd = await ensureContainerd(paths, containerdPid);
    const removed = await removeAllContainers();
    if (removed > 0) say(`removed ${removed} leftover containers`);
    if (containerd) await killAndWait([containerd], 15_000);
  }
  const rest = await processesUsing(paths.root);
  if (rest.length > 0) await killAndWait(rest, 15_000);
  const shims = await shimsOf(CONTAINERD_SOCKET);
  if (shims.length > 0) {
    say(`killing ${shims.length} containerd shims that outlived their containers`);
    await killAndWait(shims, 5_000);
  }

  const orphans = await podProcesses();
  if (orphans.length > 0) {
    say(`killing ${orphans.length} pod processes left without a container runtime`);
    await killAndWait(orphans, 5_000);
  }
  const unmounted = await unmountUnder([paths.kubeletRoot, ...CONTAINERD_POD_MOUNT_DIRS]);
  if (unmounted > 0) say(`unmounted ${unmounted} pod mounts`);
  await removePodNetns();
  await removeKubepodsCgroups();
  const layout = await binaryLayout().catch(() => undefined);
  if (layout) await tryRun(join(layout.k8sBinDir, 'kube-proxy'), ['--cleanup']);
  await tearDownNodeNetwork();
  // Keep the logs of the last run; everything else is recreated by `up`.
  for (const entry of await readdir(paths.root).catch(() => [] as string[])) {
    if (entry !== 'logs') await rm(join(paths.root, entry), { recursive: true, force: true });
  }
  say('local cluster down');
}

/** Imports an OCI archive into containerd's CRI namespace (the cluster must be up). */
export async function loadImage(archive: string): Promise<void> {
  await run('ctr', ['--address', CONTAINERD_SOCKET, '-n', 'k8s.io', 'images', 'import', archive]);
}

/** The image references in containerd's CRI namespace (the cluster must be up). */
export async function images(): Promise<string[]> {
  return imageRefsOfCtrList(await run('ctr', ['--address', CONTAINERD_SOCKET, '-n', 'k8s.io', 'images', 'ls', '-q']));
}

/** The Debian packages the provider runs on (containerd, runc, CNI plugins, iptables, …): install-host-deps.sh. */
export async function installHostPackages(): Promise<void> {
  await script('e2e/cluster/install-host-deps.sh');
}
