// Writes the demo ONNX models: `node dist/examples/models/generate.js [--out DIR]`.
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { packageRoot } from '../../contracts/package-root.js';
import { runScript } from '../../scripts/run-script.js';
import { buildModel } from './builders.js';
import { MODEL_CATALOG } from './catalog.js';
import { encodeModel } from './onnx-writer.js';

export interface WrittenModel {
  name: string;
  path: string;
  bytes: number;
  parameterCount: number;
  /** False when the file already held exactly these bytes and was left alone. */
  changed: boolean;
}

export function defaultModelsDir(): string {
  return process.env.VERNIER_MODELS_DIR || join(packageRoot(), 'models');
}

async function readIfExists(path: string): Promise<Uint8Array | undefined> {
  try {
    return await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot read existing model file ${path}`, { cause: err });
  }
}

/** Writes via a temporary file and rename, so a concurrent reader never sees a half-written model. */
async function writeIfChanged(path: string, bytes: Uint8Array): Promise<boolean> {
  const existing = await readIfExists(path);
  if (existing && Buffer.from(existing).equals(bytes)) return false;
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, bytes);
    await rename(temporary, path);
  } catch (err) {
    await rm(temporary, { force: true });
    throw new Error(`cannot write model file ${path}`, { cause: err });
  }
  return true;
}

export async function writeModels(outDir: string): Promise<WrittenModel[]> {
  await mkdir(outDir, { recursive: true });
  const written: WrittenModel[] = [];
  for (const { name, file } of MODEL_CATALOG) {
    const built = buildModel(name);
    const bytes = encodeModel(built.model);
    const path = join(outDir, file);
    const changed = await writeIfChanged(path, bytes);
    written.push({ name, path, bytes: bytes.length, parameterCount: built.parameterCount, changed });
  }
  return written;
}

/** Generates every demo model into outDir; returns the model file paths in catalog order. */
export async function generateModels(outDir: string): Promise<string[]> {
  return (await writeModels(outDir)).map((m) => m.path);
}

const USAGE = `usage: node dist/examples/models/generate.js [--out DIR]

Writes the demo ONNX models (${MODEL_CATALOG.map((m) => m.file).join(', ')}).
Files whose content would not change are left untouched.

options:
  --out DIR   output directory (default: $VERNIER_MODELS_DIR, else <repo>/models)
  --help      show this help`;

export async function main(argv: string[]): Promise<number> {
  let values: { out?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { out: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    console.error(`generate: ${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const outDir = resolve(values.out ?? defaultModelsDir());
  for (const m of await writeModels(outDir)) {
    const size = `${(m.bytes / 1024).toFixed(1)} KiB`;
    console.log(`${m.changed ? 'wrote    ' : 'unchanged'} ${m.path} (${size}, ${m.parameterCount} parameters)`);
  }
  return 0;
}

runScript(import.meta.url, 'generate', main);
