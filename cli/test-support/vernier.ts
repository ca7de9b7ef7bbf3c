// Runs the built `vernier` program from the repository root, as a user would, and collects what it printed.
import { execFile } from 'node:child_process';
import { packageRoot } from '../../contracts/package-root.js';
import { vernierBin } from '../../server/serve-process.js';

export const repo = packageRoot();

export function vernier(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [vernierBin, ...args], { cwd: repo, timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}
