import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { packageRoot } from '../../contracts/package-root.js';

const execFileAsync = promisify(execFile);

export const K8S_BINARIES = [
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kubelet',
  'kube-proxy',
  'kubectl',
] as const;
export const ETCD_BINARIES = ['etcd', 'etcdctl'] as const;
export const HELM_BINARIES = ['helm'] as const;
export type BinaryName = (typeof K8S_BINARIES)[number] | (typeof ETCD_BINARIES)[number] | (typeof HELM_BINARIES)[number];

export interface BinaryLayout {
  k8sVersion: string;
  etcdVersion: string;
  helmVersion: string;
  k8sBinDir: string;
  etcdBinDir: string;
  helmBinDir: string;
}

/** The repository root: where package.json is (works from src and dist). */
export const repoRoot = (): string => packageRoot();

export function buildScriptPath(): string {
  return join(repoRoot(), 'testing', 'control-plane', 'build-binaries.sh');
}

/** The KEY=VALUE lines a build script's --print-env prints. Pure. */
export function parseEnvLines(text: string): Map<string, string> {
  const env = new Map<string, string>();
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) env.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  return env;
}

/** Parses the KEY=VALUE lines of `build-binaries.sh --print-env`. */
export function parseBinaryLayout(printEnvOutput: string): BinaryLayout {
  const env = parseEnvLines(printEnvOutput);
  const need = (key: string): string => {
    const value = env.get(key);
    if (!value) throw new Error(`build-binaries.sh --print-env printed no ${key} (got: ${JSON.stringify(printEnvOutput)})`);
    return value;
  };
  return {
    k8sVersion: need('VERNIER_K8S_VERSION'),
    etcdVersion: need('VERNIER_ETCD_VERSION'),
    helmVersion: need('VERNIER_HELM_VERSION'),
    k8sBinDir: need('VERNIER_K8S_BIN_DIR'),
    etcdBinDir: need('VERNIER_ETCD_BIN_DIR'),
    helmBinDir: need('VERNIER_HELM_BIN_DIR'),
  };
}

/** Where build-binaries.sh puts the binaries; the script is the one place versions are pinned. */
export async function binaryLayout(): Promise<BinaryLayout> {
  const script = buildScriptPath();
  let stdout: string;
  try {
    ({ stdout } = await execFileAsync('bash', [script, '--print-env'], { env: process.env }));
  } catch (err) {
    throw new Error(`could not ask ${script} where the Kubernetes binaries live`, { cause: err });
  }
  const layout = parseBinaryLayout(stdout);
  return {
    ...layout,
    k8sBinDir: process.env.VERNIER_K8S_BIN_DIR || layout.k8sBinDir,
    etcdBinDir: process.env.VERNIER_ETCD_BIN_DIR || layout.etcdBinDir,
    helmBinDir: process.env.VERNIER_HELM_BIN_DIR || layout.helmBinDir,
  };
}

export function binaryPath(layout: BinaryLayout, name: BinaryName): string {
  if ((ETCD_BINARIES as readonly string[]).includes(name)) return join(layout.etcdBinDir, name);
  if ((HELM_BINARIES as readonly string[]).includes(name)) return join(layout.helmBinDir, name);
  return join(layout.k8sBinDir, name);
}

/** Resolves the named binaries, failing with one message that lists every missing one and how to build it. */
export async function requireBinaries<N extends BinaryName>(names: readonly N[]): Promise<{ layout: BinaryLayout; paths: Record<N, string> }> {
  const layout = await binaryLayout();
  const paths = {} as Record<N, string>;
  const missing: string[] = [];
  for (const name of names) {
    const path = binaryPath(layout, name);
    paths[name] = path;
    try {
      await access(path, constants.X_OK);
    } catch {
      missing.push(`${name} (expected at ${path})`);
    }
  }
  if (missing.length > 0) {
    throw new Error(
      `missing Kubernetes ${layout.k8sVersion} / etcd ${layout.etcdVersion} / Helm ${layout.helmVersion} binaries: ${missing.join(', ')}.\n` +
        `Build them with: npm run k8s:binaries  (bash ${buildScriptPath()} ${names.join(' ')})`,
    );
  }
  return { layout, paths };
}

/** The helm binary built by build-binaries.sh (never the one on PATH, whose version nobody pinned). */
export async function requireHelm(): Promise<string> {
  return (await requireBinaries(['helm'])).paths.helm;
}
