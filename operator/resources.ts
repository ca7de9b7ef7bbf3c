// Coordinates of the resources the operator reads and writes.
import { API_GROUP, API_VERSION_NAME, PLURAL } from '../crds/index.js';
import type { ResourceRef } from './kube-client.js';

export type Ref = Omit<ResourceRef, 'namespace' | 'name' | 'subresource'>;

export const INFERENCE_SERVICES: Ref = { group: API_GROUP, version: API_VERSION_NAME, plural: PLURAL };
export const DEPLOYMENTS: Ref = { group: 'apps', version: 'v1', plural: 'deployments' };
export const SERVICES: Ref = { group: '', version: 'v1', plural: 'services' };
export const JOBS: Ref = { group: 'batch', version: 'v1', plural: 'jobs' };
export const PODS: Ref = { group: '', version: 'v1', plural: 'pods' };
export const LEASES: Ref = { group: 'coordination.k8s.io', version: 'v1', plural: 'leases' };

/** The kinds the operator applies, with their resources; applying any other kind is a bug. */
const APPLIED_KINDS: ReadonlyArray<readonly [kind: string, ref: Ref]> = [
  ['Deployment', DEPLOYMENTS],
  ['Service', SERVICES],
  ['Job', JOBS],
];

export function at(ref: Ref, namespace?: string, name?: string, subresource?: string): ResourceRef {
  return { ...ref, namespace, name, subresource };
}

/** An object's apiVersion for `ref`: "group/version", or just "version" in the core group. */
export function apiVersionOf(ref: Ref): string {
  return ref.group === '' ? ref.version : `${ref.group}/${ref.version}`;
}

/** The resource of an applied kind, found by the apiVersion and kind its objects carry; undefined for other kinds. */
export function appliedResource(apiVersion: string | undefined, kind: string | undefined): Ref | undefined {
  return APPLIED_KINDS.find(([k, ref]) => k === kind && apiVersionOf(ref) === apiVersion)?.[1];
}
