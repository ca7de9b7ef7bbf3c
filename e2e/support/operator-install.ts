// Installs the CRD and the operator the way a user does: `helm upgrade --install` of charts/vernier, with the pinned
// helm that build-binaries.sh builds (without it this fails, naming the build command, rather than skip).
import { join } from 'node:path';
import { stringify } from 'yaml';
import { repoRoot } from '../k8s/binaries.js';
import { pinnedHelm } from '../k8s/helm.js';
import type { Kubectl } from './kubectl.js';
import { restrictedNamespace } from './restricted.js';

export const OPERATOR_NAMESPACE = 'vernier-system';
export const OPERATOR_SELECTOR = 'app.kubernetes.io/name=vernier,app.kubernetes.io/component=operator';

/** Installs the chart with `image` and waits for the operator to be available. */
export async function installOperator(kubectl: Kubectl, image: string): Promise<void> {
  const chart = join(repoRoot(), 'charts', 'vernier');
  const helm = await pinnedHelm();
  // The namespace is restricted before any pod is admitted to it.
  await kubectl(['apply', '-f', '-'], { input: stringify(restrictedNamespace(OPERATOR_NAMESPACE)) });
  const colon = image.lastIndexOf(':');
  await helm([
    'upgrade', '--install', 'vernier', chart, '--namespace', OPERATOR_NAMESPACE, '--wait', '--timeout', '5m',
    '--kubeconfig', kubectl.kubeconfig, '--set', `image.repository=${image.slice(0, colon)}`, '--set', `image.tag=${image.slice(colon + 1)}`,
    '--set', 'image.pullPolicy=IfNotPresent',
  ]).catch((err: unknown) => {
    throw new Error(`installing the chart ${chart} with ${helm.path} failed`, { cause: err });
  });
}
