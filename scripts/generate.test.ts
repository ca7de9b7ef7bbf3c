import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { packageRoot } from '../contracts/package-root.js';
import { main } from './generate.js';
import { REGENERATE_COMMAND, generatedFiles, staleFiles } from './generated-files.js';

async function scratchRoot(t: TestContext): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'vernier-generate-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  return root;
}

/** Runs the script's main with console.error captured. */
async function generate(t: TestContext, argv: string[], root: string): Promise<{ code: number; stderr: string }> {
  const errors = t.mock.method(console, 'error', () => {});
  const code = await main(argv, root);
  const stderr = errors.mock.calls.map((call) => String(call.arguments[0])).join('\n');
  errors.mock.restore();
  return { code, stderr };
}

describe('generated files', () => {
  it(`are current in the repository (${REGENERATE_COMMAND} rewrites them)`, async () => {
    assert.deepEqual(await staleFiles(generatedFiles()), [], `regenerate with: ${REGENERATE_COMMAND}`);
  });

  it('are the CRD, and the chart CRD template, RBAC roles and values schema', () => {
    const root = packageRoot();
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

  it('are written by the script, after which --check passes', async (t) => {
    const root = await scratchRoot(t);
    assert.equal((await generate(t, [], root)).code, 0);
    assert.deepEqual(await staleFiles(generatedFiles(root)), []);
    assert.deepEqual(await generate(t, ['--check'], root), { code: 0, stderr: '' });
  });

  it('--check exits 1 naming each stale or missing file and the command that fixes them', async (t) => {
    const root = await scratchRoot(t);
    await generate(t, [], root);
    const files = generatedFiles(root);
    await writeFile(files[2].path, `${files[2].content}# edited by hand\n`);
    await rm(files[4].path);
    assert.deepEqual(await staleFiles(files), [`${files[2].path} is out of date`, `${files[4].path} is missing`]);
    const { code, stderr } = await generate(t, ['--check'], root);
    assert.equal(code, 1);
    assert.equal(stderr, `${files[2].path} is out of date\n${files[4].path} is missing\nregenerate with: ${REGENERATE_COMMAND}`);
  });

  it('refuses unknown options with usage and exit code 2', async (t) => {
    const { code, stderr } = await generate(t, ['--write'], await scratchRoot(t));
    assert.equal(code, 2);
    assert.match(stderr, /Unknown option '--write'[\s\S]*usage: npm run generate/);
  });
});
