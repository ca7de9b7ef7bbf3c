import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { repoRoot } from './crd-file.js';
import { inferenceServiceCrdYaml } from './crd.js';

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

  it('--check passes while the checked-in YAML is current', async () => {
    const { code, stderr } = await run(['--check']);
    assert.equal(code, 0, stderr);
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
