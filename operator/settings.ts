// What the operator is configured with (flags), as opposed to what each InferenceService asks for (its spec).
import { packageVersion } from '../contracts/package-root.js';

export interface OperatorSettings {
  /** Image of the server and the benchmark when spec.image is not set. */
  serverImage: string;
  /** Image of the server for provider nvidia-t4 when spec.image is not set: serverImage's build with the CUDA provider. */
  cudaServerImage: string;
  /** Pull policy when spec.imagePullPolicy is not set. */
  imagePullPolicy: 'Always' | 'IfNotPresent' | 'Never';
  /** Labels a node must carry for provider nvidia-t4, unless spec.provider.nodeSelector names its own. */
  gpuNodeSelector: Record<string, string>;
  /** Seconds a finished benchmark Job is kept before the TTL controller deletes it. */
  benchmarkTtlSeconds: number;
  /** Server pods: time not-ready before the listener closes on SIGTERM, so endpoints drop the pod first. */
  shutdownDelayMs: number;
  /** Server pods: longest wait for accepted requests on SIGTERM. */
  drainTimeoutMs: number;
}

/** The port the server listens on in its pod, and the Service port. */
export { PROBE_PORT, SERVER_PORT } from '../contracts/index.js';
/** The extended resource the NVIDIA device plugin advertises. */
export const GPU_RESOURCE = 'nvidia.com/gpu';
/** The label NVIDIA GPU feature discovery puts on T4 nodes. */
export const DEFAULT_GPU_NODE_SELECTOR: Record<string, string> = { 'nvidia.com/gpu.product': 'Tesla-T4' };

/** The package version, also the default image tag; re-exported for operator/cli.ts's --version. */
export { packageVersion };

/** The CUDA build of an image, named as e2e/image/build-image.sh names it: its tag + "-cuda" (vernier:0.1.0 → vernier:0.1.0-cuda). */
export function cudaVariantOf(image: string): string {
  if (image.includes('@')) throw new Error(`cannot name the CUDA build of ${image} (a digest): give --cuda-server-image too`);
  const hasTag = image.lastIndexOf(':') > image.lastIndexOf('/');
  return hasTag ? `${image}-cuda` : `${image}:latest-cuda`;
}

export function defaultSettings(overrides: Partial<OperatorSettings> = {}): OperatorSettings {
  return {
    serverImage: `vernier:${packageVersion()}`,
    cudaServerImage: `vernier:${packageVersion()}-cuda`,
    imagePullPolicy: 'IfNotPresent',
    gpuNodeSelector: { ...DEFAULT_GPU_NODE_SELECTOR },
    benchmarkTtlSeconds: 600,
    shutdownDelayMs: 5_000,
    drainTimeoutMs: 20_000,
    ...overrides,
  };
}
