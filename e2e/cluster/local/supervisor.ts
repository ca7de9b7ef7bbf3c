// The long-running parent of every process of the `local` cluster. `cluster:up` starts it detached and waits for
// ready.json; `cluster:down` sends it SIGTERM, on which it stops the node, removes the pods' containers and stops
// the control plane. Reuses the tier-2 control plane harness (testing/control-plane) for etcd, kube-apiserver and the
// controllers.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { requireBinaries } from '../../../testing/control-plane/binaries.js';
import { startControlPlane, type ControlPlane } from '../../../testing/control-plane/control-plane.js';
import { freeLoopbackPort, waitUntilHealthy } from '../../../testing/control-plane/health.js';
import { startProcess, type ManagedProcess } from '../../../testing/control-plane/processes.js';
import { run, tryRun } from './host.js';
import { routeKubernetesServiceToApiServer, setUpNodeNetwork } from './host-network.js';
import {
  CONTAINERD_SOCKET,
  NODE_IP,
  NODE_NAME,
  cniConflist,
  containerdConfig,
  corefile,
  kubeProxyConfig,
  kubeletConfig,
  nodeResolvConf,
} from './node-config.js';
import { removeAllContainers } from './node-cleanup.js';
import { clusterPaths, type ClusterInfo, type ClusterPaths } from './paths.js';

const START_TIMEOUT_MS = 240_000;

function log(message: string): void {
  process.stdout.write(`${new Date().toISOString()} ${message}\n`);
}

async function isCgroupV1(): Promise<boolean> {
  const fsType = (await run('stat', ['-fc', '%T', '/sys/fs/cgroup'])).trim();
  return fsType !== 'cgroup2fs';
}

interface NodeProcesses {
  containerd?: ManagedProcess;
  scheduler?: ManagedProcess;
  kubelet?: ManagedProcess;
  kubeProxy?: ManagedProcess;
  coredns?: ManagedProcess;
}

async function writePid(paths: ClusterPaths, p: ManagedProcess): Promise<void> {
  await writeFile(join(paths.pidDir, `${p.name}.pid`), `${p.pid}\n`);
}

async function startContainerd(paths: ClusterPaths): Promise<ManagedProcess> {
  const runcPath = (await run('sh', ['-c', 'command -v runc'])).trim();
  await writeFile(paths.containerdConfig, containerdConfig({ cniConfDir: paths.cniConfDir, runcPath }));
  await writeFile(join(paths.cniConfDir, '10-vernier.conflist'), cniConflist());
  const containerd = startProcess({
    name: 'containerd',
    command: 'containerd',
    args: ['--config', paths.containerdConfig],
    logPath: join(paths.logDir, 'containerd.log'),
  });
  await writePid(paths, containerd);
  const deadline = Date.now() + 60_000;
  while ((await tryRun('ctr', ['--address', CONTAINERD_SOCKET, 'version'])) === undefined) {
    if (!containerd.running()) throw new Error(`containerd exited at start; see ${containerd.logPath}`);
    if (Date.now() > deadline) throw new Error(`containerd did not answer on ${CONTAINERD_SOCKET} within 60 s; see ${containerd.logPath}`);
    await sleep(200);
  }
  return containerd;
}

/** Imports an OCI archive into containerd's CRI namespace (an image already there is kept: same digest, no work). */
async function importImage(archive: string): Promise<void> {
  await run('ctr', ['--address', CONTAINERD_SOCKET, '-n', 'k8s.io', 'images', 'import', '--no-unpack=false', archive]);
}

async function waitForNodeReady(cp: ControlPlane, kubelet: ManagedProcess): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let last = '';
  while (Date.now() < deadline) {
    if (!kubelet.running()) throw new Error(`kubelet exited before the node was Ready; see ${kubelet.logPath}`);
    last = (await tryRun(join(cp.binDir, 'kubectl'), [
      '--kubeconfig', cp.kubeconfigPath, 'get', 'node', NODE_NAME, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status} {.status.conditions[?(@.type=="Ready")].message}',
    ])) ?? 'not registered';
    if (last.startsWith('True')) return;
    await sleep(1000);
  }
  throw new Error(`node ${NODE_NAME} not Ready within ${START_TIMEOUT_MS / 1000} s (last: ${last}); see ${kubelet.logPath}`);
}

