// Server-side apply: the API server merges our intent, owning only the fields we send (fieldManager "vernier").
import { PatchStrategy } from '@kubernetes/client-node';
import { FIELD_MANAGER } from './labels.js';
import { resourcePath, type KubeClient, type ResourceRef } from './kube-client.js';

export interface ApplyTarget {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string };
}

/** Resource coordinates of the kinds the operator applies. */
const PLURALS: Record<string, string> = {
  'apps/v1/Deployment': 'deployments',
  'v1/Service': 'services',
  'batch/v1/Job': 'jobs',
};

export function refOf(obj: ApplyTarget): ResourceRef {
  const plural = PLURALS[`${obj.apiVersion}/${obj.kind}`];
  if (!plural || !obj.apiVersion) throw new Error(`no resource known for ${obj.apiVersion} ${obj.kind}`);
  const slash = obj.apiVersion.lastIndexOf('/');
  const name = obj.metadata?.name;
  if (!name) throw new Error(`${obj.kind} has no metadata.name`);
  return {
    group: slash === -1 ? '' : obj.apiVersion.slice(0, slash),
    version: obj.apiVersion.slice(slash + 1),
    plural,
    namespace: obj.metadata?.namespace,
    name,
  };
}

/** PATCH with Content-Type application/apply-patch+yaml (JSON is YAML), force: we are the only writer of these fields. */
export async function serverSideApply<T>(client: KubeClient, obj: ApplyTarget): Promise<T> {
  try {
    return await client.request<T>({
      method: 'PATCH',
      path: resourcePath(refOf(obj)),
      query: { fieldManager: FIELD_MANAGER, force: true },
      contentType: PatchStrategy.ServerSideApply,
      body: obj,
    });
  } catch (err) {
    throw new Error(`server-side apply of ${obj.kind} ${obj.metadata?.namespace}/${obj.metadata?.name} failed`, { cause: err });
  }
}
