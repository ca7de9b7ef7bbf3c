// Names, labels and owner references of the objects an InferenceService owns: one place, so builders and watchers agree.
import { API_VERSION, KIND, type InferenceService } from '../crds/index.js';

export const FIELD_MANAGER = 'vernier';

export const Label = {
  name: 'app.kubernetes.io/name',
  instance: 'app.kubernetes.io/instance',
  component: 'app.kubernetes.io/component',
  managedBy: 'app.kubernetes.io/managed-by',
  partOf: 'app.kubernetes.io/part-of',
  inferenceService: 'vernier.dev/inferenceservice',
  specHash: 'vernier.dev/spec-hash',
} as const;

export const MANAGED_BY = 'vernier';
/** Selects every object the operator created; its child informers watch only these. */
export const MANAGED_SELECTOR = `${Label.managedBy}=${MANAGED_BY}`;

export type Component = 'server' | 'benchmark' | 'capacity';

/** The subset of an InferenceService the builders read. */
export type Owner = Pick<InferenceService, 'metadata' | 'spec'> & { metadata: { name: string; namespace?: string; uid?: string } };

export function labelsFor(owner: Owner, component: Component): Record<string, string> {
  return {
    [Label.name]: 'vernier',
    [Label.instance]: owner.metadata.name,
    [Label.component]: component,
    [Label.managedBy]: MANAGED_BY,
    [Label.partOf]: 'vernier',
    [Label.inferenceService]: owner.metadata.name,
  };
}

/** The server pods' selector: immutable on a Deployment, so it holds only what never changes. */
export function serverSelector(owner: Owner): Record<string, string> {
  return { [Label.inferenceService]: owner.metadata.name, [Label.component]: 'server' };
}

export const deploymentName = (owner: Owner): string => owner.metadata.name;
export const serviceName = (owner: Owner): string => owner.metadata.name;

/** Pods of a Job carry its name in a label, so it must fit in 63 characters. */
const MAX_JOB_NAME = 63;
const HASH_CHARS = 10;

/** Deterministic per spec hash: creating it twice is AlreadyExists, which is what keeps one Job per measured spec. */
export function benchmarkJobName(owner: Owner, hash: string): string {
  return jobName(owner, 'bench', hash);
}

/** The Job that searches one replica's capacity for a spec hash (spec.autoscaling only). */
export function capacityJobName(owner: Owner, hash: string): string {
  return jobName(owner, 'capacity', hash);
}

function jobName(owner: Owner, kind: string, hash: string): string {
  const suffix = `-${kind}-${hash.slice(0, HASH_CHARS)}`;
  return `${owner.metadata.name.slice(0, MAX_JOB_NAME - suffix.length)}${suffix}`;
}

export function namespaceOf(owner: Owner): string {
  const namespace = owner.metadata.namespace;
  if (!namespace) throw new Error(`InferenceService ${owner.metadata.name} has no metadata.namespace`);
  return namespace;
}

/** In-cluster base URL of the inference endpoint. */
export function endpointUrl(owner: Owner, port: number): string {
  return `http://${serviceName(owner)}.${namespaceOf(owner)}.svc:${port}`;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller: boolean;
  blockOwnerDeletion: boolean;
}

export function ownerReference(owner: Owner): OwnerReference {
  if (!owner.metadata.uid) throw new Error(`InferenceService ${owner.metadata.name} has no metadata.uid (was it read from the API server?)`);
  return { apiVersion: API_VERSION, kind: KIND, name: owner.metadata.name, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true };
}

/** The reconcile key of the InferenceService controlling `obj`, or undefined when none does. */
export function ownerKey(obj: { metadata?: { namespace?: string; ownerReferences?: Array<{ kind?: string; apiVersion?: string; name?: string; controller?: boolean }> } }): string | undefined {
  const ref = obj.metadata?.ownerReferences?.find((r) => r.controller && r.kind === KIND && r.apiVersion === API_VERSION);
  if (!ref?.name || !obj.metadata?.namespace) return undefined;
  return `${obj.metadata.namespace}/${ref.name}`;
}

/** Kubernetes requires Service names to be RFC 1035 labels; the Service is named after the InferenceService. */
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** Why this name cannot name the owned objects, or undefined when it can. */
export function nameProblem(name: string): string | undefined {
  if (name.length > 63 || !DNS_1035_LABEL.test(name)) {
    return `metadata.name "${name}" must be at most 63 lowercase letters, digits and "-", starting with a letter, because it names the Service`;
  }
  return undefined;
}
