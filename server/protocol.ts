// Open Inference Protocol v2 request/response codec: JSON tensors and the binary tensor extension.
import { datatypeInfo, elementCount, supportedDatatypes, type NamedTensors, type Tensor, type TypedArray } from './datatypes.js';
import { formatShape, type ModelSignature, type TensorSpec } from './model-signature.js';

/** A client error: the message says what was wrong with the request and what the model expects. */
export class RequestError extends Error {
  constructor(
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
    this.name = 'RequestError';
  }
}

export interface InferRequest {
  id?: string;
  inputs: NamedTensors;
  /** Size of the first dimension shared by all inputs (1 for models without a batch dimension). */
  rows: number;
  /** Output names to return, in order. */
  outputs: string[];
  /** Output names to return as binary data. */
  binaryOutputs: Set<string>;
}

interface RawInput {
  name: string;
  shape: number[];
  datatype: string;
  data?: unknown;
  binarySize?: number;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function readRawInputs(body: Record<string, unknown>): RawInput[] {
  const inputs = body.inputs;
  if (!Array.isArray(inputs) || inputs.length === 0) throw new RequestError("request body needs 'inputs', a non-empty array");
  return inputs.map((input, i) => {
    if (!isRecord(input)) throw new RequestError(`inputs[${i}] must be an object with name, shape, datatype and data`);
    const { name, shape, datatype, data, parameters } = input;
    if (typeof name !== 'string' || name === '') throw new RequestError(`inputs[${i}].name must be a non-empty string`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new RequestError(`input '${name}': shape must be an array of non-negative integers`);
    }
    if (typeof datatype !== 'string') throw new RequestError(`input '${name}': datatype must be a string such as FP32`);
    const binarySize = isRecord(parameters) ? parameters.binary_data_size : undefined;
    if (binarySize !== undefined && !(Number.isInteger(binarySize) && (binarySize as number) >= 0)) {
      throw new RequestError(`input '${name}': parameters.binary_data_size must be a non-negative integer`);
    }
    return { name, shape: shape as number[], datatype, data, binarySize: binarySize as number | undefined };
  });
}

function checkAgainstModel(raw: RawInput, spec: TensorSpec | undefined, signature: ModelSignature): void {
  if (!spec) {
    const names = signature.inputs.map((s) => s.name).join(', ');
    throw new RequestError(`unknown input '${raw.name}'; the model's inputs are: ${names}`);
  }
  if (raw.datatype !== spec.datatype) {
    throw new RequestError(`input '${raw.name}': datatype ${raw.datatype} does not match the model's ${spec.datatype}`);
  }
  const fits = raw.shape.length === spec.shape.length && spec.shape.every((d, i) => d === -1 || d === raw.shape[i]);
  if (!fits) {
    throw new RequestError(
      `input '${raw.name}': shape ${formatShape(raw.shape)} does not match the model's ${formatShape(spec.shape)} (-1 = any size)`,
    );
  }
  if (raw.shape.some((d) => d === 0)) throw new RequestError(`input '${raw.name}': shape ${formatShape(raw.shape)} has no elements`);
}

function flatten(data: unknown[]): unknown[] {
  return data.length > 0 && Array.isArray(data[0]) ? (data as unknown[]).flat(Infinity) : data;
}

function tensorFromJson(raw: RawInput): TypedArray {
  const info = datatypeInfo(raw.datatype)!;
  if (!Array.isArray(raw.data)) throw new RequestError(`input '${raw.name}': data must be an array (or use the binary tensor extension)`);
  const values = flatten(raw.data);
  const count = elementCount(raw.shape);
  if (values.length !== count) {
    throw new RequestError(`input '${raw.name}': shape ${formatShape(raw.shape)} needs ${count} elements, data has ${values.length}`);
  }
  const out = new info.array(count);
  const isBool = raw.datatype === 'BOOL';
  for (let i = 0; i < count; i++) {
    let v = values[i];
    if (isBool && typeof v === 'boolean') v = v ? 1 : 0;
    if (typeof v !== 'number' || (info.integer && !Number.isInteger(v))) {
      throw new RequestError(`input '${raw.name}': data[${i}] is ${JSON.stringify(v)}, expected ${info.integer ? 'an integer' : 'a number'}`);
    }
    if (info.bigint) (out as BigInt64Array)[i] = BigInt(v as number);
    else (out as Float32Array)[i] = v as number;
  }
  return out;
}

function tensorFromBytes(raw: RawInput, bytes: Buffer): TypedArray {
  const info = datatypeInfo(raw.datatype)!;
  const count = elementCount(raw.shape);
  const expected = count * info.array.BYTES_PER_ELEMENT;
  if (bytes.byteLength !== expected) {
    throw new RequestError(
      `input '${raw.name}': shape ${formatShape(raw.shape)} of ${raw.datatype} needs ${expected} bytes, binary_data_size is ${bytes.byteLength}`,
    );
  }
  // A copy into a buffer of its own: aligned for the typed array, and transferable to a worker thread.
  const out = new info.array(count);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

function readOutputSelection(body: Record<string, unknown>, signature: ModelSignature): Pick<InferRequest, 'outputs' | 'binaryOutputs'> {
  const allBinary = isRecord(body.parameters) && body.parameters.binary_data_output === true;
  const known = signature.outputs.map((o) => o.name);
  if (body.outputs === undefined) return { outputs: known, binaryOutputs: new Set(allBinary ? known : []) };
  if (!Array.isArray(body.outputs)) throw new RequestError("'outputs' must be an array of {name} objects");
  const outputs: string[] = [];
  const binaryOutputs = new Set<string>();
  for (const o of body.outputs) {
    const name = isRecord(o) ? o.name : undefined;
    if (typeof name !== 'string' || !known.includes(name)) {
      throw new RequestError(`unknown output ${JSON.stringify(name)}; the model's outputs are: ${known.join(', ')}`);
    }
    outputs.push(name);
    const binary = isRecord(o) && isRecord(o.parameters) ? o.parameters.binary_data : undefined;
    if (binary === true || (binary === undefined && allBinary)) binaryOutputs.add(name);
  }
  return { outputs, binaryOutputs };
}

function assemble(
  body: Record<string, unknown>,
  signature: ModelSignature,
  tensorOf: (raw: RawInput) => TypedArray,
): InferRequest {
  const raws = readRawInputs(body);
  const specs = new Map(signature.inputs.map((s) => [s.name, s]));
  const inputs: NamedTensors = {};
  for (const raw of raws) {
    if (raw.name in inputs) throw new RequestError(`input '${raw.name}' appears more than once`);
    if (!supportedDatatypes.includes(raw.datatype)) {
      throw new RequestError(`input '${raw.name}': datatype ${raw.datatype} is not supported (supported: ${supportedDatatypes.join(', ')})`);
    }
    checkAgainstModel(raw, specs.get(raw.name), signature);
    inputs[raw.name] = { datatype: raw.datatype, shape: raw.shape, data: tensorOf(raw) };
  }
  const missing = signature.inputs.filter((s) => !(s.name in inputs)).map((s) => s.name);
  if (missing.length > 0) throw new RequestError(`missing input${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`);
  const rows = consistentRows(inputs, signature);
  const id = typeof body.id === 'string' ? body.id : undefined;
  return { id, inputs, rows, ...readOutputSelection(body, signature) };
}

function consistentRows(inputs: NamedTensors, signature: ModelSignature): number {
  const first = signature.inputs[0];
  const rows = inputs[first.name].shape[0] ?? 1;
  for (const spec of signature.inputs) {
    const r = inputs[spec.name].shape[0] ?? 1;
    if (spec.shape[0] === -1 && r !== rows) {
      throw new RequestError(`inputs disagree on the batch dimension: '${first.name}' has ${rows}, '${spec.name}' has ${r}`);
    }
  }
  return rows;
}

export function decodeJsonRequest(body: unknown, signature: ModelSignature): InferRequest {
  if (!isRecord(body)) throw new RequestError('request body must be a JSON object with an inputs array');
  return assemble(body, signature, (raw) => {
    if (raw.binarySize !== undefined) {
      throw new RequestError(`input '${raw.name}' has binary_data_size but the request has no Inference-Header-Content-Length header`);
    }
    return tensorFromJson(raw);
  });
}

/** The binary tensor extension: a JSON header of `headerLength` bytes, then each binary input's bytes in order. */
export function decodeBinaryRequest(body: Buffer, headerLength: number, signature: ModelSignature): InferRequest {
  if (!Number.isInteger(headerLength) || headerLength <= 0 || headerLength > body.byteLength) {
    throw new RequestError(`Inference-Header-Content-Length is ${headerLength}, but the body has ${body.byteLength} bytes`);
  }
  let header: unknown;
  try {
    header = JSON.parse(body.subarray(0, headerLength).toString('utf8'));
  } catch (err) {
    throw new RequestError(`the first ${headerLength} bytes of the body are not a JSON inference header: ${(err as Error).message}`);
  }
  if (!isRecord(header)) throw new RequestError('the inference header must be a JSON object with an inputs array');
  let offset = headerLength;
  const request = assemble(header, signature, (raw) => {
    if (raw.binarySize === undefined) return tensorFromJson(raw);
    const end = offset + raw.binarySize;
    if (end > body.byteLength) {
      throw new RequestError(`input '${raw.name}': binary_data_size ${raw.binarySize} runs past the end of the body`);
    }
    const bytes = body.subarray(offset, end);
    offset = end;
    return tensorFromBytes(raw, bytes);
  });
  if (offset !== body.byteLength) {
    throw new RequestError(`the body has ${body.byteLength - offset} bytes beyond the inputs' binary_data_size total`);
  }
  return request;
}

function jsonData(data: TypedArray): number[] {
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) return Array.from(data, Number);
  return Array.from(data as Float32Array);
}

export interface EncodedResponse {
  body: string | Buffer;
  contentType: string;
  /** Set for the binary extension: the length of the JSON header at the start of the body. */
  headerLength?: number;
}

export function encodeResponse(modelName: string, request: InferRequest, outputs: NamedTensors): EncodedResponse {
  const binaries: Buffer[] = [];
  const described = request.outputs.map((name) => {
    const t: Tensor = outputs[name];
    if (!request.binaryOutputs.has(name)) return { name, datatype: t.datatype, shape: t.shape, data: jsonData(t.data) };
    const bytes = Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    binaries.push(bytes);
    return { name, datatype: t.datatype, shape: t.shape, parameters: { binary_data_size: bytes.byteLength } };
  });
  const json = JSON.stringify({ model_name: modelName, model_version: '1', ...(request.id ? { id: request.id } : {}), outputs: described });
  if (binaries.length === 0) return { body: json, contentType: 'application/json; charset=utf-8' };
  const header = Buffer.from(json, 'utf8');
  return { body: Buffer.concat([header, ...binaries]), contentType: 'application/octet-stream', headerLength: header.byteLength };
}
