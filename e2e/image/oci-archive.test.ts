// oci-archive.sh: a valid OCI layout whose digests match its blobs, the same bytes for the same inputs.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { execa } from 'execa';
import { packageRoot } from '../../contracts/package-root.js';

const script = join(packageRoot(), 'e2e', 'image', 'oci-archive.sh');
const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

test('oci-archive.sh writes a deterministic OCI layout whose index, manifest and config reference real blobs', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'oci-archive-test-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'rootfs', 'bin'), { recursive: true });
  await writeFile(join(dir, 'rootfs', 'bin', 'hello'), 'hello\n', { mode: 0o755 });
  const pack = async (out: string): Promise<string> =>
    (await execa('bash', [script, '--rootfs', join(dir, 'rootfs'), '--ref', 'demo:1.0', '--out', out, '--entrypoint', '["/bin/hello"]', '--user', '10001:10001', '--env', 'A=b'])).stdout.trim();

  const first = await pack(join(dir, 'a.tar'));
  const second = await pack(join(dir, 'b.tar'));
  assert.equal(first, second, 'same inputs must give the same manifest digest');
  assert.equal(sha256(await readFile(join(dir, 'a.tar'))), sha256(await readFile(join(dir, 'b.tar'))));

  await mkdir(join(dir, 'x'));
  await execa('tar', ['-xf', join(dir, 'a.tar'), '-C', join(dir, 'x')]);
  const blob = (digest: string): Promise<Buffer> => readFile(join(dir, 'x', 'blobs', 'sha256', digest.replace('sha256:', '')));
  const index = JSON.parse(await readFile(join(dir, 'x', 'index.json'), 'utf8'));
  assert.equal(index.manifests[0].annotations['io.containerd.image.name'], 'docker.io/library/demo:1.0');
  assert.equal(index.manifests[0].digest, first);
  const manifestBytes = await blob(first);
  assert.equal(`sha256:${sha256(manifestBytes)}`, first);
  const manifest = JSON.parse(manifestBytes.toString('utf8'));
  const config = JSON.parse((await blob(manifest.config.digest)).toString('utf8'));
  assert.deepEqual(config.config, { User: '10001:10001', Env: ['A=b'], Entrypoint: ['/bin/hello'], WorkingDir: '/' });
  const layer = await blob(manifest.layers[0].digest);
  assert.equal(`sha256:${sha256(layer)}`, manifest.layers[0].digest);
  assert.equal(config.rootfs.diff_ids[0], manifest.layers[0].digest, 'an uncompressed layer: diff id = digest');
  const listing = (await execa('tar', ['-tvf', '-'], { input: layer })).stdout;
  assert.match(listing, /-rwxr-xr-x 0\/0 +6 1970-01-01 00:00 \.\/bin\/hello/);
});

test('oci-archive.sh names the offending argument', async () => {
  await assert.rejects(execa('bash', [script, '--rootfs', '/nonexistent', '--ref', 'x:1', '--out', '/tmp/x.tar']), /--rootfs must be a directory, got '\/nonexistent'/);
  await assert.rejects(execa('bash', [script, '--rootfs', '/', '--ref', 'no-tag', '--out', '/tmp/x.tar']), /--ref must be NAME:TAG, got 'no-tag'/);
});
