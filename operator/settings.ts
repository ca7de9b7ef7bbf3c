// What the operator is configured with (flags), as opposed to what each InferenceService asks for (its spec).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface OperatorSettings {
  /** Image of the server and the benchmark when spec.image is not set. */
  serverImage: string;
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
export { SERVER_PORT } from '../crds/index.js';
/** The extended resource the NVIDIA device plugin advertises. */
export const GPU_RESOURCE = 'nvidia.com/gpu';
/** The label NVIDIA GPU feature discovery puts on T4 nodes. */
export const DEFAULT_GPU_NODE_SELECTOR: Record<string, string> = { 'nvidia.com/gpu.product': 'Tesla-T4' };

/** The version in the nearest package.json above this module (dist/operator/ in the repository and in the image). */
export function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  const path = join(dir, 'package.json');
  try {
    return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
  } catch (err) {
    throw new Error(`cannot read the package version from ${path}`, { cause: err });
  }
}

export function defaultSettings(overrides: Partial<OperatorSettings> = {}): OperatorSettings {
  return {
    serverImage: `vernier:${packageVersion()}`,
    imagePullPolicy: 'IfNotPresent',
    gpuNodeSelector: { ...DEFAULT_GPU_NODE_SELECTOR },
    benchmarkTtlSeconds: 600,
    shutdownDelayMs: 5_000,
    drainTimeoutMs: 20_000,
    ...overrides,
  };
}

/** `key=value,key2=value2` → record; throws naming the flag and the bad pair. */
export function parseSelector(text: string, flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (text.trim() === '') return out;
  for (const pair of text.split(',')) {
    const eq = pair.indexOf('=');
    const key = pair.slice(0, eq).trim();
    if (eq <= 0 || key === '') throw new Error(`${flag}: expected key=value pairs separated by commas, got '${pair}' in '${text}'`);
    out[key] = pair.slice(eq + 1).trim();
  }
  return out;
}
