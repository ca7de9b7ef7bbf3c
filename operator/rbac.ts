// Every API call the operator makes, as RBAC rules: the Helm chart's ClusterRole and leader-election Role are generated
// from these lists (`npm run generate`) and tested against them.
import { API_GROUP, PLURAL } from '../crds/index.js';

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

/** What the operator does in every namespace it watches (cluster-wide unless --namespace narrows it). */
export const OPERATOR_WATCH_RULES: readonly PolicyRule[] = [
  // Informer (list, watch) and reconcile (get) of the custom resource; patch records the last benchmark in an annotation.
  { apiGroups: [API_GROUP], resources: [PLURAL], verbs: ['get', 'list', 'watch', 'patch'] },
  // The status write: PUT /status.
  { apiGroups: [API_GROUP], resources: [`${PLURAL}/status`], verbs: ['update'] },
  // Owner references with blockOwnerDeletion need it where OwnerReferencesPermissionEnforcement is enabled.
  { apiGroups: [API_GROUP], resources: [`${PLURAL}/finalizers`], verbs: ['update'] },
  // Server-side apply is a PATCH, and a PATCH that creates needs create too; list and watch feed the informers.
  { apiGroups: ['apps'], resources: ['deployments'], verbs: ['create', 'patch', 'list', 'watch'] },
  { apiGroups: [''], resources: ['services'], verbs: ['create', 'patch', 'list', 'watch'] },
  // Benchmark Jobs: read the current one, create it once, delete a stale running one.
  { apiGroups: ['batch'], resources: ['jobs'], verbs: ['get', 'create', 'delete', 'list', 'watch'] },
  // The finished benchmark pod's termination message holds the report.
  { apiGroups: [''], resources: ['pods'], verbs: ['list'] },
  { apiGroups: [''], resources: ['events'], verbs: ['create'] },
];

/** What leader election does, only in the Lease's namespace (--leader-election-namespace, else the pod's). */
export const LEADER_ELECTION_RULES: readonly PolicyRule[] = [
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] },
];

/** Every API call the operator makes. */
export const OPERATOR_RBAC_RULES: readonly PolicyRule[] = [...OPERATOR_WATCH_RULES, ...LEADER_ELECTION_RULES];

/** A ClusterRole granting exactly OPERATOR_RBAC_RULES. */
export function operatorClusterRole(name = 'vernier-operator'): Record<string, unknown> {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name, labels: { 'app.kubernetes.io/name': 'vernier', 'app.kubernetes.io/component': 'operator' } },
    rules: OPERATOR_RBAC_RULES.map((r) => ({ apiGroups: [...r.apiGroups], resources: [...r.resources], verbs: [...r.verbs] })),
  };
}
