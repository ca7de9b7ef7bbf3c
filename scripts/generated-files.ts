// The repository files generated from the code's own definitions, and how to write them or find the stale ones.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { generatedChartFiles, type GeneratedFile } from '../charts/generated-templates.js';
import { packageRoot } from '../contracts/package-root.js';
import { checkedInCrdPath } from '../crds/crd-file.js';
import { inferenceServiceCrdYaml } from '../crds/index.js';

/** The command that rewrites every generated file; stale-file messages name it. */
export const REGENERATE_COMMAND = 'npm run generate';

/** Every generated file, with its absolute path under `root`: the CRD, and the chart's CRD template, RBAC roles and values schema. */
export function generatedFiles(root = packageRoot()): GeneratedFile[] {
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

export async function writeGeneratedFiles(files: GeneratedFile[]): Promise<void> {
  for (const file of files) {
    await mkdir(dirname(file.path), { recursive: true });
    await writeFile(file.path, file.content).catch((err: unknown) => {
      throw new Error(`cannot write ${file.path}`, { cause: err });
    });
  }
}
