import { readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import { KIND, parseInferenceService, type InferenceService } from '../crds/index.js';

/** Reads the one InferenceService in a YAML file, validated with the CRD's own schema. */
export async function readInferenceService(file: string): Promise<InferenceService> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
  const docs = parseAllDocuments(text);
  const objects: unknown[] = [];
  for (const doc of docs) {
    if (doc.errors.length > 0) throw new Error(`${file} is not valid YAML: ${doc.errors[0].message}`);
    const value = doc.toJS() as { kind?: string } | null;
    if (value && value.kind === KIND) objects.push(value);
  }
  if (objects.length !== 1) {
    throw new Error(`${file} must hold exactly one ${KIND}; it holds ${objects.length}`);
  }
  try {
    return parseInferenceService(objects[0]);
  } catch (err) {
    throw new Error(`${file}: ${(err as Error).message}`, { cause: err });
  }
}
