// Provider `kind`: one kind cluster in Docker, images loaded from OCI archives with `kind load image-archive`.
// `prepare` (setup.sh) installs what it needs; the node image is built here unless VERNIER_KIND_NODE_IMAGE says otherwise.
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { repoRoot } from '../../../testing/control-plane/binaries.js';
import { imageRefsOfCtrList, run, tryRun } from '../local/host.js';
import type { ClusterHandle, ClusterProvider } from '../provider.js';
import { kindSettings, nodeContainerName, type KindSettings } from './settings.js';

async function dockerRunning(): Promise<boolean> {
  return (await tryRun('docker', ['info', '--format', '{{.ServerVersion}}'])) !== undefined;
}

async function preflight(s: KindSettings): Promise<void> {
  const prepareCommand = "'VERNIER_E2E_PROVIDER=kind node dist/e2e/cluster/cli.js prepare' (e2e/cluster/kind/setup.sh)";
  const prepare = `run ${prepareCommand}`;
  if (!(await dockerRunning())) throw new Error(`Docker is not running (docker info failed): start dockerd, or ${prepare}, which installs and starts it`);
  if (!existsSync(s.kindBinary)) throw new Error(`kind is not installed at ${s.kindBinary}: ${prepare}`);
  if (s.nodeImage && (await tryRun('docker', ['image', 'inspect', s.nodeImage])) === undefined) {
    throw new Error(
      process.env.VERNIER_KIND_NODE_IMAGE
        ? `the node image ${s.nodeImage} (VERNIER_KIND_NODE_IMAGE) is not in Docker: 'docker pull ${s.nodeImage}' or 'docker load' it first, or unset VERNIER_KIND_NODE_IMAGE to use the one ${prepareCommand} builds`
        : `the node image ${s.nodeImage} is not in Docker: ${prepare} to build it (or set VERNIER_KIND_NODE_IMAGE=published on a machine that reaches a registry)`,
    );
  }
}

async function clusterExists(s: KindSettings): Promise<boolean> {
  if (!(await dockerRunning()) || !existsSync(s.kindBinary)) return false;
  return (await run(s.kindBinary, ['get', 'clusters'])).split('\n').includes(s.clusterName);
}

async function handle(s: KindSettings): Promise<ClusterHandle> {
  const container = nodeContainerName(s.clusterName);
  const nodeAddress = (await run('docker', ['inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}', container])).trim().split(' ')[0];
  return { provider: 'kind', kubeconfig: s.kubeconfig, kubectl: s.kubectl, nodeAddress, k8sVersion: s.k8sVersion };
}

/** The API server answers through the kubeconfig (a cluster whose containers were stopped or half-deleted does not). */
async function apiAnswers(s: KindSettings): Promise<boolean> {
  return (await tryRun(s.kubectl, ['--kubeconfig', s.kubeconfig, 'get', '--raw', '/readyz', '--request-timeout', '10s'])) !== undefined;
}

export const kindProvider: ClusterProvider = {
  name: 'kind',
  async prepare(): Promise<void> {
    await execa('bash', [join(repoRoot(), 'e2e/cluster/kind/setup.sh')], { stdout: 'inherit', stderr: 'inherit' });
  },
  async up(): Promise<ClusterHandle> {
    const s = await kindSettings();
    await preflight(s);
    await mkdir(join(s.kubeconfig, '..'), { recursive: true });
    if (await clusterExists(s)) {
      const exported = (await tryRun(s.kindBinary, ['export', 'kubeconfig', '--name', s.clusterName, '--kubeconfig', s.kubeconfig])) !== undefined;
      if (!exported || !(await apiAnswers(s))) {
        throw new Error(
          `a kind cluster named '${s.clusterName}' already exists but its node or API server does not answer (left over from a run that was killed?): ` +
            `remove it with 'VERNIER_E2E_PROVIDER=kind npm run cluster:down' (or 'kind delete cluster --name ${s.clusterName}'), or pick another name with VERNIER_KIND_CLUSTER`,
        );
      }
      console.log(`kind cluster '${s.clusterName}' already up; kubeconfig ${s.kubeconfig}`);
      return handle(s);
    }
    const args = ['create', 'cluster', '--name', s.clusterName, '--kubeconfig', s.kubeconfig, '--wait', '180s', '--retain'];
    if (s.nodeImage) args.push('--image', s.nodeImage);
    if (s.clusterConfig) args.push('--config', s.clusterConfig);
    try {
      await execa(s.kindBinary, args, { stdout: 'inherit', stderr: 'inherit' });
    } catch (err) {
      // --retain keeps a failed node for `docker logs`; say where to look, then remove it so the next try starts clean.
      const logs = await execa('docker', ['logs', '--tail', '40', nodeContainerName(s.clusterName)], { all: true }).then((r) => r.all ?? '', () => '');
      await this.down();
      throw new Error(`kind create cluster '${s.clusterName}' failed${logs ? `; the node's last log lines:\n${logs}` : ''}`, { cause: err });
    }
    return handle(s);
  },
  async down(): Promise<void> {
    const s = await kindSettings();
    if (!(await dockerRunning())) return;
    if (await clusterExists(s)) await run(s.kindBinary, ['delete', 'cluster', '--name', s.clusterName, '--kubeconfig', s.kubeconfig]);
    // kind leaves its `kind` network for the next cluster; remove it when nothing else is attached (ours made it).
    const attached = await tryRun('docker', ['network', 'inspect', '-f', '{{len .Containers}}', 'kind']);
    if (attached?.trim() === '0') await run('docker', ['network', 'rm', 'kind']);
  },
  async status(): Promise<ClusterHandle | undefined> {
    const s = await kindSettings();
    return (await clusterExists(s)) ? handle(s) : undefined;
  },
  async loadImage(archive: string): Promise<void> {
    const s = await kindSettings();
    await run(s.kindBinary, ['load', 'image-archive', archive, '--name', s.clusterName]);
  },
  async images(): Promise<string[]> {
    const s = await kindSettings();
    return imageRefsOfCtrList(await run('docker', ['exec', nodeContainerName(s.clusterName), 'ctr', '-n', 'k8s.io', 'images', 'ls', '-q']));
  },
};
