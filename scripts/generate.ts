// `npm run generate [-- --check]`: rewrites, or checks, the files generated from the code's own definitions.
// A development script: the shipped program only prints the CRD (`vernier crd`).
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { packageRoot } from '../contracts/package-root.js';
import { REGENERATE_COMMAND, generatedFiles, staleFiles, writeGeneratedFiles } from './generated-files.js';
import { runScript } from './run-script.js';

const HELP = `usage: ${REGENERATE_COMMAND} [-- --check]

Writes the files generated from the code's own definitions: crds/inferenceservice.yaml, and in
charts/vernier the CRD template, the RBAC roles (from operator/rbac.ts) and values.schema.json.

options:
  --check   write nothing; exit 1 naming every generated file that differs from what would be written
  -h, --help`;

export async function main(argv: string[], root = packageRoot()): Promise<number> {
  let values: { check?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({ args: argv, options: { check: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, strict: true }));
  } catch (err) {
    console.error(`generate: ${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const files = generatedFiles(root);
  if (values.check) {
    const stale = await staleFiles(files);
    if (stale.length === 0) return 0;
    console.error(`${stale.join('\n')}\nregenerate with: ${REGENERATE_COMMAND}`);
    return 1;
  }
  await writeGeneratedFiles(files);
  for (const file of files) console.error(`wrote ${relative(root, file.path)}`);
  return 0;
}

runScript(import.meta.url, 'generate', main);
