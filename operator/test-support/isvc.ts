// Reading and writing InferenceServices in the k8s tier.
import type { V1Job, V1Pod } from '@kubernetes/client-node';
import { validBaseManifest } from '../../crds/invalid-manifests.js';
import { specHash, type InferenceServiceStatus, type InferenceServiceSpecInput } from '../../crds/index.js';
import { resourcePath, type KubeClient } from '../kube-client.js';
import { Label, type Component } from '../labels.js';
import { at, INFERENCE_SERVICES, JOBS } from '../resources.js';
import { listPods } from './fake-kubelet.js';

export interface StoredIsvc {
  metadata: { name: string; namespace: string; generation: number; uid: string; resourceVersion: string };
  spec: InferenceServiceSpecInput;
  status?: InferenceServiceStatus;
}

/** A small, quick benchmark spec: the k8s tier never runs it, it plays its result. */
export function manifest(name: string, namespace: string): Record<string, any> {
  const m = validBaseManifest(name);
  m.metadata.namespace = namespace;
  return m;
}

export const isvcPath = (namespace: string, name?: string) => resourcePath(at(INFERENCE_SERVICES, namespace, name));

export async function createIsvc(admin: KubeClient, body: Record<string, any>): Promise<StoredIsvc> {
  return admin.request<StoredIsvc>({ method: 'POST', path: isvcPath(body.metadata.namespace), body });
}

export async function getIsvc(admin: KubeClient, namespace: string, name: string): Promise<StoredIsvc> {
  return admin.request<StoredIsvc>({ method: 'GET', path: isvcPath(namespace, name) });
}

export async function patchSpec(admin: KubeClient, namespace: string, name: string, spec: Record<string, unknown>): Promise<StoredIsvc> {
  return admin.request<StoredIsvc>({ method: 'PATCH', path: isvcPath(namespace, name), contentType: 'application/merge-patch+json', body: { spec } });
}

export function condition(isvc: StoredIsvc, type: string) {
  return isvc.status?.conditions?.find((c) => c.type === type);
}

export const hashOf = (isvc: StoredIsvc): string => specHash(isvc.spec);

export async function benchmarkJobs(admin: KubeClient, namespace: string, name: string): Promise<V1Job[]> {
  return loadJobs(admin, namespace, name, 'benchmark');
}

/** The capacity-search Jobs of an InferenceService with spec.autoscaling. */
export async function capacityJobs(admin: KubeClient, namespace: string, name: string): Promise<V1Job[]> {
  return loadJobs(admin, namespace, name, 'capacity');
}

async function loadJobs(admin: KubeClient, namespace: string, name: string, component: Component): Promise<V1Job[]> {
  const list = await admin.request<{ items: V1Job[] }>({
    method: 'GET',
    path: resourcePath(at(JOBS, namespace)),
    query: { labelSelector: `${Label.inferenceService}=${name},${Label.component}=${component}` },
  });
  return list.items;
}

export async function serverPods(admin: KubeClient, namespace: string, name: string): Promise<V1Pod[]> {
  return listPods(admin, namespace, `${Label.inferenceService}=${name},${Label.component}=server`);
}

export async function jobPods(admin: KubeClient, job: V1Job): Promise<V1Pod[]> {
  return listPods(admin, job.metadata!.namespace!, `batch.kubernetes.io/controller-uid=${job.metadata!.uid}`);
}
