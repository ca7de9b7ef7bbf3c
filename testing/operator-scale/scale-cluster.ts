// The control plane of a scale run: kube-apiserver (auditing the operator's service account), etcd and
// kube-controller-manager, the CRD, the namespaces the InferenceServices go in, and the operator's kubeconfig.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { kubeClient, resourcePath, type KubeClient } from '../../operator/kube-client.js';
import { createNamespace, installCrd, operatorKubeConfig } from '../../operator/test-support/cluster.js';
import { startControlPlane, type ControlPlane } from '../control-plane/control-plane.js';
import { auditApiServerArgs, auditPolicyYaml, serviceAccountUser } from './audit-policy.js';

export const OPERATOR_NAMESPACE = 'vernier-system';
/** The service account operatorKubeConfig() creates. */
const OPERATOR_SERVICE_ACCOUNT = 'vernier-operator';
/** operatorKubeConfig's token lasts an hour; a 5,000-object run with a long idle phase takes longer. */
const TOKEN_SECONDS = 24 * 3600;

export interface ScaleCluster {
  cp: ControlPlane;
  admin: KubeClient;
  namespaces: string[];
  /** The audit log's path and the user whose requests it records. */
  auditLogPath: string;
  operatorUser: string;
  operatorKubeconfigPath: string;
  stop(): Promise<void>;
}

export const namespaceName = (index: number): string => `scale-${String(index).padStart(2, '0')}`;

/** Starts everything; `dir` receives the audit policy, the audit log and the operator's kubeconfig. */
export async function startScaleCluster(dir: string, namespaceCount: number): Promise<ScaleCluster> {
  const operatorUser = serviceAccountUser(OPERATOR_NAMESPACE, OPERATOR_SERVICE_ACCOUNT);
  const policyPath = join(dir, 'audit-policy.yaml');
  const auditLogPath = join(dir, 'audit.log');
  await writeFile(policyPath, auditPolicyYaml(operatorUser));
  const cp = await startControlPlane({ controllerManager: true, extraApiServerArgs: auditApiServerArgs(policyPath, auditLogPath) });
  try {
    const adminConfig = new KubeConfig();
    adminConfig.loadFromFile(cp.kubeconfigPath);
    const admin = kubeClient(adminConfig);
    await installCrd(admin);
    const namespaces = Array.from({ length: namespaceCount }, (_, i) => namespaceName(i));
    for (const ns of [OPERATOR_NAMESPACE, ...namespaces]) await createNamespace(admin, ns);
    const shortLived = await operatorKubeConfig({ cp, admin, adminConfig, stop: () => cp.stop() }, OPERATOR_NAMESPACE);
    const operatorKubeconfigPath = join(dir, 'operator.kubeconfig');
    await writeFile(operatorKubeconfigPath, (await withLongerToken(admin, shortLived)).exportConfig(), { mode: 0o600 });
    return { cp, admin, namespaces, auditLogPath, operatorUser, operatorKubeconfigPath, stop: () => cp.stop() };
  } catch (err) {
    await cp.stop();
    throw err;
  }
}

/** The same cluster and service account with a token that outlives the run. */
async function withLongerToken(admin: KubeClient, config: KubeConfig): Promise<KubeConfig> {
  const token = await admin.request<{ status: { token: string } }>({
    method: 'POST',
    path: resourcePath({ group: '', version: 'v1', plural: 'serviceaccounts', namespace: OPERATOR_NAMESPACE, name: OPERATOR_SERVICE_ACCOUNT, subresource: 'token' }),
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: TOKEN_SECONDS } },
  });
  const longLived = new KubeConfig();
  longLived.loadFromClusterAndUser(config.getCurrentCluster()!, { name: OPERATOR_SERVICE_ACCOUNT, token: token.status.token });
  return longLived;
}
