import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { packageRoot } from '../../contracts/package-root.js';
import { SERVE_EXIT_CODES } from '../../contracts/serve-options.js';
import { cudaUnavailableLine, loadFailure } from './load-failure.js';

const execFileAsync = promisify(execFile);

// What onnxruntime 1.30 says, verbatim, when the CUDA provider loads but finds no device (seen with a stub libcuda.so.1).
const NO_DEVICE =
  'cannot load model /app/models/audio-cnn.onnx: /onnxruntime_src/onnxruntime/core/providers/cuda/cuda_call.cc:154 ... CUDA failure 100: no CUDA-capable device is detected ; GPU=-1 ; hostname=vm ; file=/onnxruntime_src/onnxruntime/core/providers/cuda/cuda_execution_provider.cc ; line=352 ; expr=cudaSetDevice(info_.device_id);';
const LOAD_FAILED = 'cannot load model /app/models/mlp.onnx: OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library';

test('no device, no driver, an old driver and no provider each get one line that says what to do', () => {
  assert.match(cudaUnavailableLine(NO_DEVICE, true)!, /^no CUDA device visible: the CUDA runtime says "no CUDA-capable device is detected"; .*nvidia\.com\/gpu/);
  assert.match(cudaUnavailableLine(LOAD_FAILED, true)!, /^no CUDA device visible: .*libcuda\.so\.1 is absent/);
  assert.match(cudaUnavailableLine(LOAD_FAILED, false)!, /^no CUDA execution provider in this image: run the vernier:.*-cuda image/);
  assert.match(cudaUnavailableLine('... CUDA failure 35: CUDA driver version is insufficient for CUDA runtime version ; GPU=-1', true)!, /driver 580 or newer/);
  assert.match(cudaUnavailableLine('libcuda.so.1: cannot open shared object file: No such file or directory', true)!, /libcuda\.so\.1 is not in the container/);
  assert.match(cudaUnavailableLine('libcudnn.so.9: cannot open shared object file', true)!, /libcudnn\.so\.9 is missing/);
  assert.equal(cudaUnavailableLine('Load model from /x.onnx failed:Protobuf parsing failed.', true), undefined);
});

test('loadFailure: CUDA unavailable only when CUDA was asked for; anything else is a bad model', () => {
  const cuda = loadFailure(new Error(NO_DEVICE), 'cuda', () => true);
  assert.equal(cuda.kind, 'cuda-unavailable');
  assert.equal(cuda.exitCode, SERVE_EXIT_CODES.cudaUnavailable);
  const bad = loadFailure(new Error('cannot load model /x.onnx: Load model from /x.onnx failed:Protobuf parsing failed.'), 'cuda', () => true);
  assert.equal(bad.kind, 'bad-model');
  assert.equal(bad.exitCode, SERVE_EXIT_CODES.badModel);
  assert.equal(loadFailure(new Error(NO_DEVICE), 'cpu', () => true).kind, 'bad-model');
  assert.notEqual(SERVE_EXIT_CODES.cudaUnavailable, SERVE_EXIT_CODES.badModel);
});

const serve = async (args: string[]) => {
  const cli = join(packageRoot(), 'dist', 'cli', 'vernier.js');
  try {
    await execFileAsync(process.execPath, [cli, 'serve', '--port', '0', '--log-level', 'silent', ...args], { timeout: 60_000 });
    return { code: 0, stderr: '' };
  } catch (err) {
    const { code, stderr } = err as { code: number; stderr: string };
    return { code, stderr };
  }
};

test('vernier serve --execution-provider cuda without CUDA exits with its own code and ends with one line', async () => {
  // Development trees and the CPU image have no CUDA provider (onnxruntime-node installs with ONNXRUNTIME_NODE_INSTALL=skip).
  const { code, stderr } = await serve(['--model', 'builtin://mlp', '--execution-provider', 'cuda']);
  assert.equal(code, SERVE_EXIT_CODES.cudaUnavailable, stderr);
  assert.match(stderr.trimEnd().split('\n').at(-1)!, /^vernier serve: no CUDA (device visible|execution provider in this image): /);
});

test('vernier serve with a file that is not a model exits with the bad-model code', async () => {
  const { code, stderr } = await serve(['--model', join(packageRoot(), 'package.json')]);
  assert.equal(code, SERVE_EXIT_CODES.badModel, stderr);
  assert.match(stderr, /^vernier serve: cannot load model .*package\.json/m);
});
