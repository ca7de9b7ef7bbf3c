// The image ships the program and what it loads, never the development tree around it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PROGRAM_ENTRY, imageFiles } from './image-files.js';

const files = imageFiles();

describe('image files', () => {
  it('include the entry point, every command module it loads lazily and the session worker', () => {
    for (const file of [
      PROGRAM_ENTRY,
      'dist/server/cli.js',
      'dist/bench/cli.js',
      'dist/cli/run.js',
      'dist/cli/crd.js',
      'dist/operator/cli.js',
      'dist/server/engine/session-worker.js',
      'dist/contracts/package-root.js',
    ]) {
      assert.ok(files.includes(file), `${file} is not staged`);
    }
  });

  it('exclude tests, test helpers, benchmark suites, the cluster harness, scripts and the model generator', () => {
    const unwanted = files.filter((file) =>
      /\.(?:test|k8s-test|e2e-test)\.js$/.test(file)
      || file.split('/').includes('test-support')
      || /^dist\/(?:bench\/suites|e2e|testing|scripts|image|examples)\//.test(file));
    assert.deepEqual(unwanted, []);
  });

  it('are compiled JavaScript under dist/ only', () => {
    assert.deepEqual(files.filter((file) => !/^dist\/.+\.js$/.test(file)), []);
  });
});
