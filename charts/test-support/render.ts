// Renders charts/vernier with the pinned helm and parses the manifests, for tests that inspect what the chart makes.
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { repoRoot } from '../../testing/control-plane/binaries.js';
import type { Helm } from '../../testing/control-plane/helm.js';
import { CHART_DIR } from '../generated-templates.js';
import { RELEASE, RELEASE_NAMESPACE } from './release.js';

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

export const chartPath = (): string => join(repoRoot(), CHART_DIR);

/** `helm template` with `values` (merged over values.yaml) and `--set` pairs; the objects it would apply. */
export async function renderChart(helm: Helm, options: { values?: unknown; set?: string[]; namespace?: string } = {}): Promise<KubeObject[]> {
  const args = ['template', RELEASE, chartPath(), '--namespace', options.namespace ?? RELEASE_NAMESPACE];
  if (options.values !== undefined) args.push('--values', '-');
  for (const pair of options.set ?? []) args.push('--set', pair);
  const text = await helm(args, { input: options.values === undefined ? '' : JSON.stringify(options.values) });
  const objects: KubeObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`helm template printed invalid YAML: ${doc.errors[0].message}\n${text}`);
    const value = doc.toJS() as KubeObject | null;
    if (value) objects.push(value);
  }
  return objects;
}

export function ofKind(objects: KubeObject[], kind: string): KubeObject[] {
  return objects.filter((o) => o.kind === kind);
}

export function theOne(objects: KubeObject[], kind: string): KubeObject {
  const found = ofKind(objects, kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, the chart rendered ${found.length}: ${found.map((o) => o.metadata.name).join(', ')}`);
  return found[0];
}

/** RBAC rules as "group/resource:verb" strings, one per permission, so rule sets compare however they are grouped. */
export function permissions(rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[]): string[] {
  const out = new Set<string>();
  for (const rule of rules) {
    for (const group of rule.apiGroups) for (const resource of rule.resources) for (const verb of rule.verbs) out.add(`${group}/${resource}:${verb}`);
  }
  return [...out].sort();
}

interface SecurityContext {
  runAsNonRoot?: boolean;
  allowPrivilegeEscalation?: boolean;
  readOnlyRootFilesystem?: boolean;
  privileged?: boolean;
  capabilities?: { add?: string[]; drop?: string[] };
  seccompProfile?: { type?: string };
}
export interface PodSpec {
  securityContext?: SecurityContext;
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  volumes?: { name: string; hostPath?: unknown }[];
  containers: { name: string; securityContext?: SecurityContext }[];
  initContainers?: { name: string; securityContext?: SecurityContext }[];
}

/** What keeps a pod from Pod Security Standards "restricted" (plus a read-only root filesystem); empty when it meets it. */
export function restrictedViolations(pod: PodSpec): string[] {
  const problems: string[] = [];
  const podContext = pod.securityContext ?? {};
  if (pod.hostNetwork || pod.hostPID || pod.hostIPC) problems.push('pod shares a host namespace');
  for (const volume of pod.volumes ?? []) if (volume.hostPath) problems.push(`volume ${volume.name} is a hostPath`);
  for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
    const sc = c.securityContext ?? {};
    const where = `container ${c.name}`;
    if ((sc.runAsNonRoot ?? podContext.runAsNonRoot) !== true) problems.push(`${where}: runAsNonRoot is not true`);
    const seccomp = sc.seccompProfile?.type ?? podContext.seccompProfile?.type;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') problems.push(`${where}: seccompProfile is ${seccomp ?? 'unset'}`);
    if (sc.allowPrivilegeEscalation !== false) problems.push(`${where}: allowPrivilegeEscalation is not false`);
    if (sc.privileged) problems.push(`${where}: privileged`);
    if (!sc.capabilities?.drop?.includes('ALL')) problems.push(`${where}: capabilities do not drop ALL`);
    if ((sc.capabilities?.add ?? []).some((cap) => cap !== 'NET_BIND_SERVICE')) problems.push(`${where}: adds capabilities`);
    if (sc.readOnlyRootFilesystem !== true) problems.push(`${where}: root filesystem is writable`);
  }
  return problems;
}
