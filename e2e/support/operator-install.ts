// Installs the CRD and the operator the way a user does: `helm upgrade --install` of charts/vernier, with the pinned
// helm that build-binaries.sh builds (without it this fails, naming the build command, rather than skip).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { stringify } from 'yaml';
import { OPERATOR_SELECTOR, RELEASE, RELEASE_NAMESPACE } from '../../charts/test-support/release.js';
import { repoRoot } from '../../testing/control-plane/binaries.js';
import { pinnedHelm } from '../../testing/control-plane/helm.js';
import { clusterKubectl, dumpNamespace, type Kubectl } from './kubectl.js';
import { restrictedNamespace } from './restricted.js';

/** Where installOperator puts the operator: the namespace the chart tests install it in too. */
export const OPERATOR_NAMESPACE = RELEASE_NAMESPACE;
export { OPERATOR_SELECTOR };

/** The image the e2e run built and loaded: the one the operator's default settings name. */
export const E2E_IMAGE = `vernier:${(JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as { version: string }).version}`;

/**
 * A spec file's setting: before its tests, the operator installed from the chart and `namespace` created with Pod
 * Security "restricted"; after them, the namespace deleted. Returns the cluster's kubectl (usable once `before` ran).
 */
export function operatorAndNamespace(namespace: string): Kubectl {
  let current: Kubectl | undefined;
  const ready = (): Kubectl => {
    if (!current) throw new Error('the cluster is not set up yet: kubectl is usable from the tests and hooks after before()');
    return current;
  };
  before(async () => {
    current = await clusterKubectl();
    await installOperator(current, E2E_IMAGE);
    await current(['apply', '-f', '-'], { input: stringify(restrictedNamespace(namespace)) });
  });
  after(async () => {
    await current?.(['delete', 'namespace', namespace, '--ignore-not-found', '--timeout=120s']).catch(() => undefined);
  });
  const kubectl = ((args, opts) => ready()(args, opts)) as Kubectl;
  Object.defineProperty(kubectl, 'kubeconfig', { get: () => ready().kubeconfig });
  Object.defineProperty(kubectl, 'command', { get: () => ready().command });
  return kubectl;
}

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
