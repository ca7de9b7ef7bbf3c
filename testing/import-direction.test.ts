// The dependency direction between top-level folders, checked over what the compiled files in dist/ really import.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { test } from 'node:test';
import { packageRoot } from '../contracts/package-root.js';
import { compiledImports } from '../scripts/import-graph.js';
import { DEPENDENCY_RULES, folderImportCounts, formatViolation, violations, type ImportEdge } from './dependency-rules.js';

const root = packageRoot();
const dist = join(root, 'dist');
const distPath = (file: string): string => relative(dist, file).split(sep).join('/');

/** The compiled files of sources still in the tree: dist/ keeps the output of moved or deleted files until cleaned. */
function compiledFiles(): string[] {
  return readdirSync(dist, { recursive: true, encoding: 'utf8' })
    .map((entry) => entry.split(sep).join('/'))
    .filter((path) => path.endsWith('.js') && existsSync(join(root, path.replace(/\.js$/, '.ts'))))
    .sort();
}

const edges: ImportEdge[] = compiledFiles().flatMap((from) =>
  compiledImports(join(dist, from)).map((target) => ({ from, to: distPath(target) })),
);

test('the rules flag the imports they forbid and pass the ones they allow', () => {
  const flagged = (from: string, to: string) => violations([{ from, to }]).map((v) => v.rule);
  assert.equal(flagged('operator/reconciler.js', 'bench/sla.js').length, 1);
  assert.deepEqual(flagged('operator/reconciler.test.js', 'bench/sla.js'), []);
  assert.deepEqual(flagged('operator/test-support/cluster.js', 'testing/control-plane/control-plane.js'), []);
  assert.equal(flagged('bench/suites/compare.js', 'cli/run.js').length, 1);
  assert.equal(flagged('server/engine/pool.js', 'server/routes/infer.js').length, 1);
  assert.deepEqual(flagged('server/engine/pool.js', 'server/engine/worker.js'), []);
  assert.equal(flagged('contracts/a.js', 'server/b.js').length, 1);
  assert.equal(flagged('crds/a.js', 'operator/b.js').length, 1);
  assert.equal(flagged('charts/chart-render.k8s-test.js', 'e2e/support/operator-install.js').length, 1);
  assert.deepEqual(flagged('e2e/specs/a.e2e-test.js', 'e2e/support/kubectl.js'), []);
});

test('folder → folder imports (file imports, counted by folder)', () => {
  assert.ok(edges.length > 0, `no imports found under ${dist}: build first (npx tsc -p tsconfig.json)`);
  for (const line of folderImportCounts(edges)) console.log(line);
});

for (const rule of DEPENDENCY_RULES) {
  test(rule.name, () => {
    const found = violations(edges, [rule]).map(formatViolation);
    for (const line of found) console.log(line);
    assert.deepEqual(found, [], `${found.length} import(s) break the rule "${rule.name}"`);
  });
}
