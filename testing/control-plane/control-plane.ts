import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { requireBinaries, type BinaryName } from './binaries.js';
import {
  apiServerArgs,
  apiServerUrl,
  controllerManagerArgs,
  controllerManagerHealthUrl,
  etcdArgs,
  etcdClientUrl,
} from './component-args.js';
import { freeLoopbackPort, probe, waitUntilHealthy, type ProbeTls } from './health.js';
import { renderKubeconfig } from './kubeconfig.js';
import { createPki } from './pki.js';
import { startProcess, type ManagedProcess } from './processes.js';

export interface ControlPlaneOptions {
  /** Also run kube-controller-manager (garbage collection, Deployments → ReplicaSets → Pods, Jobs, ...). */
  controllerManager?: boolean;
  /** Where etcd data, certificates, kubeconfig and logs go; a fresh temp dir when omitted. */
  dataDir?: string;
  /** Per component; the first start on a busy shared machine can be slow. Default 180 s. */
  startTimeoutMs?: number;
  /** Keep a temp data dir after stop() (it is always kept when start fails, and when `dataDir` was given). */
  keepDataDir?: boolean;
  /** Appended to kube-apiserver's flags (a later flag overrides an earlier one), e.g. for a cluster with a kubelet. */
  extraApiServerArgs?: string[];
}

export interface ControlPlaneLogs {
  etcd: string;
  apiServer: string;
  controllerManager?: string;
}

export interface ControlPlane {
  /** Admin kubeconfig (client certificate in group system:masters, server verified against the test CA). */
  kubeconfigPath: string;
  /** https://127.0.0.1:PORT */
  server: string;
  /** PEM file of the test CA that signed the API server's serving certificate. */
  caCertPath: string;
  /** The API server's serving certificate and key (PEM files): valid for 127.0.0.1, so a test proxy can present them. */
  servingCertPath: string;
  servingKeyPath: string;
  /** Directory holding kube-apiserver, kubectl, ... */
  binDir: string;
  etcdBinDir: string;
  k8sVersion: string;
  etcdVersion: string;
  dataDir: string;
  logs: ControlPlaneLogs;
  /** Milliseconds from the call to startControlPlane until every component was ready. */
  startupMs: number;
  /** Stops kube-apiserver and starts it again on the same port and etcd; resolves when /readyz is OK, with the ms that took. */
  restartApiServer(): Promise<number>;
  /**
   * Stops etcd (SIGTERM, or `signal`) and starts it again on the same data dir and ports after `downMs`; the API server
   * and controller manager keep running. Resolves when etcd and the API server's /readyz are healthy, with the ms etcd was
   * gone (stop to healthy again).
   */
  restartEtcd(options?: { signal?: NodeJS.Signals; downMs?: number }): Promise<number>;
  /** Stops every component (controller manager, API server, etcd); idempotent. */
  stop(): Promise<void>;
}

const DEFAULT_START_TIMEOUT_MS = 180_000;

interface Layout {
  root: string;
  etcdData: string;
  pki: string;
  apiServerCerts: string;
  controllerManagerCerts: string;
  kubeconfig: string;
  logs: ControlPlaneLogs;
}

function layoutOf(root: string, withControllerManager: boolean): Layout {
  return {
    root,
    etcdData: join(root, 'etcd'),
    pki: join(root, 'pki'),
    apiServerCerts: join(root, 'apiserver-certs'),
    controllerManagerCerts: join(root, 'controller-manager-certs'),
    kubeconfig: join(root, 'kubeconfig'),
    logs: {
      etcd: join(root, 'etcd.log'),
      apiServer: join(root, 'kube-apiserver.log'),
      controllerManager: withControllerManager ? join(root, 'kube-controller-manager.log') : undefined,
    },
  };
}

function describeLogs(logs: ControlPlaneLogs): string {
  return Object.entries(logs)
    .filter(([, path]) => path)
    .map(([name, path]) => `  ${name}: ${path}`)
    .join('\n');
}