async function main(): Promise<void> {
  const started = Date.now();
  const paths = clusterPaths();
  const pauseArchive = process.env.VERNIER_PAUSE_ARCHIVE;
  const corednsPath = process.env.VERNIER_COREDNS_BIN;
  if (!pauseArchive) throw new Error('VERNIER_PAUSE_ARCHIVE must name the pause image archive (cluster:up sets it)');
  if (!corednsPath) throw new Error('VERNIER_COREDNS_BIN must name the coredns binary (cluster:up sets it)');
  for (const dir of [paths.pidDir, paths.logDir, paths.cniConfDir, paths.kubeletRoot, paths.staticPods]) await mkdir(dir, { recursive: true });
  await writeFile(paths.supervisorPid, `${process.pid}\n`);

  const { layout, paths: bin } = await requireBinaries(['kube-scheduler', 'kubelet', 'kube-proxy', 'kubectl']);
  const nodeProcs: NodeProcesses = {};
  let cp: ControlPlane | undefined;
  let stopping = false;

  const stopEverything = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log('stopping the node');
    for (const p of [nodeProcs.kubelet, nodeProcs.kubeProxy, nodeProcs.coredns, nodeProcs.scheduler]) await p?.stop(15_000);
    if (nodeProcs.containerd?.running()) {
      log(`removed ${await removeAllContainers()} containers`);
      await nodeProcs.containerd.stop(15_000);
    }
    log('stopping the control plane');
    await cp?.stop();
    await rm(paths.readyFile, { force: true });
    log('stopped');
  };
  const onStopSignal = (): void => {
    void stopEverything().finally(() => process.exit(0));
  };
  // testing/control-plane/processes.ts SIGKILLs every child on SIGTERM/SIGINT/SIGHUP (right for tests); here the node
  // must stop in order instead, removing the pods' containers while containerd still runs. Its 'exit' hook stays.
  const takeOverStopSignals = (): void => {
    for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
      process.removeAllListeners(signal);
      process.once(signal, onStopSignal);
    }
  };
  takeOverStopSignals();

  try {
    log('setting up the node network');
    await setUpNodeNetwork();
    log('starting containerd');
    nodeProcs.containerd = await startContainerd(paths);
    takeOverStopSignals();
    await importImage(pauseArchive);

    log('starting the control plane (testing/control-plane harness)');
    cp = await startControlPlane({
      controllerManager: true,
      dataDir: paths.controlPlane,
      startTimeoutMs: START_TIMEOUT_MS,
      // `kubectl logs/exec` reach the kubelet at the node's address; its name resolves nowhere.
      extraApiServerArgs: ['--kubelet-preferred-address-types=InternalIP'],
    });
    await writeFile(paths.kubeconfig, await readFile(cp.kubeconfigPath));
    await routeKubernetesServiceToApiServer(Number(new URL(cp.server).port));

    const schedulerPort = await freeLoopbackPort();
    nodeProcs.scheduler = startProcess({
      name: 'kube-scheduler',
      command: bin['kube-scheduler'],
      args: [
        `--kubeconfig=${cp.kubeconfigPath}`,
        `--authentication-kubeconfig=${cp.kubeconfigPath}`,
        `--authorization-kubeconfig=${cp.kubeconfigPath}`,
        '--bind-address=127.0.0.1',
        `--secure-port=${schedulerPort}`,
        '--leader-elect=false',
      ],
      logPath: join(paths.logDir, 'kube-scheduler.log'),
    });
    await writePid(paths, nodeProcs.scheduler);

    const corednsHealth = await freeLoopbackPort();
    await writeFile(paths.corefile, corefile({ kubeconfigPath: cp.kubeconfigPath, port: 53, healthPort: corednsHealth }));
    nodeProcs.coredns = startProcess({
      name: 'coredns',
      command: corednsPath,
      args: ['-conf', paths.corefile],
      logPath: join(paths.logDir, 'coredns.log'),
    });
    await writePid(paths, nodeProcs.coredns);

    const kubeletHealth = await freeLoopbackPort();
    await writeFile(paths.resolvConf, nodeResolvConf());
    await writeFile(
      paths.kubeletConfig,
      kubeletConfig({
        cgroupV1: await isCgroupV1(),
        resolvConf: paths.resolvConf,
        staticPodDir: paths.staticPods,
        healthzPort: kubeletHealth,
        clientCaFile: cp.caCertPath,
      }),
    );
    nodeProcs.kubelet = startProcess({
      name: 'kubelet',
      command: bin.kubelet,
      args: [
        `--config=${paths.kubeletConfig}`,
        // Test cluster: the node authenticates with the admin (system:masters) certificate instead of a node identity.
        `--kubeconfig=${cp.kubeconfigPath}`,
        `--hostname-override=${NODE_NAME}`,
        `--node-ip=${NODE_IP}`,
        `--root-dir=${paths.kubeletRoot}`,
        '--v=1',
      ],
      logPath: join(paths.logDir, 'kubelet.log'),
    });
    await writePid(paths, nodeProcs.kubelet);

    const [proxyHealth, proxyMetrics] = [await freeLoopbackPort(), await freeLoopbackPort()];
    await writeFile(paths.kubeProxyConfig, kubeProxyConfig({ kubeconfigPath: cp.kubeconfigPath, healthzPort: proxyHealth, metricsPort: proxyMetrics }));
    nodeProcs.kubeProxy = startProcess({
      name: 'kube-proxy',
      command: bin['kube-proxy'],
      args: [`--config=${paths.kubeProxyConfig}`],
      logPath: join(paths.logDir, 'kube-proxy.log'),
    });
    await writePid(paths, nodeProcs.kubeProxy);

    await waitUntilHealthy({ url: `https://127.0.0.1:${schedulerPort}/healthz`, tls: { insecure: true }, process: nodeProcs.scheduler, timeoutMs: START_TIMEOUT_MS });
    await waitUntilHealthy({ url: `http://127.0.0.1:${kubeletHealth}/healthz`, process: nodeProcs.kubelet, timeoutMs: START_TIMEOUT_MS });
    await waitUntilHealthy({ url: `http://127.0.0.1:${proxyHealth}/livez`, process: nodeProcs.kubeProxy, timeoutMs: START_TIMEOUT_MS });
    log('waiting for the node to be Ready');
    await waitForNodeReady(cp, nodeProcs.kubelet);
    await waitUntilHealthy({ url: `http://127.0.0.1:${corednsHealth}/health`, process: nodeProcs.coredns, timeoutMs: START_TIMEOUT_MS });

    const containerdVersion = (await run('containerd', ['--version'])).split(' ')[2] ?? 'unknown';
    const info: ClusterInfo = {
      provider: 'local',
      kubeconfig: paths.kubeconfig,
      server: cp.server,
      k8sVersion: layout.k8sVersion,
      etcdVersion: layout.etcdVersion,
      containerdVersion,
      nodeName: NODE_NAME,
      startupMs: Date.now() - started,
      supervisorPid: process.pid,
    };
    await writeFile(paths.readyFile, JSON.stringify(info, null, 2) + '\n');
    log(`ready in ${info.startupMs} ms: ${kubectlHint(paths)}`);
  } catch (err) {
    log(`start failed: ${(err as Error).stack ?? String(err)}`);
    if ((err as Error).cause) log(`cause: ${String(((err as Error).cause as Error).message ?? (err as Error).cause)}`);
    await stopEverything();
    process.exit(1);
  }
  // Stay alive: the harness's exit hooks kill every child when this process ends.
  setInterval(() => undefined, 1 << 30);
}

function kubectlHint(paths: ClusterPaths): string {
  return `kubectl --kubeconfig ${paths.kubeconfig} get nodes`;
}

await main();
