// Where the package lives (the repository in development, /app in the image) and its version: one lookup for both.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The nearest directory at or above `from` (this module's, in src or dist) that holds package.json. */
export function packageRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json found at or above ${from}`);
  }
}

let cachedVersion: string | undefined;

/** The version in that package.json (also the image tag the operator runs by default). */
export function packageVersion(): string {
  if (cachedVersion !== undefined) return cachedVersion;
  const path = join(packageRoot(), 'package.json');
  try {
    cachedVersion = (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
  } catch (err) {
    throw new Error(`cannot read the package version from ${path}`, { cause: err });
  }
  return cachedVersion;
}