/** Starts etcd, kube-apiserver and optionally kube-controller-manager on free 127.0.0.1 ports. */
export async function startControlPlane(opts: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const started = Date.now();
  const withControllerManager = opts.controllerManager ?? false;
  const timeoutMs = opts.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  const names: BinaryName[] = withControllerManager
    ? ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kubectl']
    : ['etcd', 'kube-apiserver', 'kubectl'];
  const { layout: binaries, paths } = await requireBinaries(names);

  const ownsDataDir = opts.dataDir === undefined;
  const root = opts.dataDir ?? (await mkdtemp(join(tmpdir(), 'vernier-k8s-')));
  const dirs = layoutOf(root, withControllerManager);
  for (const dir of [dirs.etcdData, dirs.pki, dirs.apiServerCerts, dirs.controllerManagerCerts]) {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  }

  const processes: ManagedProcess[] = [];
  const stopAll = async (): Promise<void> => {
    // Reverse start order: clients before the servers they talk to.
    for (const p of [...processes].reverse()) await p.stop();
  };

  try {
    const pki = await createPki(dirs.pki);
    const [etcdClientPort, etcdPeerPort, securePort, kcmPort] = await distinctFreePorts(4);
    const server = apiServerUrl({ securePort });
    const [caPem, adminCertPem, adminKeyPem] = await Promise.all(
      [pki.caCert, pki.adminCert, pki.adminKey].map((path) => readFile(path, 'utf8')),
    );
    await writeFile(
      dirs.kubeconfig,
      renderKubeconfig({ server, caPem, clientCertPem: adminCertPem, clientKeyPem: adminKeyPem }),
      { mode: 0o600 },
    );
    const adminTls: ProbeTls = { ca: caPem, cert: adminCertPem, key: adminKeyPem };

    const launchEtcd = (): ManagedProcess =>
      startProcess({
        name: 'etcd',
        command: paths.etcd,
        args: etcdArgs({ dataDir: dirs.etcdData, clientPort: etcdClientPort, peerPort: etcdPeerPort }),
        logPath: dirs.logs.etcd,
      });
    const etcdUrl = etcdClientUrl({ clientPort: etcdClientPort });
    const waitEtcdHealthy = (p: ManagedProcess): Promise<number> =>
      waitUntilHealthy({ url: `${etcdUrl}/health`, process: p, timeoutMs, isHealthy: (r) => r.status === 200 && /"health"\s*:\s*"true"/.test(r.body) });
    let etcd = launchEtcd();
    processes.push(etcd);
    await waitEtcdHealthy(etcd);

    const apiArgs = [...apiServerArgs({ etcdClientPort, securePort, certDir: dirs.apiServerCerts, pki }), ...(opts.extraApiServerArgs ?? [])];
    const launchApiServer = (): ManagedProcess =>
      startProcess({ name: 'kube-apiserver', command: paths['kube-apiserver'], args: apiArgs, logPath: dirs.logs.apiServer });
    const waitApiServerReady = (p: ManagedProcess): Promise<number> =>
      waitUntilHealthy({ url: `${server}/readyz`, tls: adminTls, process: p, timeoutMs });

    let apiServer = launchApiServer();
    processes.push(apiServer);
    await waitApiServerReady(apiServer);

    if (withControllerManager) {
      const kcm = startProcess({
        name: 'kube-controller-manager',
        command: paths['kube-controller-manager'],
        args: controllerManagerArgs({
          kubeconfigPath: dirs.kubeconfig,
          securePort: kcmPort,
          certDir: dirs.controllerManagerCerts,
          pki,
        }),
        logPath: dirs.logs.controllerManager!,
      });
      processes.push(kcm);
      await waitUntilHealthy({ url: controllerManagerHealthUrl({ securePort: kcmPort }), tls: { insecure: true }, process: kcm, timeoutMs });
      // The serviceaccount controller creating default/default shows the controllers are really running;
      // until then, pod creation in a namespace is refused.
      await waitUntilHealthy({
        url: `${server}/api/v1/namespaces/default/serviceaccounts/default`,
        tls: adminTls,
        process: kcm,
        timeoutMs,
      });
    }

    let stopped = false;
    const controlPlane: ControlPlane = {
      kubeconfigPath: dirs.kubeconfig,
      server,
      caCertPath: pki.caCert,
      servingCertPath: pki.servingCert,
      servingKeyPath: pki.servingKey,
      binDir: binaries.k8sBinDir,
      etcdBinDir: binaries.etcdBinDir,
      k8sVersion: binaries.k8sVersion,
      etcdVersion: binaries.etcdVersion,
      dataDir: root,
      logs: dirs.logs,
      startupMs: Date.now() - started,
      async restartApiServer() {
        if (stopped) throw new Error('restartApiServer() called after stop()');
        const restartStarted = Date.now();
        await apiServer.stop();
        // Nothing must answer on the port while the server is down, or the restart proves nothing.
        await assertNothingAnswers(`${server}/readyz`, adminTls);
        const next = launchApiServer();
        processes[processes.indexOf(apiServer)] = next;
        apiServer = next;
        try {
          await waitApiServerReady(next);
        } catch (err) {
          throw new Error(`kube-apiserver did not come back after a restart; logs:\n${describeLogs(dirs.logs)}\n${(err as Error).message}`, { cause: err });
        }
        return Date.now() - restartStarted;
      },
      async restartEtcd(options = {}) {
        if (stopped) throw new Error('restartEtcd() called after stop()');
        await etcd.stop(10_000, options.signal ?? 'SIGTERM');
        const stoppedAt = Date.now();
        await assertNothingAnswers(`${etcdUrl}/health`, {});
        if (options.downMs) await sleep(options.downMs);
        const next = launchEtcd();
        processes[processes.indexOf(etcd)] = next;
        etcd = next;
        try {
          await waitEtcdHealthy(next);
          // The API server reconnects on its own; /readyz includes its etcd check.
          await waitApiServerReady(apiServer);
        } catch (err) {
          throw new Error(`the control plane did not recover after an etcd restart; logs:\n${describeLogs(dirs.logs)}\n${(err as Error).message}`, { cause: err });
        }
        return Date.now() - stoppedAt;
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        await stopAll();
        if (ownsDataDir && !opts.keepDataDir && !process.env.VERNIER_KEEP_K8S_DATA) {
          await rm(root, { recursive: true, force: true });
        }
      },
    };
    return controlPlane;
  } catch (err) {
    await stopAll();
    throw new Error(
      `could not start the test control plane (Kubernetes binaries from ${binaries.k8sBinDir}); data and logs kept in ${root}:\n` +
        `${describeLogs(dirs.logs)}\n${(err as Error).message}`,
      { cause: err },
    );
  }
}

async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  for (let attempt = 0; ports.size < count && attempt < count * 10; attempt++) ports.add(await freeLoopbackPort());
  if (ports.size < count) throw new Error(`could not find ${count} distinct free ports on 127.0.0.1`);
  return [...ports];
}

async function assertNothingAnswers(url: string, tls: ProbeTls): Promise<void> {
  try {
    const answer = await probe(url, tls, 2_000);
    throw new Error(`something still answers on ${url} after the process stopped (HTTP ${answer.status})`);
  } catch (err) {
    if ((err as Error).message.startsWith('something still answers')) throw err;
  }
}
