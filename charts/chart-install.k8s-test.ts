// `helm install` of charts/vernier into a real kube-apiserver (RBAC authorization only): the objects exist, the CRD is
// Established and accepts the examples, and the operator's ServiceAccount may do exactly what operator/rbac.ts lists.
// No kubelet runs, so the operator pod never starts; the install does not --wait for it.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import { repoRoot } from '../testing/control-plane/binaries.js';
import { startControlPlane, type ControlPlane } from '../testing/control-plane/control-plane.js';
import { pinnedHelm, type Helm } from '../testing/control-plane/helm.js';
import { CRD_NAME } from '../crds/index.js';
import { LEADER_ELECTION_RULES, OPERATOR_WATCH_RULES, type PolicyRule } from '../operator/rbac.js';
import { RELEASE, RELEASE_NAMESPACE } from './test-support/release.js';
import { chartPath } from './test-support/render.js';

const SERVICE_ACCOUNT = `system:serviceaccount:${RELEASE_NAMESPACE}:vernier-operator`;

/** `kubectl auth can-i` arguments for one permission: resource[.group], with a subresource split off. */
function canIArgs(group: string, resource: string, verb: string): string[] {
  const [plural, subresource] = resource.split('/');
  return [verb, group === '' ? plural : `${plural}.${group}`, ...(subresource ? [`--subresource=${subresource}`] : [])];
}

const each = (rules: readonly PolicyRule[]) =>
  rules.flatMap((r) => r.apiGroups.flatMap((g) => r.resources.flatMap((res) => r.verbs.map((verb) => ({ group: g, resource: res, verb })))));

describe('helm install charts/vernier into a real API server', () => {
  let cp: ControlPlane;
  let helm: Helm;
  let kubectl: (args: string[]) => Promise<string>;
  /** "yes" or "no", as the operator's ServiceAccount. */
  let canI: (args: string[], namespace: string | 'all') => Promise<string>;

  before(async () => {
    helm = await pinnedHelm();
    cp = await startControlPlane();
    const kubectlPath = join(cp.binDir, 'kubectl');
    kubectl = async (args) => (await execa(kubectlPath, ['--kubeconfig', cp.kubeconfigPath, ...args])).stdout;
    canI = async (args, namespace) => {
      const scope = namespace === 'all' ? ['--all-namespaces'] : ['--namespace', namespace];
      const r = await execa(kubectlPath, ['--kubeconfig', cp.kubeconfigPath, 'auth', 'can-i', ...args, ...scope, `--as=${SERVICE_ACCOUNT}`], { reject: false });
      // Exit 0 is yes, 1 is no; anything else (a typo in a resource, a dead server) must not read as "no".
      if (r.exitCode !== 0 && r.exitCode !== 1) throw new Error(`kubectl auth can-i ${args.join(' ')} failed: ${r.stderr}`);
      return r.stdout.trim();
    };
    await helm(['install', RELEASE, chartPath(), '--namespace', RELEASE_NAMESPACE, '--create-namespace', '--kubeconfig', cp.kubeconfigPath]);
  });
  after(async () => {
    await cp?.stop();
  });

  it('creates the operator Deployment, ServiceAccount, RBAC objects and metrics Service', async () => {
    const names = async (kind: string, namespaced = true) =>
      (await kubectl(['get', kind, ...(namespaced ? ['-n', RELEASE_NAMESPACE] : []), '-l', 'app.kubernetes.io/instance=vernier', '-o', 'name'])).split('\n');
    assert.deepEqual(await names('deployments'), ['deployment.apps/vernier-operator']);
    assert.deepEqual(await names('serviceaccounts'), ['serviceaccount/vernier-operator']);
    assert.deepEqual(await names('services'), ['service/vernier-operator-metrics']);
    assert.deepEqual(await names('roles'), ['role.rbac.authorization.k8s.io/vernier-operator-leader-election']);
    assert.deepEqual(await names('rolebindings'), ['rolebinding.rbac.authorization.k8s.io/vernier-operator-leader-election']);
    assert.deepEqual(await names('clusterroles', false), ['clusterrole.rbac.authorization.k8s.io/vernier-operator']);
    assert.deepEqual(await names('clusterrolebindings', false), ['clusterrolebinding.rbac.authorization.k8s.io/vernier-operator']);
    const status = JSON.parse(await helm(['status', RELEASE, '--namespace', RELEASE_NAMESPACE, '--kubeconfig', cp.kubeconfigPath, '-o', 'json']));
    assert.equal(status.info.status, 'deployed');
  });

  it('installs the CRD, Established, and it accepts every example', async () => {
    await kubectl(['wait', '--for=condition=Established', `crd/${CRD_NAME}`, '--timeout=60s']);
    const examples = join(repoRoot(), 'examples');
    for (const file of readdirSync(examples).filter((f) => f.endsWith('.yaml'))) {
      const out = await kubectl(['apply', '--dry-run=server', '-n', 'default', '-f', join(examples, file)]);
      assert.match(out, /inferenceservice\.vernier\.dev\/\S+ created \(server dry run\)/, file);
    }
  });

  it('lets the operator make every call in OPERATOR_WATCH_RULES, in every namespace', async () => {
    for (const { group, resource, verb } of each(OPERATOR_WATCH_RULES)) {
      assert.equal(await canI(canIArgs(group, resource, verb), 'all'), 'yes', `${verb} ${group}/${resource}`);
    }
  });

  it('lets it use Leases in the release namespace only', async () => {
    for (const { group, resource, verb } of each(LEADER_ELECTION_RULES)) {
      assert.equal(await canI(canIArgs(group, resource, verb), RELEASE_NAMESPACE), 'yes', `${verb} ${resource} in ${RELEASE_NAMESPACE}`);
      assert.equal(await canI(canIArgs(group, resource, verb), 'default'), 'no', `${verb} ${resource} in default`);
    }
  });

  it('refuses what the operator does not do', async () => {
    const refused = [
      ['delete', 'deployments.apps'],
      ['update', 'deployments.apps'],
      ['get', 'secrets'],
      ['list', 'secrets'],
      ['update', 'inferenceservices.vernier.dev'],
      ['delete', 'inferenceservices.vernier.dev'],
      ['delete', 'services'],
      ['create', 'pods'],
      ['delete', 'pods'],
      ['create', 'clusterroles.rbac.authorization.k8s.io'],
      ['*', '*'],
    ];
    for (const args of refused) assert.equal(await canI(args, 'all'), 'no', args.join(' '));
  });

  it('keeps the CRD when the release is uninstalled', async () => {
    await helm(['uninstall', RELEASE, '--namespace', RELEASE_NAMESPACE, '--kubeconfig', cp.kubeconfigPath, '--wait', '--timeout', '2m']);
    assert.equal(await kubectl(['get', 'crd', CRD_NAME, '-o', 'name']), `customresourcedefinition.apiextensions.k8s.io/${CRD_NAME}`);
    assert.equal(await kubectl(['get', 'deployments', '-n', RELEASE_NAMESPACE, '-o', 'name']), '');
  });
});
