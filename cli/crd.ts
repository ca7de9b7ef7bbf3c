// `vernier crd`: print the generated InferenceService CRD, or write / check every file generated from the code's own
// definitions (the CRD, and the Helm chart's CRD template, RBAC roles and values schema).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { generatedChartFiles, type GeneratedFile } from '../charts/generated-templates.js';
import { checkedInCrdPath, repoRoot } from '../crds/crd-file.js';
import { inferenceServiceCrdYaml } from '../crds/index.js';

const HELP = `usage: vernier crd [--write | --check]

Prints the InferenceService CustomResourceDefinition generated from the zod schema
(kubectl apply -f <(vernier crd)).

options:
  --write   rewrite the generated files in the repository instead of printing:
            crds/inferenceservice.yaml, and in charts/vernier the CRD template,
            the RBAC roles (from operator/rbac.ts) and values.schema.json
  --check   exit 1 if any of those files differs from what --write would write
  -h, --help`;

/** Every file `--write` writes, with its path under the repository root. */
export function generatedFiles(root = repoRoot()): GeneratedFile[] {
  return [
    { path: checkedInCrdPath(root), content: inferenceServiceCrdYaml() },
    ...generatedChartFiles().map((f) => ({ ...f, path: join(root, f.path) })),
  ];
}

/** The generated files whose checked-in content differs, each with why. */
export async function staleFiles(files: GeneratedFile[]): Promise<string[]> {
  const stale: string[] = [];
  for (const file of files) {
    const current = await readFile(file.path, 'utf8').catch(() => undefined);
    if (current !== file.content) stale.push(`${file.path} is ${current === undefined ? 'missing' : 'out of date'}`);
  }
  return stale;
}

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
  if (!values.write && !values.check) {
    process.stdout.write(inferenceServiceCrdYaml());
    return 0;
  }
  const files = generatedFiles();
  if (values.write) {
    for (const file of files) {
      await mkdir(dirname(file.path), { recursive: true });
      await writeFile(file.path, file.content).catch((err: unknown) => {
        throw new Error(`cannot write ${file.path}`, { cause: err });
      });
      console.error(`wrote ${file.path}`);
    }
    return 0;
  }
  const stale = await staleFiles(files);
  if (stale.length === 0) return 0;
  console.error(`${stale.join('\n')}\nregenerate with: vernier crd --write`);
  return 1;
}
