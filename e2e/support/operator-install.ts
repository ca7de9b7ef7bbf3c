// Installs the CRD and the operator the way a user does: the Helm chart when the repository has one, else plain
// manifests (CRD file, ServiceAccount, the ClusterRole rendered from operator/rbac.ts, a Deployment of the image).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { repoRoot } from '../k8s/binaries.js';
import { pinnedHelm } from '../k8s/helm.js';
import { operatorClusterRole } from '../../operator/rbac.js';
import type { Kubectl } from './kubectl.js';
import { RESTRICTED_CONTAINER_SECURITY, RESTRICTED_POD_SECURITY, restrictedNamespace } from './restricted.js';

export const OPERATOR_NAMESPACE = 'vernier-system';
export const OPERATOR_SELECTOR = 'app.kubernetes.io/name=vernier,app.kubernetes.io/component=operator';
const NAME = 'vernier-operator';

export function operatorManifests(image: string): Record<string, unknown>[] {
  const labels = { 'app.kubernetes.io/name': 'vernier', 'app.kubernetes.io/component': 'operator' };
  return [
    restrictedNamespace(OPERATOR_NAMESPACE),
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: NAME, namespace: OPERATOR_NAMESPACE, labels } },
    operatorClusterRole(NAME),
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: NAME, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: NAME },
      subjects: [{ kind: 'ServiceAccount', name: NAME, namespace: OPERATOR_NAMESPACE }],
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: NAME, namespace: OPERATOR_NAMESPACE, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: NAME,
            securityContext: RESTRICTED_POD_SECURITY,
            containers: [
              {
                name: 'operator',
                image,
                imagePullPolicy: 'IfNotPresent',
                args: ['operator', '--metrics-port=8081', `--server-image=${image}`, '--image-pull-policy=IfNotPresent'],
                ports: [{ name: 'metrics', containerPort: 8081 }],
                readinessProbe: { httpGet: { path: '/readyz', port: 8081 }, periodSeconds: 2 },
                livenessProbe: { httpGet: { path: '/healthz', port: 8081 }, periodSeconds: 10 },
                securityContext: RESTRICTED_CONTAINER_SECURITY,
                volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
              },
            ],
            volumes: [{ name: 'tmp', emptyDir: {} }],
          },
        },
      },
    },
  ];
}

/** Installs and waits for the operator to be available; returns how it was installed. */
export async function installOperator(kubectl: Kubectl, image: string): Promise<'chart' | 'manifests'> {
  const root = repoRoot();
  const chart = join(root, 'charts', 'vernier');
  if (existsSync(join(chart, 'Chart.yaml'))) {
    // The chart is how users install. The pinned helm is built with the Kubernetes binaries; without it this fails,
    // naming the build command, rather than skip. The namespace is restricted before any pod is admitted to it.
    const helm = await pinnedHelm();
    await kubectl(['apply', '-f', '-'], { input: stringify(restrictedNamespace(OPERATOR_NAMESPACE)) });
    const colon = image.lastIndexOf(':');
    await helm([
      'upgrade', '--install', 'vernier', chart, '--namespace', OPERATOR_NAMESPACE, '--wait', '--timeout', '5m',
      '--kubeconfig', kubectl.kubeconfig, '--set', `image.repository=${image.slice(0, colon)}`, '--set', `image.tag=${image.slice(colon + 1)}`,
      '--set', 'image.pullPolicy=IfNotPresent',
    ]).catch((err: unknown) => {
      throw new Error(`installing the chart ${chart} with ${helm.path} failed`, { cause: err });
    });
    return 'chart';
  }
  await kubectl(['apply', '--server-side', '-f', join(root, 'crds', 'inferenceservice.yaml')]);
  await kubectl(['wait', '--for=condition=Established', 'crd/inferenceservices.vernier.dev', '--timeout=60s']);
  await kubectl(['apply', '-f', '-'], { input: operatorManifests(image).map((m) => stringify(m)).join('---\n') });
  await kubectl(['-n', OPERATOR_NAMESPACE, 'rollout', 'status', `deployment/${NAME}`, '--timeout=180s']);
  return 'manifests';
}
