// Provider `kind` for machines with Docker: one kind cluster, images loaded from OCI archives with `kind load`.
import { execa } from 'execa';
import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ClusterHandle, ClusterProvider } from '../provider.js';

const CLUSTER_NAME = process.env.VERNIER_KIND_CLUSTER || 'vernier-e2e';
const KUBECONFIG = join(process.env.VERNIER_CACHE || join(homedir(), '.cache', 'vernier'), 'kind', 'kubeconfig');

async function kind(args: string[]): Promise<string> {
  try {
    return (await execa('kind', args, { stderr: 'inherit' })).stdout;
  } catch (err) {
    throw new Error(`kind ${args.join(' ')} failed (kind and a running Docker engine are needed for VERNIER_E2E_PROVIDER=kind)`, { cause: err });
  }
}

async function exists(): Promise<boolean> {
  return (await kind(['get', 'clusters'])).split('\n').includes(CLUSTER_NAME);
}

export const kindProvider: ClusterProvider = {
  name: 'kind',
  async up(): Promise<ClusterHandle> {
    await mkdir(join(KUBECONFIG, '..'), { recursive: true });
    if (!(await exists())) await kind(['create', 'cluster', '--name', CLUSTER_NAME, '--kubeconfig', KUBECONFIG, '--wait', '180s']);
    else await kind(['export', 'kubeconfig', '--name', CLUSTER_NAME, '--kubeconfig', KUBECONFIG]);
    return { provider: 'kind', kubeconfig: KUBECONFIG };
  },
  async down(): Promise<void> {
    if (await exists()) await kind(['delete', 'cluster', '--name', CLUSTER_NAME]);
  },
  async status(): Promise<ClusterHandle | undefined> {
    return (await exists()) ? { provider: 'kind', kubeconfig: KUBECONFIG } : undefined;
  },
  async loadImage(archive: string): Promise<void> {
    await kind(['load', 'image-archive', archive, '--name', CLUSTER_NAME]);
  },
};
