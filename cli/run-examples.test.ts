// Every examples/*.yaml runs under `vernier run` (shortened to 1 s); a GPU example says how to run it without a GPU.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { parseInferenceService } from '../crds/index.js';
import { repo, vernier } from './test-support/vernier.js';

const examples = (await readdir(path.join(repo, 'examples'))).filter((f) => f.endsWith('.yaml')).sort();
const load = async (file: string) => parseInferenceService(parseYaml(await readFile(path.join(repo, 'examples', file), 'utf8')));

describe('vernier run examples/*.yaml', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'vernier-run-examples-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  for (const file of examples) {
    it(`${file} serves and benchmarks, printing the operator's status`, async () => {
      const isvc = await load(file);
      const onCpu = isvc.spec.provider.type === 'cpu' ? [] : ['--provider', 'cpu'];
      const json = path.join(dir, `${isvc.metadata.name}.json`);
      const r = await vernier(['run', `examples/${file}`, '--duration', '1', '--warmup', '0', ...onCpu, '--json', json]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`# status the operator would write for InferenceService ${isvc.metadata.name}`));
      assert.match(r.stdout, /^SLA (met|missed)/m);
      const [result] = JSON.parse(await readFile(json, 'utf8'));
      assert.equal(result.status.benchmark.strategy, isvc.spec.concurrency.strategy);
      assert.ok(result.status.benchmark.requests > 0, `${result.status.benchmark.requests} requests`);
      if (onCpu.length > 0) assert.match(r.stderr, /note: .* asks for provider nvidia-t4; serving it on cpu/);
    });
  }

  it('says how to measure a nvidia-t4 manifest on the CPU when CUDA cannot be used here', async () => {
    const r = await vernier(['run', 'examples/audio-cnn-t4.yaml', '--duration', '1', '--warmup', '0']);
    // On a machine with a GPU and onnxruntime's CUDA libraries the example runs as written.
    if (r.code === 0) return;
    assert.equal(r.code, 1);
    assert.match(r.stderr, /provider nvidia-t4 needs onnxruntime's CUDA execution provider/);
    assert.match(r.stderr, /add --provider cpu/);
  });

  it('refuses an unknown --provider', async () => {
    const r = await vernier(['run', 'examples/mlp.yaml', '--provider', 'tpu']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--provider must be one of cpu, nvidia-t4, got 'tpu'/);
  });
});
