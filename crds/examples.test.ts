import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { repoRoot } from './crd-file.js';
import { INVALID_MANIFESTS, validBaseManifest } from './invalid-manifests.js';
import { benchmarkLoad } from './benchmark-load.js';
import { InvalidInferenceServiceError, parseInferenceService } from './parse.js';

const examplesDir = join(repoRoot(), 'examples');
const exampleFiles = readdirSync(examplesDir).filter((f) => f.endsWith('.yaml')).sort();
const load = (file: string) => parseInferenceService(parseYaml(readFileSync(join(examplesDir, file), 'utf8')));

/** The zod issue lines of a rejected manifest. */
function issuesOf(manifest: unknown): string[] {
  try {
    parseInferenceService(manifest);
  } catch (err) {
    assert.ok(err instanceof InvalidInferenceServiceError, `expected InvalidInferenceServiceError, got ${err}`);
    return err.issues;
  }
  assert.fail('the manifest was accepted');
}

describe('examples/*.yaml', () => {
  it('has the documented examples', () => {
    for (const name of ['audio-cnn-batched', 'audio-cnn-inline', 'audio-cnn-pool', 'mlp', 'audio-cnn-t4', 'mlp-open-loop', 'minilm']) {
      assert.ok(exampleFiles.includes(`${name}.yaml`), `examples/${name}.yaml is missing`);
    }
  });

  for (const file of exampleFiles) {
    it(`${file} is a valid InferenceService with a quick benchmark`, () => {
      const isvc = load(file);
      assert.equal(isvc.apiVersion, 'vernier.dev/v1alpha1');
      assert.equal(`${isvc.metadata.name}.yaml`, file, 'metadata.name should match the file name');
      assert.ok(isvc.spec.benchmark.durationSeconds <= 10, 'keep durationSeconds <= 10 so `vernier run` is quick');
      assert.ok(isvc.spec.benchmark.warmupSeconds <= 5, 'keep warmupSeconds <= 5 so `vernier run` is quick');
    });
  }

  it('covers each strategy, both providers and both benchmark modes', () => {
    const all = exampleFiles.map(load);
    assert.deepEqual(new Set(all.map((i) => i.spec.concurrency.strategy)), new Set(['batched', 'inline', 'pool']));
    assert.deepEqual(new Set(all.map((i) => i.spec.provider.type)), new Set(['cpu', 'nvidia-t4']));
    assert.deepEqual(new Set(all.map((i) => benchmarkLoad(i.spec).mode)), new Set(['closed', 'open']));
  });

  it('gives the inline baseline an SLA it cannot meet, and the open loop a rate', () => {
    const inline = load('audio-cnn-inline.yaml');
    assert.equal(inline.spec.concurrency.strategy, 'inline');
    assert.equal(inline.spec.sla.p99LatencyMs, 5);
    const open = load('mlp-open-loop.yaml');
    assert.equal(open.spec.benchmark.mode, 'open');
    assert.equal(open.spec.benchmark.rate, 100);
  });

  it('reads quantities written as integers or strings as strings', () => {
    const pool = load('audio-cnn-pool.yaml');
    assert.deepEqual(pool.spec.resources?.requests, { cpu: '2', memory: '512Mi' });
  });
});

describe('invalid manifests', () => {
  it('start from a valid base, so each fails for its own mistake', () => {
    assert.doesNotThrow(() => parseInferenceService(validBaseManifest()));
  });

  it('are numerous and uniquely named', () => {
    assert.ok(INVALID_MANIFESTS.length >= 25, `only ${INVALID_MANIFESTS.length} cases`);
    assert.equal(new Set(INVALID_MANIFESTS.map((c) => c.name)).size, INVALID_MANIFESTS.length);
  });

  for (const { name, manifest, expectedMessageFragment } of INVALID_MANIFESTS) {
    it(`rejects ${name}, naming ${expectedMessageFragment}`, () => {
      const issues = issuesOf(manifest);
      const isFieldPath = /^spec(\.[A-Za-z0-9]+)*$/.test(expectedMessageFragment);
      // A field path must lead the issue line (that field or one inside it), not merely occur in it.
      const matches = isFieldPath
        ? issues.some((line) => line.startsWith(`${expectedMessageFragment}:`) || line.startsWith(`${expectedMessageFragment}.`))
        : issues.some((line) => line.includes(expectedMessageFragment));
      assert.ok(matches, `expected an issue about ${expectedMessageFragment}, got:\n${issues.join('\n')}`);
    });
  }
});
