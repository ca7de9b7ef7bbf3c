// Where the kind provider's pieces are: setup.sh --print-env is the one place they are pinned (kind's version, the
// node image's name, the cluster config); this module reads it and adds the switches a user sets.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { binaryLayout, parseEnvLines, repoRoot } from '../../../testing/control-plane/binaries.js';

export interface KindSettings {
  clusterName: string;
  kindBinary: string;
  /** The kubeconfig kind writes for this cluster (never ~/.kube/config). */
  kubeconfig: string;
  /** The kind config the node image built here needs (no default CNI, failCgroupV1: false, …); none for any other image. */
  clusterConfig: string | undefined;
  /** The node image to create the cluster from; undefined: kind's published default for its version. */
  nodeImage: string | undefined;
  kubectl: string;
  k8sVersion: string;
}

/** kind names a one-node cluster's only container `<cluster>-control-plane`. */
export function nodeContainerName(clusterName: string): string {
  return `${clusterName}-control-plane`;
}

/**
 * The settings from setup.sh's printed environment and the user's switches. Pure.
 * VERNIER_KIND_NODE_IMAGE: unset, the image built here (no registry needed) with the config it needs; `published`,
 * kind's own default (a machine that reaches a registry); anything else, that image; neither of these two with a config.
 */
export function resolveKindSettings(printed: Map<string, string>, env: NodeJS.ProcessEnv, k8s: { version: string; kubectl: string }): KindSettings {
  const need = (key: string): string => {
    const value = printed.get(key);
    if (!value) throw new Error(`e2e/cluster/kind/setup.sh --print-env printed no ${key}`);
    return value;
  };
  const choice = env.VERNIER_KIND_NODE_IMAGE;
  const cache = env.VERNIER_CACHE || join(homedir(), '.cache', 'vernier');
  return {
    clusterName: env.VERNIER_KIND_CLUSTER || 'vernier-e2e',
    kindBinary: need('VERNIER_KIND_BIN'),
    kubeconfig: join(cache, 'kind', 'kubeconfig'),
    clusterConfig: choice ? undefined : need('VERNIER_KIND_CONFIG'),
    nodeImage: choice === 'published' ? undefined : choice || need('VERNIER_KIND_NODE_IMAGE'),
    kubectl: k8s.kubectl,
    k8sVersion: k8s.version,
  };
}

let cached: Promise<KindSettings> | undefined;

/** The settings of this machine (setup.sh --print-env runs once per process). */
export function kindSettings(): Promise<KindSettings> {
  cached ??= (async () => {
    const { stdout } = await promisify(execFile)('bash', [join(repoRoot(), 'e2e/cluster/kind/setup.sh'), '--print-env']);
    const layout = await binaryLayout();
    // The kubectl built at the node image's version when it is there, else the user's own.
    const built = join(layout.k8sBinDir, 'kubectl');
    return resolveKindSettings(parseEnvLines(stdout), process.env, { version: layout.k8sVersion, kubectl: existsSync(built) ? built : 'kubectl' });
  })();
  return cached;
}
