// Helm as the tests and the e2e install run it: the binary build-binaries.sh pinned and built (never one on PATH),
// with its config, cache and data in a directory of its own, so a user's repositories and plugins play no part.
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { requireHelm } from './binaries.js';

export interface Helm {
  /** Path of the helm binary. */
  path: string;
  /** Runs helm; resolves with stdout, rejects with helm's stderr on a non-zero exit. `input` is its stdin (`-f -`). */
  (args: string[], opts?: { input?: string; timeoutMs?: number }): Promise<string>;
}

export function helmHome(): Record<string, string> {
  const home = join(tmpdir(), 'vernier-helm-home');
  const dirs = { HELM_CONFIG_HOME: join(home, 'config'), HELM_CACHE_HOME: join(home, 'cache'), HELM_DATA_HOME: join(home, 'data') };
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
  return dirs;
}

/** The pinned helm; fails, naming the build command, when it has not been built. */
export async function pinnedHelm(): Promise<Helm> {
  const path = await requireHelm();
  const env = helmHome();
  const helm = (async (args: string[], opts: { input?: string; timeoutMs?: number } = {}) => {
    try {
      const { stdout } = await execa(path, args, { env, input: opts.input ?? '', timeout: opts.timeoutMs ?? 300_000 });
      return stdout;
    } catch (err) {
      const e = err as { stderr?: string; shortMessage?: string };
      throw new Error(`helm ${args.join(' ')} failed: ${(e.stderr || e.shortMessage || String(err)).trim()}`, { cause: err });
    }
  }) as Helm;
  helm.path = path;
  return helm;
}
