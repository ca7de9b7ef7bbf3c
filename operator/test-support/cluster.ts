// The k8s tier's cluster: a real control plane with the CRD installed, admin and operator credentials, and helpers.
import { readFile } from 'node:fs/promises';
import { KubeConfig } from '@kubernetes/client-node';
import { startControlPlane, type ControlPlane } from '../../testing/control-plane/control-plane.js';
import { eventually } from '../../testing/control-plane/eventually.js';
import { CRD_NAME, inferenceServiceCrd } from '../../crds/index.js';
import { kubeClient, resourcePath, type KubeClient } from '../kube-client.js';
import { operatorClusterRole } from '../rbac.js';

export { eventually };

export interface TestCluster {
  cp: ControlPlane;
  admin: KubeClient;
  adminConfig: KubeConfig;
  stop(): Promise<void>;
}

export async function startTestCluster(options: { controllerManager: boolean }): Promise<TestCluster> {
  const cp = await startControlPlane({ controllerManager: options.controllerManager });
  try {
    const adminConfig = new KubeConfig();
    adminConfig.loadFromFile(cp.kubeconfigPath);
    const admin = kubeClient(adminConfig);
    await installCrd(admin);
    return { cp, admin, adminConfig, stop: () => cp.stop() };
  } catch (err) {
    await cp.stop();
    throw err;
  }
}

export async function installCrd(admin: KubeClient): Promise<void> {
  await admin.request({ method: 'POST', path: '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', body: inferenceServiceCrd() });
  await eventually('the InferenceService CRD to be Established', async () => {
    const crd = await admin.request<{ status?: { conditions?: Array<{ type: string; status: string }> } }>({
      method: 'GET',
      path: `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${CRD_NAME}`,
    });
    return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ? true : undefined;
  });
  // Established can precede the discovery and storage of the new resource by a moment.
  await eventually('the inferenceservices resource to be served', async () => {
    await admin.request({ method: 'GET', path: '/apis/vernier.dev/v1alpha1/inferenceservices' });
    return true;
  });
}

export async function createNamespace(admin: KubeClient, name: string): Promise<void> {
  await admin.request({ method: 'POST', path: '/api/v1/namespaces', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } } });
}

/**
 * A kubeconfig for a service account bound to the operator's ClusterRole (rbac.ts), so the tests prove the
 * rules suffice: the API server here authorizes with RBAC alone. `server` puts something in between (a test proxy
 * presenting the API server's certificate).
 */
export async function operatorKubeConfig(cluster: TestCluster, namespace: string, server = cluster.cp.server): Promise<KubeConfig> {
  const { admin, cp } = cluster;
  const sa = 'vernier-operator';
  await admin.request({ method: 'POST', path: resourcePath({ group: '', version: 'v1', plural: 'serviceaccounts', namespace }), body: { metadata: { name: sa } } });
  const role = operatorClusterRole(`vernier-operator-${namespace}`);
  await admin.request({ method: 'POST', path: '/apis/rbac.authorization.k8s.io/v1/clusterroles', body: role });
  await admin.request({
    method: 'POST',
    path: '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
    body: {
      metadata: { name: `vernier-operator-${namespace}` },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: (role.metadata as { name: string }).name },
      subjects: [{ kind: 'ServiceAccount', name: sa, namespace }],
    },
  });
  const token = await admin.request<{ status: { token: string } }>({
    method: 'POST',
    path: resourcePath({ group: '', version: 'v1', plural: 'serviceaccounts', namespace, name: sa, subresource: 'token' }),
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } },
  });
  const kc = new KubeConfig();
  kc.loadFromClusterAndUser(
    { name: 'test', server, caData: (await readFile(cp.caCertPath)).toString('base64'), skipTLSVerify: false },
    { name: sa, token: token.status.token },
  );
  return kc;
}
