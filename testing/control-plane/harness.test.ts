import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { parseBinaryLayout, requireBinaries } from './binaries.js';
import { apiServerArgs, controllerManagerArgs, etcdArgs } from './component-args.js';
import { renderKubeconfig } from './kubeconfig.js';
import { createPki } from './pki.js';

test('parseBinaryLayout reads the --print-env lines and names a missing key', () => {
  const layout = parseBinaryLayout(
    'VERNIER_K8S_VERSION=v1.2.3\nVERNIER_ETCD_VERSION=v3.4.5\nVERNIER_K8S_BIN_DIR=/c/k8s/bin\nVERNIER_ETCD_BIN_DIR=/c/etcd/bin\n' +
      'VERNIER_HELM_VERSION=v4.5.6\nVERNIER_HELM_BIN_DIR=/c/helm/bin\n',
  );
  assert.deepEqual(layout, {
    k8sVersion: 'v1.2.3',
    etcdVersion: 'v3.4.5',
    helmVersion: 'v4.5.6',
    k8sBinDir: '/c/k8s/bin',
    etcdBinDir: '/c/etcd/bin',
    helmBinDir: '/c/helm/bin',
  });
  assert.throws(() => parseBinaryLayout('VERNIER_K8S_VERSION=v1.2.3\n'), /VERNIER_ETCD_VERSION/);
});

test('requireBinaries names every missing binary and the script that builds them', async (t) => {
  const empty = await mkdtemp(join(tmpdir(), 'vernier-nobin-'));
  t.after(() => rm(empty, { recursive: true, force: true }));
  const keys = ['VERNIER_K8S_BIN_DIR', 'VERNIER_ETCD_BIN_DIR', 'VERNIER_HELM_BIN_DIR'] as const;
  const saved = keys.map((key) => [key, process.env[key]] as const);
  for (const key of keys) process.env[key] = empty;
  t.after(() => {
    for (const [key, value] of saved) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });
  await assert.rejects(requireBinaries(['etcd', 'kube-apiserver', 'helm']), (err: Error) => {
    assert.match(err.message, /etcd \(expected at .*vernier-nobin-.*\/etcd\)/);
    assert.match(err.message, /kube-apiserver \(expected at/);
    assert.match(err.message, /helm \(expected at .*vernier-nobin-.*\/helm\)/);
    assert.match(err.message, /build-binaries\.sh etcd kube-apiserver helm/);
    return true;
  });
});

test('component arguments bind loopback only and wire the same PKI files', async () => {
  const pki = {
    dir: '/p', caCert: '/p/ca.crt', caKey: '/p/ca.key', servingCert: '/p/s.crt', servingKey: '/p/s.key',
    adminCert: '/p/a.crt', adminKey: '/p/a.key', serviceAccountKey: '/p/sa.key', serviceAccountPub: '/p/sa.pub',
  };
  const all = [
    ...etcdArgs({ dataDir: '/d', clientPort: 1001, peerPort: 1002 }),
    ...apiServerArgs({ etcdClientPort: 1001, securePort: 1003, certDir: '/c', pki }),
    ...controllerManagerArgs({ kubeconfigPath: '/k', securePort: 1004, certDir: '/c2', pki }),
  ];
  const hosts = all.flatMap((arg) => [...arg.matchAll(/\/\/([^:/]+):\d+/g)].map((m) => m[1]));
  assert.ok(hosts.length >= 5, `expected URLs in the arguments, got ${hosts.length}`);
  assert.deepEqual([...new Set(hosts)], ['127.0.0.1']);
  assert.ok(all.includes('--etcd-servers=http://127.0.0.1:1001'));
  assert.ok(all.includes('--bind-address=127.0.0.1'));
  assert.ok(all.includes('--authorization-mode=RBAC'));
  // The controller manager signs with the key whose public half the API server trusts.
  assert.ok(all.includes('--service-account-signing-key-file=/p/sa.key'));
  assert.ok(all.includes('--service-account-private-key-file=/p/sa.key'));
  assert.ok(all.includes('--service-account-key-file=/p/sa.pub'));
});

test('renderKubeconfig embeds the CA and client credentials and rejects a bad server URL', () => {
  const text = renderKubeconfig({ server: 'https://127.0.0.1:6443', caPem: 'CA', clientCertPem: 'CERT', clientKeyPem: 'KEY' });
  const doc = parse(text);
  assert.equal(doc['current-context'], 'vernier-test');
  assert.equal(doc.clusters[0].cluster.server, 'https://127.0.0.1:6443');
  assert.equal(Buffer.from(doc.clusters[0].cluster['certificate-authority-data'], 'base64').toString(), 'CA');
  assert.equal(Buffer.from(doc.users[0].user['client-key-data'], 'base64').toString(), 'KEY');
  assert.throws(
    () => renderKubeconfig({ server: 'http://127.0.0.1:6443', caPem: '', clientCertPem: '', clientKeyPem: '' }),
    /https URL.*"http:\/\/127\.0\.0\.1:6443"/,
  );
});

test('createPki issues a serving cert for 127.0.0.1, a system:masters client cert and a matching SA key pair', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'vernier-pki-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const pki = await createPki(dir);
  const ca = new X509Certificate(await readFile(pki.caCert));
  const serving = new X509Certificate(await readFile(pki.servingCert));
  const admin = new X509Certificate(await readFile(pki.adminCert));
  assert.ok(ca.ca, 'the CA certificate is a CA');
  assert.ok(serving.verify(ca.publicKey), 'the serving certificate is signed by the CA');
  assert.ok(admin.verify(ca.publicKey), 'the client certificate is signed by the CA');
  assert.equal(serving.checkIP('127.0.0.1'), '127.0.0.1');
  assert.equal(serving.checkHost('kubernetes.default.svc'), 'kubernetes.default.svc');
  assert.match(admin.subject, /O=system:masters/);
  const data = Buffer.from('token payload');
  const signature = sign('sha256', data, createPrivateKey(await readFile(pki.serviceAccountKey)));
  assert.ok(verify('sha256', data, createPublicKey(await readFile(pki.serviceAccountPub)), signature));
});
