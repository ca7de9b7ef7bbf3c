// The chart as `helm template` renders it, with the real (pinned) helm: RBAC, security, CRD, values schema, flags.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { pinnedHelm, type Helm } from '../testing/control-plane/helm.js';
import { inferenceServiceCrd } from '../crds/index.js';
import { parseOperatorArgs } from '../operator/cli.js';
import { LEADER_ELECTION_RULES, OPERATOR_RBAC_RULES, OPERATOR_WATCH_RULES, type PolicyRule } from '../operator/rbac.js';
import { OPERATOR_SELECTOR, RELEASE_NAMESPACE } from './test-support/release.js';
import { chartPath, ofKind, permissions, renderChart, restrictedViolations, theOne, type KubeObject, type PodSpec } from './test-support/render.js';

const appVersion = (parseYaml(readFileSync(join(chartPath(), 'Chart.yaml'), 'utf8')) as { appVersion: string }).appVersion;
const KEEP = 'helm.sh/resource-policy';

interface Container {
  name: string;
  image: string;
  args: string[];
  ports: { name: string; containerPort: number }[];
  livenessProbe: { httpGet: { path: string; port: string | number } };
  readinessProbe: { httpGet: { path: string; port: string | number } };
  resources?: unknown;
  volumeMounts: { name: string; mountPath: string }[];
}
interface PodTemplate {
  metadata: { labels: Record<string, string> };
  spec: Omit<PodSpec, 'containers' | 'volumes'> & { serviceAccountName: string; containers: Container[]; volumes: { name: string; emptyDir?: unknown }[] };
}
const podTemplate = (objects: KubeObject[]) => (theOne(objects, 'Deployment').spec as { template: PodTemplate }).template;
const operatorContainer = (objects: KubeObject[]) => podTemplate(objects).spec.containers.find((c) => c.name === 'operator')!;
const rulesOf = (o: KubeObject) => o.rules as PolicyRule[];

/** The operator's configuration, parsed from the rendered args by the operator's own flag parser. */
function operatorConfig(objects: KubeObject[]) {
  const [command, ...flags] = operatorContainer(objects).args;
  assert.equal(command, 'operator');
  const config = parseOperatorArgs(flags, {});
  assert.notEqual(config, 'help');
  return config as Exclude<typeof config, 'help'>;
}

