import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { repoRoot } from '../crds/crd-file.js';
import { inferenceServiceCrdYaml } from '../crds/index.js';
import { generatedFiles, staleFiles } from './crd.js';

const vernier = join(repoRoot(), 'dist', 'cli', 'vernier.js');
const run = (args: string[]) =>
  promisify(execFile)(process.execPath, [vernier, 'crd', ...args], { timeout: 30_000 }).then(
    (r) => ({ code: 0, ...r }),
    (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }),
  );

describe('vernier crd', () => {
  it('prints the generated CRD', async () => {
    const { code, stdout } = await run([]);
    assert.equal(code, 0);
    assert.equal(stdout, inferenceServiceCrdYaml());
  });

  it('--check passes while the checked-in CRD and chart files are current', async () => {
    const { code, stderr } = await run(['--check']);
    assert.equal(code, 0, stderr);
  });

  it('generates the CRD, and the chart CRD template, RBAC roles and values schema', () => {
    const root = repoRoot();
    assert.deepEqual(
      generatedFiles(root).map((f) => relative(root, f.path)),
      [
        'crds/inferenceservice.yaml',
        'charts/vernier/templates/crd-inferenceservices.yaml',
        'charts/vernier/templates/clusterrole.yaml',
        'charts/vernier/templates/leader-election-role.yaml',
        'charts/vernier/values.schema.json',
      ],
    );
  });

  it('names each stale or missing generated file', async (t) => {
    const root = await mkdtemp(join(tmpdir(), 'vernier-crd-check-'));
    t.after(() => rm(root, { recursive: true, force: true }));
    const files = generatedFiles(root);
    for (const file of files) {
      await mkdir(dirname(file.path), { recursive: true });
      await writeFile(file.path, file.content);
    }
    assert.deepEqual(await staleFiles(files), []);
    await writeFile(files[2].path, `${files[2].content}# edited by hand\n`);
    await rm(files[4].path);
    assert.deepEqual(await staleFiles(files), [`${files[2].path} is out of date`, `${files[4].path} is missing`]);
  });

  it('refuses unknown options with usage and exit code 2', async () => {
    const { code, stderr } = await run(['--bogus']);
    assert.equal(code, 2);
    assert.match(stderr, /Unknown option '--bogus'[\s\S]*usage: vernier crd/);
  });

  it('refuses --write with --check', async () => {
    const { code, stderr } = await run(['--write', '--check']);
    assert.equal(code, 2);
    assert.match(stderr, /cannot be combined/);
  });
});
