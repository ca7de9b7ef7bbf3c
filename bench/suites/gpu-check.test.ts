import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { packageRoot } from '../../contracts/package-root.js';
import { gpuCheckObstacles, maxAbsDiff } from './gpu-check.js';

test('gpu:check names each thing it needs', () => {
  assert.deepEqual(gpuCheckObstacles({ driverVersion: '580.65.06', cudaProviderInstalled: true }), []);
  assert.match(gpuCheckObstacles({ driverVersion: undefined, cudaProviderInstalled: true })[0], /no NVIDIA GPU visible.*580 or newer/);
  assert.match(gpuCheckObstacles({ driverVersion: '535.230.02', cudaProviderInstalled: true })[0], /535\.230\.02 is too old: CUDA 13 needs 580/);
  assert.match(gpuCheckObstacles({ driverVersion: '580.1', cudaProviderInstalled: false })[0], /bash image\/fetch-cuda\.sh/);
  assert.deepEqual(maxAbsDiff(new Map([['p', [1, 2]]]), new Map([['p', [1.5, 2]]])), new Map([['p', 0.5]]));
});

test('gpu:check on a machine without a GPU says what it needs and exits 1', { skip: existsSync('/dev/nvidia0') && 'this machine has a GPU' }, async () => {
  const script = join(packageRoot(), 'dist', 'bench', 'suites', 'gpu-check.js');
  await assert.rejects(promisify(execFile)(process.execPath, [script], { timeout: 60_000 }), (err: { code: number; stderr: string }) => {
    assert.equal(err.code, 1);
    assert.match(err.stderr, /^gpu:check cannot run here:\n {2}- no NVIDIA GPU visible/);
    return true;
  });
});
