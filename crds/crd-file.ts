// Where the generated CRD is checked in: crds/inferenceservice.yaml under the repository root.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The nearest directory at or above this module (src or dist) holding package.json. */
export function repoRoot(from = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json found at or above ${from}`);
  }
}

export function checkedInCrdPath(root = repoRoot()): string {
  return join(root, 'crds', 'inferenceservice.yaml');
}
