// Proves the e2e cluster itself: the locally built image runs under Pod Security "restricted", Services and cluster
// DNS work from pods, a benchmark Job reports through its termination message, and pods reach the API server.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { stringify } from 'yaml';
import { CompactBenchReport } from '../../contracts/compact-report.js';
import { repoRoot } from '../../testing/control-plane/binaries.js';
import { clusterKubectl, dumpNamespace, type Kubectl } from '../support/kubectl.js';
import { RESTRICTED_CONTAINER_SECURITY, RESTRICTED_POD_SECURITY, restrictedNamespace } from '../support/restricted.js';

const NS = `vernier-smoke-${process.pid}`;
const IMAGE = `vernier:${(JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as { version: string }).version}`;
let kubectl: Kubectl;

function container(name: string, args: string[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, image: IMAGE, imagePullPolicy: 'IfNotPresent', args, securityContext: RESTRICTED_CONTAINER_SECURITY, ...extra };
}

const serverObjects = [
  restrictedNamespace(NS),
  {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'server', namespace: NS, labels: { app: 'server' } },
    spec: {
      securityContext: RESTRICTED_POD_SECURITY,
      containers: [
        container('server', ['serve', '--model', 'builtin://mlp', '--host', '0.0.0.0', '--port', '8080'], {
          ports: [{ containerPort: 8080 }],
          readinessProbe: { httpGet: { path: '/v2/health/ready', port: 8080 }, periodSeconds: 2 },
          volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
        }),
      ],
      volumes: [{ name: 'tmp', emptyDir: {} }],
    },
  },
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'server', namespace: NS },
    spec: { selector: { app: 'server' }, ports: [{ port: 8080, targetPort: 8080 }] },
  },
];

function job(name: string, c: Record<string, unknown>): Record<string, unknown> {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: NS },
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: 180,
      template: { spec: { restartPolicy: 'Never', securityContext: RESTRICTED_POD_SECURITY, containers: [c] } },
    },
  };
}

async function apply(objects: unknown[]): Promise<void> {
  await kubectl(['apply', '-f', '-'], { input: objects.map((o) => stringify(o)).join('---\n') });
}

async function terminationMessage(jobName: string): Promise<string> {
  return kubectl(['-n', NS, 'get', 'pods', '-l', `job-name=${jobName}`, '-o', 'jsonpath={.items[0].status.containerStatuses[0].state.terminated.message}']);
}

async function withDiagnostics(t: { name: string }, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (err) {
    console.error(`\n===== ${t.name} failed; cluster state follows\n${await dumpNamespace(kubectl, NS)}`);
    throw err;
  }
}

before(async () => {
  kubectl = await clusterKubectl();
  await apply(serverObjects);
});

after(async () => {
  await kubectl?.(['delete', 'namespace', NS, '--wait=false', '--ignore-not-found']).catch(() => undefined);
});

test('a server from the locally built image runs under Pod Security "restricted" and a Job benchmarks it by its DNS name', async (t) => {
  await withDiagnostics(t, async () => {
    await kubectl(['-n', NS, 'wait', '--for=condition=Ready', 'pod/server', '--timeout=180s']);
    const bench = container('bench', [
      'bench', `--url=http://server.${NS}.svc:8080`, '--model=mlp', '--concurrency=4', '--duration=3', '--quiet', '--wait-for-server=60',
      '--termination-log=/dev/termination-log',
    ]);
    await apply([job('bench', bench)]);
    await kubectl(['-n', NS, 'wait', '--for=condition=Complete', 'job/bench', '--timeout=180s']);
    const report = CompactBenchReport.parse(JSON.parse(await terminationMessage('bench')));
    assert.equal(report.model, 'mlp');
    assert.ok(report.ok > 0, `no successful requests: ${JSON.stringify(report)}`);
    assert.equal(report.errorRate, 0, `errors through the Service: ${JSON.stringify(report.errors)}`);
    assert.ok(report.p99Ms > 0 && report.throughputRps > 0, `p99 ${report.p99Ms} ms, ${report.throughputRps} req/s`);
  });
});

test('pods reach the API server through the kubernetes Service with their service account token', async (t) => {
  await withDiagnostics(t, async () => {
    const script = `
      const fs = require('fs'), https = require('https'), d = '/var/run/secrets/kubernetes.io/serviceaccount/';
      https.get({ host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT, path: '/version',
          ca: fs.readFileSync(d + 'ca.crt'), headers: { authorization: 'Bearer ' + fs.readFileSync(d + 'token', 'utf8') } },
        (res) => { let b = ''; res.on('data', (c) => (b += c)); res.on('end', () => {
          fs.writeFileSync('/dev/termination-log', JSON.stringify({ status: res.statusCode, version: JSON.parse(b).gitVersion }));
          process.exit(res.statusCode === 200 ? 0 : 1); }); })
        .on('error', (e) => { fs.writeFileSync('/dev/termination-log', JSON.stringify({ error: e.message })); process.exit(1); });`;
    await apply([job('api', container('api', ['-e', script], { command: ['/usr/local/bin/node'] }))]);
    await kubectl(['-n', NS, 'wait', '--for=condition=Complete', 'job/api', '--timeout=120s']);
    const answer = JSON.parse(await terminationMessage('api')) as { status: number; version: string };
    const server = JSON.parse(await kubectl(['version', '-o', 'json'])) as { serverVersion: { gitVersion: string } };
    assert.deepEqual(answer, { status: 200, version: server.serverVersion.gitVersion });
  });
});

test('the namespace refuses a pod that does not meet Pod Security "restricted"', async () => {
  const privileged = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'not-restricted', namespace: NS },
    spec: { containers: [{ name: 'c', image: IMAGE, imagePullPolicy: 'IfNotPresent' }] },
  };
  await assert.rejects(apply([privileged]), /violates PodSecurity "restricted/);
});
