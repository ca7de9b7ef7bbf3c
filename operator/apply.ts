// Server-side apply: the API server merges our intent, owning only the fields we send (fieldManager "vernier").
import { PatchStrategy } from '@kubernetes/client-node';
import { FIELD_MANAGER } from './labels.js';
import { resourcePath, type KubeClient, type ResourceRef } from './kube-client.js';
import { appliedResource, at } from './resources.js';

export interface ApplyTarget {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string };
}

/** Where `obj` lives in the API, from its apiVersion, kind, namespace and name. */
export function refOf(obj: ApplyTarget): ResourceRef {
  const resource = appliedResource(obj.apiVersion, obj.kind);
  if (!resource) throw new Error(`no resource known for ${obj.apiVersion} ${obj.kind}`);
  const name = obj.metadata?.name;
  if (!name) throw new Error(`${obj.kind} has no metadata.name`);
  return at(resource, obj.metadata?.namespace, name);
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
