// Why a server could not start its sessions, sorted into what the exit code tells the operator: CUDA cannot be used,
// or the model cannot be served. Pure functions of onnxruntime's error text (and of whether the provider is installed).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { dirname, join } from 'node:path';
import { packageVersion } from '../../contracts/package-root.js';
import { SERVE_EXIT_CODES } from '../../contracts/serve-options.js';

export type LoadFailureKind = 'cuda-unavailable' | 'bad-model';

/** A server that cannot start: `message` is the one line to print, `exitCode` the code to exit with. */
export class LoadFailure extends Error {
  readonly exitCode: number;
  constructor(
    readonly kind: LoadFailureKind,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'LoadFailure';
    this.exitCode = kind === 'cuda-unavailable' ? SERVE_EXIT_CODES.cudaUnavailable : SERVE_EXIT_CODES.badModel;
  }
}

const CUDA_LIBRARY = /(lib(?:onnxruntime_providers_(?:shared|cuda)|cudart|cublasLt|cublas|curand|cudnn[a-z_]*|nvrtc)\.so[.0-9]*): cannot open shared object file/;

/** Where onnxruntime-node's core library looks for the CUDA provider: next to itself (the CUDA image puts it there). */
export function cudaProviderPath(): string {
  const entry = createRequire(import.meta.url).resolve('onnxruntime-node');
  return join(dirname(entry), '..', 'bin', 'napi-v6', platform(), arch(), 'libonnxruntime_providers_cuda.so');
}

/**
 * The line to print when onnxruntime's `message` says CUDA cannot be used here; undefined when it says something else.
 * `providerInstalled`: whether the CUDA provider library is in this image at all.
 */
export function cudaUnavailableLine(message: string, providerInstalled: boolean): string | undefined {
  const noDevice = /CUDA failure 100: ([^;]*)/.exec(message);
  if (noDevice) {
    return `no CUDA device visible: the CUDA runtime says "${noDevice[1].trim()}"; the pod needs an nvidia.com/gpu limit on a node with an NVIDIA GPU and the NVIDIA device plugin`;
  }
  if (/libcuda\.so\.1: cannot open shared object file/.test(message)) {
    return 'no CUDA device visible: the NVIDIA driver library libcuda.so.1 is not in the container (no GPU was assigned to it, or the node has no NVIDIA driver and container toolkit)';
  }
  if (/CUDA failure 35\b/.test(message)) {
    return 'no CUDA device visible: the NVIDIA driver is older than the CUDA 13 runtime in this image needs (driver 580 or newer)';
  }
  // onnxruntime-node's error says only this; which library failed is in onnxruntime's own log line above it.
  if (/AppendExecutionProvider_Cuda: Failed to load shared library/.test(message)) {
    return providerInstalled
      ? 'no CUDA device visible: the CUDA execution provider cannot load its libraries; without a GPU the driver library libcuda.so.1 is absent (onnxruntime names the missing library above)'
      : `no CUDA execution provider in this image: run the vernier:${packageVersion()}-cuda image (see the README, "GPU")`;
  }
  const library = CUDA_LIBRARY.exec(message);
  if (library) return `no CUDA execution provider in this image: ${library[1]} is missing (run the vernier:${packageVersion()}-cuda image)`;
  const cudaFailure = /CUDA failure (\d+): ([^;]*)/.exec(message);
  if (cudaFailure) return `no CUDA device usable: CUDA error ${cudaFailure[1]}, "${cudaFailure[2].trim()}"`;
  return undefined;
}

/** What a failure to start the sessions means for the exit code: CUDA unavailable (only when CUDA was asked for), else a bad model. */
export function loadFailure(err: unknown, executionProvider: 'cpu' | 'cuda', providerInstalled = () => existsSync(cudaProviderPath())): LoadFailure {
  const message = err instanceof Error ? err.message : String(err);
  const cuda = executionProvider === 'cuda' ? cudaUnavailableLine(message, providerInstalled()) : undefined;
  if (cuda) return new LoadFailure('cuda-unavailable', cuda, { cause: err });
  return new LoadFailure('bad-model', message.startsWith('cannot load model') ? message : `cannot serve the model: ${message}`, { cause: err });
}
