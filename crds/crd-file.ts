// Where the generated CRD is checked in: crds/inferenceservice.yaml under the repository root.
import { join } from 'node:path';
import { packageRoot } from '../contracts/package-root.js';

/** The repository root (the nearest directory holding package.json); the name tests and scripts import. */
export { packageRoot as repoRoot };

export function checkedInCrdPath(root = packageRoot()): string {
  return join(root, 'crds', 'inferenceservice.yaml');
}
