import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import * as k8s from '@kubernetes/client-node';
import { startControlPlane } from './control-plane.js';
import { eventually } from './eventually.js';

/** The control plane's controllers on 2 shared cores: poll patiently. */
const patiently = <T>(what: string, check: () => Promise<T | undefined>): Promise<T> => eventually(what, check, 90_000, 250);

function deploymentManifest(name: string, replicas: number): k8s.V1Deployment {
  const labels = { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        // No kubelet runs in tier 2, so the image is never pulled.
        spec: { containers: [{ name: 'main', image: 'registry.invalid/vernier/never-pulled:0' }] },
      },
    },
  };
}

async function podsOf(core: k8s.CoreV1Api, namespace: string, replicaSetUid: string): Promise<k8s.V1Pod[]> {
  const pods = await core.listNamespacedPod({ namespace });
  return pods.items.filter((pod) => pod.metadata?.ownerReferences?.some((ref) => ref.uid === replicaSetUid));
}

test('control plane: API server, controller manager, RBAC and API server restart', { timeout: 600_000 }, async (t) => {
  const cp = await startControlPlane({ controllerManager: true });
  t.after(() => cp.stop());
  t.diagnostic(`Kubernetes ${cp.k8sVersion}, etcd ${cp.etcdVersion}; ready in ${cp.startupMs} ms; data in ${cp.dataDir}`);

  const kc = new k8s.KubeConfig();
  kc.loadFromFile(cp.kubeconfigPath);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const apps = kc.makeApiClient(k8s.AppsV1Api);

  assert.match(cp.server, /^https:\/\/127\.0\.0\.1:\d+$/);
  const version = await kc.makeApiClient(k8s.VersionApi).getCode();
  assert.equal(version.gitVersion, cp.k8sVersion, 'the API server reports the version the binaries were built at');

  const namespace = `smoke-${process.pid}`;
  await core.createNamespace({ body: { metadata: { name: namespace } } });

  const name = 'web';
  const created = await apps.createNamespacedDeployment({ namespace, body: deploymentManifest(name, 2) });
  const deploymentUid = created.metadata!.uid!;

  const replicaSet = await patiently('a ReplicaSet owned by the Deployment', async () => {
    const list = await apps.listNamespacedReplicaSet({ namespace });
    return list.items.find((rs) => rs.metadata?.ownerReferences?.some((ref) => ref.uid === deploymentUid && ref.controller));
  });
  const replicaSetUid = replicaSet.metadata!.uid!;

  const pods = await patiently('2 Pods owned by the ReplicaSet', async () => {
    const owned = await podsOf(core, namespace, replicaSetUid);
    return owned.length === 2 ? owned : undefined;
  });
  for (const pod of pods) {
    assert.equal(pod.status?.phase, 'Pending', `pod ${pod.metadata?.name} stays Pending without a kubelet`);
    assert.equal(pod.spec?.nodeName, undefined, `pod ${pod.metadata?.name} is not bound without a scheduler`);
  }

  // RBAC is enforced: a fresh service account's token authenticates but may not list pods.
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'nobody' } } });
  const tokenRequest = await core.createNamespacedServiceAccountToken({
    namespace,
    name: 'nobody',
    body: { spec: { audiences: [], expirationSeconds: 600 } },
  });
  const unprivileged = new k8s.KubeConfig();
  unprivileged.loadFromClusterAndUser(
    { name: 'test', server: cp.server, caData: (await readFile(cp.caCertPath)).toString('base64'), skipTLSVerify: false },
    { name: 'nobody', token: tokenRequest.status!.token },
  );
  await assert.rejects(
    unprivileged.makeApiClient(k8s.CoreV1Api).listNamespacedPod({ namespace }),
    (err: unknown) => err instanceof k8s.ApiException && err.code === 403,
    'an unbound service account is forbidden from listing pods',
  );

  const restartMs = await cp.restartApiServer();
  t.diagnostic(`API server restarted and ready in ${restartMs} ms`);

  // The same client keeps working against the restarted server, and the data survived in etcd.
  const afterRestart = await apps.readNamespacedDeployment({ namespace, name });
  assert.equal(afterRestart.metadata?.uid, deploymentUid);

  // The controller manager reconnects too: scaling up yields a third Pod.
  await apps.patchNamespacedDeployment(
    { namespace, name, body: { spec: { replicas: 3 } } },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
  );
  await patiently('3 Pods after scaling up across the restart', async () => {
    const owned = await podsOf(core, namespace, replicaSetUid);
    return owned.length === 3 ? owned : undefined;
  });

  // Garbage collection: deleting the Deployment in the foreground removes its ReplicaSet and Pods.
  await apps.deleteNamespacedDeployment({ namespace, name, body: { propagationPolicy: 'Foreground' } });
  await patiently('the ReplicaSet and Pods to be garbage-collected', async () => {
    const [rsList, owned] = await Promise.all([apps.listNamespacedReplicaSet({ namespace }), podsOf(core, namespace, replicaSetUid)]);
    return rsList.items.length === 0 && owned.length === 0 ? true : undefined;
  });
});

test('control plane without controller manager: nothing reconciles Deployments', { timeout: 300_000 }, async (t) => {
  const cp = await startControlPlane();
  t.after(() => cp.stop());
  assert.equal(cp.logs.controllerManager, undefined);
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(cp.kubeconfigPath);
  const apps = kc.makeApiClient(k8s.AppsV1Api);
  await apps.createNamespacedDeployment({ namespace: 'default', body: deploymentManifest('idle', 1) });
  // A bounded wait long enough for a running controller manager to have acted (it does so within a second above).
  await sleep(3_000);
  const replicaSets = await apps.listNamespacedReplicaSet({ namespace: 'default' });
  assert.equal(replicaSets.items.length, 0);
});