describe('charts/vernier rendered by helm template', () => {
  let helm: Helm;
  let defaults: KubeObject[];
  before(async () => {
    helm = await pinnedHelm();
    defaults = await renderChart(helm);
  });

  it('passes helm lint --strict, with the defaults and with every optional object switched on', async () => {
    await helm(['lint', '--strict', chartPath()]);
    await helm(['lint', '--strict', chartPath(), '--set', 'serviceMonitor.enabled=true', '--set', 'operator.watchNamespace=models']);
  });

  it('renders the operator, its ServiceAccount, RBAC, metrics Service and the CRD, labelled as the chart', () => {
    assert.deepEqual(defaults.map((o) => o.kind).sort(), [
      'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'Deployment', 'Role', 'RoleBinding', 'Service', 'ServiceAccount',
    ]);
    for (const o of defaults) {
      assert.equal(o.metadata.labels?.['app.kubernetes.io/name'], 'vernier', `${o.kind} ${o.metadata.name}`);
      assert.equal(o.metadata.labels?.['app.kubernetes.io/version'], appVersion, `${o.kind} ${o.metadata.name}`);
    }
    for (const kind of ['Deployment', 'ServiceAccount', 'Role', 'RoleBinding', 'Service']) {
      assert.equal(theOne(defaults, kind).metadata.namespace, RELEASE_NAMESPACE, kind);
    }
    // e2e/support/operator-install.ts finds the operator's pods by this selector.
    const labels = podTemplate(defaults).metadata.labels;
    for (const pair of OPERATOR_SELECTOR.split(',')) {
      const [key, value] = pair.split('=');
      assert.equal(labels[key], value, key);
    }
  });

  it('grants exactly OPERATOR_RBAC_RULES: the watch rules cluster-wide, the Lease rules in the Lease namespace only', () => {
    const clusterRole = theOne(defaults, 'ClusterRole');
    const role = theOne(defaults, 'Role');
    assert.deepEqual(permissions([...rulesOf(clusterRole), ...rulesOf(role)]), permissions([...OPERATOR_RBAC_RULES]));
    assert.deepEqual(permissions(rulesOf(clusterRole)), permissions([...OPERATOR_WATCH_RULES]));
    assert.deepEqual(permissions(rulesOf(role)), permissions([...LEADER_ELECTION_RULES]));
    assert.equal(role.metadata.namespace, operatorConfig(defaults).leaderElection?.namespace);

    const sa = theOne(defaults, 'ServiceAccount');
    assert.equal(podTemplate(defaults).spec.serviceAccountName, sa.metadata.name);
    const subject = [{ kind: 'ServiceAccount', name: sa.metadata.name, namespace: RELEASE_NAMESPACE }];
    const clusterBinding = theOne(defaults, 'ClusterRoleBinding');
    assert.deepEqual(clusterBinding.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterRole.metadata.name });
    assert.deepEqual(clusterBinding.subjects, subject);
    const roleBinding = theOne(defaults, 'RoleBinding');
    assert.deepEqual(roleBinding.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.metadata.name });
    assert.equal(roleBinding.metadata.namespace, role.metadata.namespace);
    assert.deepEqual(roleBinding.subjects, subject);
  });

  it('binds the rules in the watched namespace only when operator.watchNamespace is set', async () => {
    const objects = await renderChart(helm, { values: { operator: { watchNamespace: 'models' } } });
    assert.equal(ofKind(objects, 'ClusterRoleBinding').length, 0);
    const bindings = ofKind(objects, 'RoleBinding');
    const watch = bindings.find((b) => b.metadata.namespace === 'models');
    assert.ok(watch, 'a RoleBinding in namespace models');
    assert.deepEqual(watch.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: theOne(objects, 'ClusterRole').metadata.name });
    assert.equal(operatorConfig(objects).namespace, 'models');
  });

  it('leaves out the Lease Role and --leader-elect without leader election, and all RBAC with rbac.create=false', async () => {
    const noElection = await renderChart(helm, { values: { leaderElection: { enabled: false } } });
    assert.equal(ofKind(noElection, 'Role').length, 0);
    assert.equal(ofKind(noElection, 'RoleBinding').length, 0);
    assert.equal(operatorConfig(noElection).leaderElection, undefined);
    const noRbac = await renderChart(helm, { values: { rbac: { create: false } } });
    assert.deepEqual(noRbac.filter((o) => o.apiVersion.startsWith('rbac.authorization.k8s.io')), []);
  });

  it('runs every container under Pod Security Standards "restricted" with a read-only root and an emptyDir /tmp', () => {
    const pod = podTemplate(defaults).spec;
    assert.deepEqual(restrictedViolations(pod), []);
    const container = operatorContainer(defaults);
    const tmp = container.volumeMounts.find((m) => m.mountPath === '/tmp');
    assert.ok(tmp, 'a /tmp mount');
    assert.ok(pod.volumes.find((v) => v.name === tmp.name)?.emptyDir, '/tmp is an emptyDir');
  });

  it('notices a values file that would break "restricted"', async () => {
    const loosened = await renderChart(helm, { values: { securityContext: { allowPrivilegeEscalation: true } } });
    assert.deepEqual(restrictedViolations(podTemplate(loosened).spec), ['container operator: allowPrivilegeEscalation is not false']);
  });

  it('probes /healthz and /readyz on the metrics port the operator listens on', () => {
    const container = operatorContainer(defaults);
    const port = container.ports.find((p) => p.name === 'metrics')!;
    assert.equal(port.containerPort, operatorConfig(defaults).http.port);
    assert.deepEqual(container.livenessProbe.httpGet, { path: '/healthz', port: 'metrics' });
    assert.deepEqual(container.readinessProbe.httpGet, { path: '/readyz', port: 'metrics' });
    assert.ok(container.resources, 'resources are set');
  });

  it('maps values to real operator flags, the server image defaulting to the chart image', async () => {
    const defaultsConfig = operatorConfig(defaults);
    assert.equal(operatorContainer(defaults).image, `vernier:${appVersion}`);
    assert.equal(defaultsConfig.settings.serverImage, `vernier:${appVersion}`);
    assert.deepEqual(defaultsConfig.settings.gpuNodeSelector, { 'nvidia.com/gpu.product': 'Tesla-T4' });
    assert.deepEqual(defaultsConfig.leaderElection, {
      namespace: RELEASE_NAMESPACE, name: 'vernier-operator', leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000,
    });

    const objects = await renderChart(helm, {
      values: {
        image: { repository: 'registry.example/vernier', tag: '9.9.9' },
        operator: {
          serverImagePullPolicy: 'Always',
          gpuNodeSelector: { 'cloud.google.com/gke-accelerator': 'nvidia-tesla-t4', pool: 'gpu' },
          benchmarkTtlSeconds: 60,
          workers: 6,
          resyncMinutes: 120,
          logLevel: 'debug',
          extraArgs: ['--metrics-host=127.0.0.1'],
        },
        leaderElection: { namespace: 'leases', id: 'my-lease', leaseDurationSeconds: 30 },
        metrics: { port: 9090 },
      },
    });
    const config = operatorConfig(objects);
    assert.equal(operatorContainer(objects).image, 'registry.example/vernier:9.9.9');
    assert.equal(config.settings.serverImage, 'registry.example/vernier:9.9.9');
    assert.equal(config.settings.imagePullPolicy, 'Always');
    assert.deepEqual(config.settings.gpuNodeSelector, { 'cloud.google.com/gke-accelerator': 'nvidia-tesla-t4', pool: 'gpu' });
    assert.equal(config.settings.benchmarkTtlSeconds, 60);
    assert.equal(config.workers, 6);
    assert.equal(config.resyncMinutes, 120);
    assert.equal(config.logLevel, 'debug');
    assert.deepEqual(config.http, { host: '127.0.0.1', port: 9090 });
    assert.equal(config.leaderElection?.namespace, 'leases');
    assert.equal(config.leaderElection?.name, 'my-lease');
    assert.equal(config.leaderElection?.leaseDurationMs, 30_000);
    assert.equal(theOne(objects, 'Role').metadata.namespace, 'leases');
    assert.equal(operatorContainer(objects).ports[0].containerPort, 9090);

    const ownServer = await renderChart(helm, { values: { operator: { serverImage: 'server:1' } } });
    assert.equal(operatorConfig(ownServer).settings.serverImage, 'server:1');
  });

  it('installs the CRD generated from the schema, kept on uninstall; crds.keep=false drops the annotation', async () => {
    const crd = theOne(defaults, 'CustomResourceDefinition');
    const generated = inferenceServiceCrd();
    assert.equal(crd.metadata.name, generated.metadata.name);
    assert.deepEqual(crd.spec, JSON.parse(JSON.stringify(generated.spec)));
    assert.equal(crd.metadata.annotations?.[KEEP], 'keep');
    const notKept = theOne(await renderChart(helm, { values: { crds: { keep: false } } }), 'CustomResourceDefinition');
    assert.equal(notKept.metadata.annotations?.[KEEP], undefined);
  });

  it('leaves the CRD out with crds.enabled=false', async () => {
    const objects = await renderChart(helm, { set: ['crds.enabled=false'] });
    assert.equal(ofKind(objects, 'CustomResourceDefinition').length, 0);
    assert.equal(ofKind(objects, 'Deployment').length, 1);
  });

  it('renders a ServiceMonitor only when serviceMonitor.enabled, scraping the metrics Service', async () => {
    assert.equal(ofKind(defaults, 'ServiceMonitor').length, 0);
    const objects = await renderChart(helm, { values: { serviceMonitor: { enabled: true, interval: '15s', labels: { release: 'prometheus' } } } });
    const monitor = theOne(objects, 'ServiceMonitor');
    assert.equal(monitor.metadata.labels?.release, 'prometheus');
    const spec = monitor.spec as { selector: { matchLabels: Record<string, string> }; endpoints: { port: string; path: string; interval: string }[] };
    assert.deepEqual(spec.endpoints.map((e) => [e.port, e.path, e.interval]), [['metrics', '/metrics', '15s']]);
    const service = theOne(objects, 'Service');
    for (const [key, value] of Object.entries(spec.selector.matchLabels)) assert.equal(service.metadata.labels?.[key], value, key);
    await assert.rejects(
      renderChart(helm, { set: ['serviceMonitor.enabled=true', 'metrics.service.enabled=false'] }),
      /serviceMonitor\.enabled needs metrics\.service\.enabled/,
    );
  });

  it('refuses values the schema does not know, or of the wrong type, naming them', async () => {
    await assert.rejects(renderChart(helm, { set: ['replicas=2'] }), /additional properties 'replicas' not allowed/);
    await assert.rejects(renderChart(helm, { values: { securityContext: { runAsNonroot: true } } }), /securityContext.*additional properties 'runAsNonroot' not allowed/);
    await assert.rejects(renderChart(helm, { set: ['replicaCount=two'] }), /replicaCount.*got string, want integer/);
    await assert.rejects(renderChart(helm, { set: ['operator.logLevel=loud'] }), /logLevel.*must be one of/);
    await assert.rejects(renderChart(helm, { values: { crds: { keep: 'yes' } } }), /crds\/keep.*got string, want boolean/);
  });

  it('needs a ServiceAccount name when it does not create one', async () => {
    await assert.rejects(renderChart(helm, { set: ['serviceAccount.create=false'] }), /serviceAccount\.name is required/);
    const objects = await renderChart(helm, { set: ['serviceAccount.create=false', 'serviceAccount.name=existing'] });
    assert.equal(ofKind(objects, 'ServiceAccount').length, 0);
    assert.equal(podTemplate(objects).spec.serviceAccountName, 'existing');
  });
});
