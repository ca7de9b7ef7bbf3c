import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { vernier } from './test-support/vernier.js';


describe('vernier run', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'vernier-run-test-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('serves and benchmarks an example, printing the status the operator would write', async () => {
    const json = path.join(dir, 'mlp.json');
    const r = await vernier(['run', 'examples/mlp.yaml', '--duration', '2', '--warmup', '0', '--json', json]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /# status the operator would write for InferenceService mlp/);
    const [result] = JSON.parse(await readFile(json, 'utf8'));
    const b = result.status.benchmark;
    assert.ok(b.p99Ms > 0, `p99 ${b.p99Ms}`);
    assert.ok(b.throughputRps > 0, `throughput ${b.throughputRps}`);
    assert.ok(b.requests > 0);
    assert.equal(b.strategy, 'batched');
    assert.match(b.specHash, /^[0-9a-f]{16}$/);
    assert.deepEqual(
      result.status.conditions.map((c: { type: string }) => c.type),
      ['Ready', 'Benchmarked', 'SLAMet'],
    );
  });

  it('exits 3 with --fail-on-sla when the SLA is missed, naming the reason', async () => {
    const r = await vernier(['run', 'examples/audio-cnn-inline.yaml', '--duration', '2', '--warmup', '0', '--fail-on-sla']);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stdout, /reason: P99AboveTarget/);
    assert.match(r.stdout, /SLA missed \(P99AboveTarget\): p99 [\d.]+ ms is above the 5 ms target/);
  });

  it('refuses an invalid manifest, naming the field', async () => {
    const bad = path.join(dir, 'bad.yaml');
    await writeFile(
      bad,
      'apiVersion: vernier.dev/v1alpha1\nkind: InferenceService\nmetadata: {name: x}\nspec:\n  model: {name: mlp, uri: builtin://mlp}\n  concurrency: {strategy: fastest}\n  sla: {p99LatencyMs: 10}\n',
    );
    const r = await vernier(['run', bad]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /spec\.concurrency\.strategy/);
  });
});
