// Infer request bodies, built once before a run: seeded tensors from the model's metadata, or the user's file.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { InputSpec } from './model-metadata.js';
import { seededRandom } from './random.js';
import type { SentenceLengths } from './sentences.js';
import { elementCount, encodeBinary, randomValues, type TensorValue } from './tensor-data.js';

export type PayloadEncoding = 'json' | 'binary';

/** One ready-to-send request body with the headers it needs. */
export interface Payload {
  body: Buffer;
  headers: Record<string, string>;
}

export interface PayloadSet {
  /** `raw`: a file's bytes as they are (for a --path that is not an infer endpoint); `none`: no body. */
  encoding: PayloadEncoding | 'raw' | 'none';
  source: 'generated' | 'file' | 'none';
  inputs: InputSpec[];
  variants: Payload[];
}

interface TensorWithValues extends InputSpec {
  values: TensorValue[];
}

/** Body of POST /v2/models/{m}/infer for the given tensors, as JSON or with the binary tensor extension. */
export function inferRequestBody(tensors: TensorWithValues[], encoding: PayloadEncoding, extra: Record<string, unknown> = {}): Payload {
  if (encoding === 'json') {
    const inputs = tensors.map(({ name, shape, datatype, values }) => ({ name, shape, datatype, data: values }));
    return { body: Buffer.from(JSON.stringify({ ...extra, inputs })), headers: { 'content-type': 'application/json' } };
  }
  const blobs = tensors.map((t) => encodeBinary(t.datatype, t.values));
  const inputs = tensors.map(({ name, shape, datatype }, i) => ({ name, shape, datatype, parameters: { binary_data_size: blobs[i].length } }));
  const header = Buffer.from(JSON.stringify({ ...extra, inputs }));
  return {
    body: Buffer.concat([header, ...blobs]),
    headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(header.length) },
  };
}

/** `variants` distinct bodies of seeded random data (sentences of `sentenceWords` words for text inputs); variant i uses seed + i. */
export function buildPayloads(
  inputs: InputSpec[],
  options: { encoding: PayloadEncoding; seed: number; variants: number; sentenceWords?: SentenceLengths },
): PayloadSet {
  const variants: Payload[] = [];
  for (let v = 0; v < options.variants; v++) {
    const random = seededRandom(options.seed + v);
    const tensors = inputs.map((spec) => ({ ...spec, values: randomValues(spec.datatype, elementCount(spec.shape), random, options.sentenceWords) }));
    variants.push(inferRequestBody(tensors, options.encoding));
  }
  return { encoding: options.encoding, source: 'generated', inputs, variants };
}

const FileInput = z.object({
  name: z.string().min(1),
  shape: z.array(z.number().int().min(0)),
  datatype: z.string().min(1),
  data: z.array(z.unknown()),
});
const FileRequestBody = z.looseObject({ inputs: z.array(FileInput).min(1) });

function flatValues(data: unknown[], where: string): TensorValue[] {
  const flat = (data as unknown[]).flat(Infinity) as unknown[];
  for (const [i, v] of flat.entries()) {
    if (typeof v !== 'number' && typeof v !== 'boolean' && typeof v !== 'string') {
      throw new Error(`${where}: data[${i}] is ${JSON.stringify(v)}, expected a number, boolean or string`);
    }
  }
  return flat as TensorValue[];
}

/** One payload from a JSON infer request body (e.g. read from --payload-file), re-encoded as binary if asked. */
export function payloadsFromRequestBody(body: unknown, encoding: PayloadEncoding, origin = 'payload'): PayloadSet {
  const parsed = FileRequestBody.safeParse(body);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
    throw new Error(`${origin} is not an infer request body {inputs: [{name, shape, datatype, data}]}: ${problems}`, { cause: parsed.error });
  }
  const { inputs, ...extra } = parsed.data;
  const tensors = inputs.map((input) => {
    const values = flatValues(input.data, `${origin}: input '${input.name}'`);
    const expected = elementCount(input.shape);
    if (values.length !== expected) {
      throw new Error(`${origin}: input '${input.name}' has shape [${input.shape.join(', ')}] (${expected} elements) but ${values.length} data values`);
    }
    return { name: input.name, shape: input.shape, datatype: input.datatype, values };
  });
  const payload = encoding === 'json' ? { body: Buffer.from(JSON.stringify(body)), headers: { 'content-type': 'application/json' } } : inferRequestBody(tensors, encoding, extra);
  return { encoding, source: 'file', inputs: tensors.map(({ name, shape, datatype }) => ({ name, shape, datatype })), variants: [payload] };
}

export async function readPayloadFile(path: string, encoding: PayloadEncoding): Promise<PayloadSet> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read payload file '${path}': ${(err as Error).message}`, { cause: err });
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    throw new Error(`payload file '${path}' is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  return payloadsFromRequestBody(body, encoding, `payload file '${path}'`);
}

/** No body at all (e.g. GET of a health endpoint). */
export function emptyPayloadSet(): PayloadSet {
  return { encoding: 'none', source: 'none', inputs: [], variants: [] };
}

/** A file sent byte for byte, for an endpoint that is not an OIP infer endpoint; JSON is labelled as such. */
export async function readRawPayloadFile(path: string): Promise<PayloadSet> {
  let body: Buffer;
  try {
    body = await readFile(path);
  } catch (err) {
    throw new Error(`cannot read payload file '${path}': ${(err as Error).message}`, { cause: err });
  }
  let json = true;
  try {
    JSON.parse(body.toString('utf8'));
  } catch {
    json = false;
  }
  return { encoding: 'raw', source: 'file', inputs: [], variants: [{ body, headers: { 'content-type': json ? 'application/json' : 'application/octet-stream' } }] };
}
