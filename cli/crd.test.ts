import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { packageRoot } from '../contracts/package-root.js';
import { inferenceServiceCrdYaml } from '../crds/index.js';

const vernier = join(packageRoot(), 'dist', 'cli', 'vernier.js');
const run = (args: string[]) =>
  promisify(execFile)(process.execPath, [vernier, 'crd', ...args], { timeout: 30_000 }).then(
    (r) => ({ code: 0, ...r }),
    (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }),
  );

// The checked-in generated files are checked by scripts/generate.test.ts.
describe('vernier crd', () => {
  it('prints the generated CRD', async () => {
    const { code, stdout } = await run([]);
    assert.equal(code, 0);
    assert.equal(stdout, inferenceServiceCrdYaml());
  });

  it('refuses unknown options with usage and exit code 2', async () => {
    const { code, stderr } = await run(['--bogus']);
    assert.equal(code, 2);
    assert.match(stderr, /Unknown option '--bogus'[\s\S]*usage: vernier crd/);
  });

  it('does not write repository files: --write and --check belong to npm run generate', async () => {
    for (const option of ['--write', '--check']) {
      const { code, stdout } = await run([option]);
      assert.equal(code, 2, option);
      assert.equal(stdout, '', option);
    }
  });
});
