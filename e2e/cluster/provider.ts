// The e2e cluster providers behind one interface; VERNIER_E2E_PROVIDER picks one (default: local).
import * as local from './local/lifecycle.js';

export interface ClusterHandle {
  provider: string;
  kubeconfig: string;
  k8sVersion?: string;
}

export interface ClusterProvider {
  name: 'local' | 'kind';
  up(): Promise<ClusterHandle>;
  down(): Promise<void>;
  status(): Promise<ClusterHandle | undefined>;
  /** Makes an OCI archive's image available to the cluster's container runtime. */
  loadImage(archive: string): Promise<void>;
}

export const localProvider: ClusterProvider = {
  name: 'local',
  up: () => local.up(),
  down: () => local.down(),
  status: () => local.clusterStatus(),
  loadImage: (archive) => local.loadImage(archive),
};

export async function selectProvider(name: string = process.env.VERNIER_E2E_PROVIDER || 'local'): Promise<ClusterProvider> {
  switch (name) {
    case 'local':
      return localProvider;
    case 'kind':
      return (await import('./kind/provider.js')).kindProvider;
    default:
      throw new Error(`VERNIER_E2E_PROVIDER must be 'local' or 'kind', got '${name}'`);
  }
}
