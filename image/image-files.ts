// The compiled files the image ships: everything the program's entry point loads, and nothing else (no tests, test
// helpers, benchmark suites, cluster harness or development scripts). stage.sh copies what `node dist/image/image-files.js` prints.
import { realpathSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot } from '../contracts/package-root.js';
import { importClosure } from '../scripts/import-graph.js';

/** The program the image runs (its ENTRYPOINT), relative to the package root. */
export const PROGRAM_ENTRY = 'dist/cli/vernier.js';

/** The files to ship, relative to `root`, sorted: the import closure of the program's entry point. */
export function imageFiles(root = packageRoot()): string[] {
  const files = [...importClosure([join(root, PROGRAM_ENTRY)])].map((file) => relative(root, file));
  const outside = files.filter((file) => !file.startsWith(`dist${sep}`));
  if (outside.length > 0) throw new Error(`the program imports files outside dist/: ${outside.join(', ')}`);
  return files.map((file) => file.split(sep).join('/')).sort();
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  return script !== undefined && pathToFileURL(realpathSync(script)).href === import.meta.url;
}

if (isEntryPoint()) process.stdout.write(imageFiles().map((file) => `${file}\n`).join(''));
