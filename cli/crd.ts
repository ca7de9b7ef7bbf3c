// `vernier crd`: print the InferenceService CRD generated from the zod schema, for kubectl.
// Writing the checked-in generated files is a development script (`npm run generate`), not part of the program.
import { parseArgs } from 'node:util';
import { inferenceServiceCrdYaml } from '../crds/index.js';

const HELP = `usage: vernier crd

Prints the InferenceService CustomResourceDefinition generated from the zod schema
(vernier crd | kubectl apply --server-side -f -).

options:
  -h, --help`;

export async function main(argv: string[]): Promise<number> {
  let values: { help?: boolean };
  try {
    ({ values } = parseArgs({ args: argv, options: { help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false }));
  } catch (err) {
    console.error(`vernier crd: ${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  process.stdout.write(inferenceServiceCrdYaml());
  return 0;
}
