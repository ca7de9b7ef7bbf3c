// `vernier crd`: print, write or check the generated InferenceService CRD.
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { checkedInCrdPath } from './crd-file.js';
import { inferenceServiceCrdYaml } from './crd.js';

const HELP = `usage: vernier crd [--write | --check]

Prints the InferenceService CustomResourceDefinition generated from the zod schema
(kubectl apply -f <(vernier crd)).

options:
  --write   rewrite crds/inferenceservice.yaml in the repository instead of printing
  --check   exit 1 if crds/inferenceservice.yaml differs from the generated CRD
  -h, --help`;

export async function main(argv: string[]): Promise<number> {
  let values: { write?: boolean; check?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { write: { type: 'boolean' }, check: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    console.error(`vernier crd: ${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (values.write && values.check) {
    console.error('vernier crd: --write and --check cannot be combined');
    return 2;
  }
  const yaml = inferenceServiceCrdYaml();
  if (!values.write && !values.check) {
    process.stdout.write(yaml);
    return 0;
  }
  const path = checkedInCrdPath();
  if (values.write) {
    await writeFile(path, yaml).catch((err: unknown) => {
      throw new Error(`cannot write ${path}`, { cause: err });
    });
    console.error(`wrote ${path}`);
    return 0;
  }
  const current = await readFile(path, 'utf8').catch(() => undefined);
  if (current === yaml) return 0;
  console.error(`${path} is ${current === undefined ? 'missing' : 'out of date'}; regenerate it with: vernier crd --write`);
  return 1;
}
