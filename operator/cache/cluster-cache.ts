// What the reconciler reads: the InferenceServices and their children as the watches last saw them, trimmed to the
// fields the operator reads (as client-go's transform functions do), plus what our own writes returned.
import type { KubernetesObject, V1Deployment, V1Job, V1Service } from '@kubernetes/client-node';
import { KIND } from '../../crds/index.js';
import { Label, MANAGED_SELECTOR, ownerKey } from '../labels.js';
import type { RawInferenceService } from '../reconciler.js';
import { apiVersionOf, DEPLOYMENTS, INFERENCE_SERVICES, JOBS, SERVICES, type Ref } from '../resources.js';
import type { ObjectStore } from './store.js';

/** kubectl's copy of the whole manifest: often the biggest thing in an object, never read. */
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

export interface WatchedResource {
  name: string;
  ref: Ref;
  kind: string;
  /** Children are only the objects the operator created. */
  labelSelector?: string;
  transform: (obj: KubernetesObject) => KubernetesObject;
  /** The reconcile key an object's change wakes (its own for an InferenceService, its owner's for a child). */
  keyOf: (obj: KubernetesObject) => string | undefined;
  /** Index of the store: the owning InferenceService's key. */
  indexOf?: (obj: KubernetesObject) => string | undefined;
}

/** Metadata the operator reads; managedFields (about half of a small object) and kubectl's copy are dropped. */
function trimMetadata(obj: KubernetesObject, ref: Ref, kind: string): KubernetesObject {
  const { managedFields: _managed, annotations, ...metadata } = obj.metadata ?? {};
  const kept = annotations && LAST_APPLIED in annotations ? Object.fromEntries(Object.entries(annotations).filter(([k]) => k !== LAST_APPLIED)) : annotations;
  // List items may come without apiVersion and kind; a status update sends the object back, so it needs them.
  return { ...obj, apiVersion: apiVersionOf(ref), kind, metadata: { ...metadata, ...(kept ? { annotations: kept } : {}) } };
}

const ownKey = (obj: KubernetesObject): string | undefined => (obj.metadata?.namespace && obj.metadata.name ? `${obj.metadata.namespace}/${obj.metadata.name}` : undefined);

/** A watched resource whose cached objects are trimmed to what the operator reads; `dropSpec` for a spec never read again. */
function watched(w: Omit<WatchedResource, 'transform'> & { dropSpec?: boolean }): WatchedResource {
  const { dropSpec, ...resource } = w;
  return {
    ...resource,
    transform: (o) => {
      const trimmed = trimMetadata(o, w.ref, w.kind) as KubernetesObject & { spec?: unknown };
      if (!dropSpec) return trimmed;
      const { spec: _spec, ...rest } = trimmed;
      return rest;
    },
  };
}

export const INFERENCE_SERVICES_WATCH: WatchedResource = watched({ name: 'inferenceservices', ref: INFERENCE_SERVICES, kind: KIND, keyOf: ownKey });

export const WATCHED_RESOURCES: readonly WatchedResource[] = [
  INFERENCE_SERVICES_WATCH,
  // Spec is kept: it is compared with what the operator would apply, to skip a write that changes nothing.
  watched({ name: 'deployments', ref: DEPLOYMENTS, kind: 'Deployment', labelSelector: MANAGED_SELECTOR, keyOf: ownerKey }),
  watched({ name: 'services', ref: SERVICES, kind: 'Service', labelSelector: MANAGED_SELECTOR, keyOf: ownerKey }),
  // A Job is created, never applied, and its pod template is never read again: metadata and status suffice.
  watched({ name: 'jobs', ref: JOBS, kind: 'Job', labelSelector: MANAGED_SELECTOR, dropSpec: true, keyOf: ownerKey, indexOf: ownerKey }),
];

/** An object as a write returned it (the shapes differ only in how they type timestamps). */
export type Written = KubernetesObject | RawInferenceService;

/** The reconciler's view of the cluster; every read is from memory. */
export interface ClusterCache {
  inferenceService(namespace: string, name: string): RawInferenceService | undefined;
  deployment(namespace: string, name: string): V1Deployment | undefined;
  service(namespace: string, name: string): V1Service | undefined;
  job(namespace: string, name: string): V1Job | undefined;
  /** The benchmark and capacity Jobs of one InferenceService. */
  jobsOf(namespace: string, name: string): V1Job[];
  /** Records what a write of ours returned (see ObjectStore.assume). */
  assume(obj: Written): void;
}

export function clusterCache(stores: Record<string, ObjectStore<KubernetesObject>>): ClusterCache {
  const storeOf = (name: string): ObjectStore<KubernetesObject> => {
    const store = stores[name];
    if (!store) throw new Error(`no cache of ${name}`);
    return store;
  };
  const isvcs = storeOf(INFERENCE_SERVICES_WATCH.name);
  const deployments = storeOf('deployments');
  const services = storeOf('services');
  const jobs = storeOf('jobs');
  const byKind = new Map<string, { store: ObjectStore<KubernetesObject>; resource: WatchedResource }>();
  for (const resource of WATCHED_RESOURCES) byKind.set(resource.kind, { store: storeOf(resource.name), resource });
  return {
    inferenceService: (ns, name) => isvcs.get(ns, name) as RawInferenceService | undefined,
    deployment: (ns, name) => deployments.get(ns, name) as V1Deployment | undefined,
    service: (ns, name) => services.get(ns, name) as V1Service | undefined,
    job: (ns, name) => jobs.get(ns, name) as V1Job | undefined,
    jobsOf: (ns, name) =>
      (jobs.indexed(`${ns}/${name}`) as V1Job[]).filter((j) => {
        const component = j.metadata?.labels?.[Label.component];
        return component === 'benchmark' || component === 'capacity';
      }),
    assume(written) {
      const obj = written as KubernetesObject;
      const entry = byKind.get(obj.kind ?? '');
      if (entry) entry.store.assume(entry.resource.transform(obj));
    },
  };
}
