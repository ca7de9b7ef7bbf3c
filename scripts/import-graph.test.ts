import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compiledImports, importClosure } from './import-graph.js';

function writeModules(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'import-graph-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

test('compiledImports finds every kind of relative module reference and ignores bare specifiers', (t) => {
  const dir = writeModules({
    'main.js': [
      "import { readFileSync } from 'node:fs';",
      "import yaml from 'yaml';",
      "import { a } from './static.js';",
      "export { b } from './re-export.js';",
      "export * from './star.js';",
      "import './side-effect.js';",
      "const lazy = () => import('./lazy/command.js');",
      "const worker = new URL('./worker.js', import.meta.url);",
      "const models = new URL('../models/', import.meta.url);",
      "// import { c } from './in-a-comment.js';",
      "const text = \"import('./in-a-string.js')\";",
      "const computed = (name) => import(name);",
    ].join('\n'),
  });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  assert.deepEqual(compiledImports(join(dir, 'main.js')).sort(), [
    'lazy/command.js', 're-export.js', 'side-effect.js', 'star.js', 'static.js', 'worker.js',
  ].map((name) => join(dir, name)));
});

test('importClosure follows imports transitively, through cycles, from several entries', (t) => {
  const dir = writeModules({
    'entry.js': "import './a.js';\nimport 'fastify';",
    'a.js': "import { b } from './sub/b.js';",
    'sub/b.js': "export { a } from '../a.js';\nconst w = new URL('./worker.js', import.meta.url);",
    'sub/worker.js': "import './../leaf.js';",
    'leaf.js': 'export const leaf = 1;',
    'other-entry.js': "await import('./leaf.js');",
    'unreached.js': "import './a.js';",
  });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const closure = importClosure([join(dir, 'entry.js'), join(dir, 'other-entry.js')]);
  assert.deepEqual([...closure].sort(), [
    'a.js', 'entry.js', 'leaf.js', 'other-entry.js', 'sub/b.js', 'sub/worker.js',
  ].map((name) => join(dir, name)));
});
