// Installs the CRD and the operator the way a user does: `helm upgrade --install` of charts/vernier, with the pinned
// helm that build-binaries.sh builds (without it this fails, naming the build command, rather than skip).
import { join } from 'node:path';
import { stringify } from 'yaml';
import { OPERATOR_SELECTOR, RELEASE, RELEASE_NAMESPACE } from '../../charts/test-support/release.js';
import { repoRoot } from '../../testing/control-plane/binaries.js';
import { pinnedHelm } from '../../testing/control-plane/helm.js';
import { dumpNamespace, type Kubectl } from './kubectl.js';
import { restrictedNamespace } from './restricted.js';

/** Where installOperator puts the operator: the namespace the chart tests install it in too. */
export const OPERATOR_NAMESPACE = RELEASE_NAMESPACE;
export { OPERATOR_SELECTOR };

/** Installs the chart with `image` and waits for the operator to be available. */
export async function installOperator(kubectl: Kubectl, image: string): Promise<void> {
  const chart = join(repoRoot(), 'charts', 'vernier');
  const helm = await pinnedHelm();
  // The namespace is restricted before any pod is admitted to it.
  await kubectl(['apply', '-f', '-'], { input: stringify(restrictedNamespace(OPERATOR_NAMESPACE)) });
  const colon = image.lastIndexOf(':');
  await helm([
    'upgrade', '--install', RELEASE, chart, '--namespace', OPERATOR_NAMESPACE, '--wait', '--timeout', '5m',
    '--kubeconfig', kubectl.kubeconfig, '--set', `image.repository=${image.slice(0, colon)}`, '--set', `image.tag=${image.slice(colon + 1)}`,
    '--set', 'image.pullPolicy=IfNotPresent',
  ]).catch((err: unknown) => {
    throw new Error(`installing the chart ${chart} with ${helm.path} failed`, { cause: err });
  });
}

/** Runs `body`; on failure prints the namespace's objects, events and logs (the operator's too) before rethrowing. */
export async function withClusterDiagnostics(kubectl: Kubectl, namespace: string, name: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (err) {
    const dump = await dumpNamespace(kubectl, namespace, [{ namespace: OPERATOR_NAMESPACE, selector: OPERATOR_SELECTOR }]);
    const described = await kubectl(['-n', namespace, 'describe', 'inferenceservices']).catch((e: Error) => e.message);
    console.error(`\n===== ${name} failed; cluster state follows\n${dump}\n----- describe inferenceservices\n${described}`);
    throw err;
  }
}
