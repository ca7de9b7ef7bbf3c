// The e2e cluster providers behind one interface; VERNIER_E2E_PROVIDER picks one (default: local). Specs and scripts
// only ever see this interface: nothing outside e2e/cluster/<provider>/ branches on a provider's name.
import { join } from 'node:path';
import { binaryLayout } from '../../testing/control-plane/binaries.js';
import * as local from './local/lifecycle.js';
import { NODE_IP } from './local/node-config.js';

export type ProviderName = 'local' | 'kind';
export const PROVIDER_NAMES: readonly ProviderName[] = ['local', 'kind'];

/** What a spec needs of a running cluster, whichever provider made it. */
export interface ClusterHandle {
  provider: ProviderName;
  kubeconfig: string;
  /** The kubectl to drive it with: one built at the cluster's version where the provider has one. */
  kubectl: string;
  /** The node's InternalIP: where a NodePort or a hostPort answers. */
  nodeAddress: string;
  k8sVersion?: string;
}

export interface ClusterProvider {
  name: ProviderName;
  /** Installs and builds what the provider needs on this machine (idempotent; cached after the first time). */
  prepare(): Promise<void>;
  up(): Promise<ClusterHandle>;
  /** Removes the cluster and everything it left on the host (containers, networks, volumes, mounts, rules). */
  down(): Promise<void>;
  status(): Promise<ClusterHandle | undefined>;
  /** Makes an OCI archive's image available to the node's container runtime. */
  loadImage(archive: string): Promise<void>;
  /** The image references the node's container runtime holds, fully qualified (docker.io/library/vernier:0.1.0). */
  images(): Promise<string[]>;
}

async function localHandle(info: local.ClusterInfo): Promise<ClusterHandle> {
  const layout = await binaryLayout();
  return { provider: 'local', kubeconfig: info.kubeconfig, kubectl: join(layout.k8sBinDir, 'kubectl'), nodeAddress: NODE_IP, k8sVersion: info.k8sVersion };
}

export const localProvider: ClusterProvider = {
  name: 'local',
  prepare: () => local.installHostPackages(),
  up: async () => localHandle(await local.up()),
  down: () => local.down(),
  status: async () => {
    const info = await local.clusterStatus();
    return info && localHandle(info);
  },
  loadImage: (archive) => local.loadImage(archive),
  images: () => local.images(),
};

export async function selectProvider(name: string = process.env.VERNIER_E2E_PROVIDER || 'local'): Promise<ClusterProvider> {
  switch (name) {
    case 'local':
      return localProvider;
    case 'kind':
      return (await import('./kind/provider.js')).kindProvider;
    default:
      throw new Error(`VERNIER_E2E_PROVIDER must be one of ${PROVIDER_NAMES.join(', ')}, got '${name}'`);
  }
}

/** Docker Hub's implicit names, as container runtimes list them: vernier:0.1.0 → docker.io/library/vernier:0.1.0. */
export function qualifiedImageRef(ref: string): string {
  const firstPart = ref.split('/')[0];
  const hasRegistry = ref.includes('/') && (firstPart.includes('.') || firstPart.includes(':') || firstPart === 'localhost');
  if (hasRegistry) return ref;
  return ref.includes('/') ? `docker.io/${ref}` : `docker.io/library/${ref}`;
}

/** Fails with what to run when the cluster's runtime lacks `ref` (a spec would otherwise wait on ErrImageNeverPull). */
export async function requireImage(provider: ClusterProvider, ref: string): Promise<void> {
  const wanted = qualifiedImageRef(ref);
  const held = await provider.images();
  if (!held.includes(wanted)) {
    throw new Error(
      `the image ${ref} is not loaded in the ${provider.name} cluster (it holds ${held.length} images, not ${wanted}): ` +
        `run 'npm run image:build', then 'VERNIER_E2E_PROVIDER=${provider.name} node dist/e2e/cluster/cli.js load-image <the archive it printed>'`,
    );
  }
}
