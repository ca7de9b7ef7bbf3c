// Open Inference Protocol v2 request/response codec: JSON tensors and the binary tensor extension.
import { datatypeInfo, elementCount, supportedDatatypes, type DatatypeInfo, type NamedTensors, type Tensor, type TypedArray } from './datatypes.js';
import type { NumberArray } from './json-body.js';
import { formatShape, type ModelSignature, type TensorSpec } from './model-signature.js';
import { bytesElementsProblem, encodeBytesElements, isWellFormedText } from './text/bytes-elements.js';

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

/** The one version of its model this server serves: what metadata lists and responses report. */
export const modelVersion = '1';

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

/** A JSON input's `data` as parseJsonBody delivers it: a flat array of plain numbers comes as a NumberArray. */
type JsonData = unknown[] | NumberArray;

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

/** A value as an error message shows it: never the contents of an array or object, which may be huge or deep. */
function describe(v: unknown): string {
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object' && v !== null) return 'an object';
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** How deep the first elements of `data` nest, counting no further than `limit`. */
function nestingDepth(data: unknown[], limit: number): number {
  let depth = 0;
  for (let v: unknown = data; Array.isArray(v) && depth < limit; v = v[0]) depth++;
  return depth;
}

/** `data[i][j]…` for entry `k` of the arrays `depth` levels down a tensor of `shape`. */
function entryPath(k: number, depth: number, shape: readonly number[]): string {
  let path = '';
  for (let d = depth - 1; d >= 0; d--) {
    path = `[${k % shape[d]}]${path}`;
    k = Math.floor(k / shape[d]);
  }
  return `data${path}`;
}

/**
 * The innermost arrays of `data` in row-major order (`data` itself when flat). `data` is flat, or nested exactly as
 * the shape: one level per dimension, each as long as its dimension. Walked level by level, so no nesting depth can
 * overflow the stack.
 */
function rowsOf(name: string, data: JsonData, shape: readonly number[]): ArrayLike<unknown>[] {
  if (data instanceof Float64Array) return [data];
  const depth = nestingDepth(data, shape.length + 1);
  if (depth === 1) return [data];
  const advice = 'nest it exactly as the shape, or send it flat (row-major)';
  if (depth > shape.length) throw new RequestError(`input '${name}': data is nested deeper than shape ${formatShape(shape)}; ${advice}`);
  if (depth < shape.length) {
    throw new RequestError(`input '${name}': data is nested ${depth} deep, but shape ${formatShape(shape)} has ${shape.length} dimensions; ${advice}`);
  }
  let level: unknown[] = [data];
  for (let d = 0; d < shape.length; d++) {
    for (let k = 0; k < level.length; k++) {
      const entry = level[k];
      if (!Array.isArray(entry)) {
        throw new RequestError(`input '${name}': ${entryPath(k, d, shape)} is ${describe(entry)}, where shape ${formatShape(shape)} needs an array of ${shape[d]}`);
      }
      if (entry.length !== shape[d]) {
        throw new RequestError(`input '${name}': ${entryPath(k, d, shape)} has ${entry.length} entries where shape ${formatShape(shape)} needs ${shape[d]}`);
      }
    }
    if (d === shape.length - 1) break;
    const next: unknown[] = [];
    for (const entry of level as unknown[][]) for (let i = 0; i < entry.length; i++) next.push(entry[i]);
    level = next;
  }
  return level as unknown[][];
}

/** An element the fast check refused: BOOL's true or false as 1 or 0; anything else is an error naming element `i`. */
function elementValue(raw: RawInput, info: DatatypeInfo, v: unknown, i: number): number {
  if (info.datatype === 'BOOL' && typeof v === 'boolean') return v ? 1 : 0;
  const at = `input '${raw.name}': data[${i}] is ${describe(v)}`;
  const expected = info.datatype === 'BOOL' ? 'true, false, 0 or 1' : info.integer ? 'an integer' : 'a number';
  if (typeof v !== 'number' || (info.integer && !Number.isInteger(v) && Number.isFinite(v))) throw new RequestError(`${at}, expected ${expected}`);
  // Beyond 2^53 JSON numbers are inexact: exact 64-bit values need the binary form.
  const hint = info.bigint ? '; send exact 64-bit integers with the binary tensor extension' : '';
  throw new RequestError(`${at}, outside ${info.datatype}'s range ${info.range}${hint}`);
}

/** BYTES elements sent as JSON strings, in their binary form (4-byte little-endian length, then UTF-8). */
function bytesFromJson(raw: RawInput, rows: ArrayLike<unknown>[]): Uint8Array {
  const texts: string[] = [];
  for (const row of rows) {
    for (let j = 0; j < row.length; j++) {
      const v = row[j];
      const at = `input '${raw.name}': data[${texts.length}]`;
      if (typeof v !== 'string') throw new RequestError(`${at} is ${describe(v)}, expected a string`);
      if (!isWellFormedText(v)) throw new RequestError(`${at} holds a lone surrogate (such as \\ud800), which is not valid UTF-8 text`);
      texts.push(v);
    }
  }
  return encodeBytesElements(texts);
}

function tensorFromJson(raw: RawInput): TypedArray {
  if (!Array.isArray(raw.data) && !(raw.data instanceof Float64Array)) throw new RequestError(`input '${raw.name}': data must be an array (or use the binary tensor extension)`);
  const rows = rowsOf(raw.name, raw.data, raw.shape);
  const count = elementCount(raw.shape);
  const received = rows.reduce((n, row) => n + row.length, 0);
  if (received !== count) {
    throw new RequestError(`input '${raw.name}': shape ${formatShape(raw.shape)} needs ${count} elements, data has ${received}`);
  }
  if (raw.datatype === 'BYTES') return bytesFromJson(raw, rows);
  const info = datatypeInfo(raw.datatype)!;
  const out = new info.array(count);
  const { lowest, highest, integer } = info;
  const data = raw.data;
  if (data instanceof Float64Array && !info.bigint) {
    // The hot path for large bodies: parseJsonBody's numbers pass a range check, then one typed copy converts them all.
    for (let k = 0; k < data.length; k++) {
      const v = data[k];
      if (!(v >= lowest && v <= highest && (!integer || Number.isInteger(v)))) elementValue(raw, info, v, k);
    }
    (out as Float32Array).set(data);
    return out;
  }
  // One type test and two comparisons per element; anything else goes to elementValue.
  let i = 0;
  if (info.bigint) {
    const big = out as BigInt64Array;
    for (const row of rows) {
      for (let j = 0; j < row.length; j++, i++) {
        const v = row[j];
        big[i] = BigInt(typeof v === 'number' && v >= lowest && v <= highest && Number.isInteger(v) ? v : elementValue(raw, info, v, i));
      }
    }
  } else {
    const numbers = out as Float32Array;
    for (const row of rows) {
      for (let j = 0; j < row.length; j++, i++) {
        const v = row[j];
        numbers[i] = typeof v === 'number' && v >= lowest && v <= highest && (!integer || Number.isInteger(v)) ? v : elementValue(raw, info, v, i);
      }
    }
  }
  return out;
}

function tensorFromBytes(raw: RawInput, bytes: Buffer): TypedArray {
  const count = elementCount(raw.shape);
  if (raw.datatype === 'BYTES') {
    const problem = bytesElementsProblem(bytes, count, (i) => `element ${i}`);
    if (problem) throw new RequestError(`input '${raw.name}' (BYTES, shape ${formatShape(raw.shape)}): ${problem}`);
    // A copy into a buffer of its own, transferable to a worker thread.
    return new Uint8Array(bytes);
  }
  const info = datatypeInfo(raw.datatype)!;
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
    if (outputs.includes(name)) throw new RequestError(`output '${name}' is requested more than once`);
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
  if (body.id !== undefined && typeof body.id !== 'string') throw new RequestError(`'id' must be a string, got ${describe(body.id)}`);
  const raws = readRawInputs(body);
  const specs = new Map(signature.inputs.map((s) => [s.name, s]));
  // No prototype: an input named 'toString' or '__proto__' is an ordinary key, never an inherited one.
  const inputs: NamedTensors = Object.create(null);
  for (const raw of raws) {
    if (Object.hasOwn(inputs, raw.name)) throw new RequestError(`input '${raw.name}' appears more than once`);
    if (!supportedDatatypes.includes(raw.datatype) && raw.datatype !== specs.get(raw.name)?.datatype) {
      throw new RequestError(`input '${raw.name}': datatype ${raw.datatype} is not supported (supported: ${supportedDatatypes.join(', ')})`);
    }
    checkAgainstModel(raw, specs.get(raw.name), signature);
    inputs[raw.name] = { datatype: raw.datatype, shape: raw.shape, data: tensorOf(raw) };
  }
  const missing = signature.inputs.filter((s) => !Object.hasOwn(inputs, s.name)).map((s) => s.name);
  if (missing.length > 0) throw new RequestError(`missing input${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`);
  const rows = consistentRows(inputs, signature);
  return { id: body.id as string | undefined, inputs, rows, ...readOutputSelection(body, signature) };
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

/** The Inference-Header-Content-Length header's value: a plain decimal integer, nothing that merely converts to one. */
export function readHeaderLength(value: string | string[]): number {
  if (typeof value !== 'string' || !/^[0-9]+$/.test(value)) {
    const got = describe(Array.isArray(value) ? value.join(', ') : value);
    throw new RequestError(`Inference-Header-Content-Length must be the JSON header's length in bytes, a decimal integer such as 113; got ${got}`);
  }
  return Number(value);
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

/**
 * A tensor's elements as a JSON array. Non-finite floats are written as the bare tokens NaN, Infinity and -Infinity,
 * as Triton's JSON writer does (tritonclient and Python's json read them); 64-bit integers are written exactly.
 */
function jsonArray(data: TypedArray): string {
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) return `[${data.join(',')}]`;
  const numbers = data as Float32Array;
  // JSON.stringify is three times faster than join on large arrays, but writes non-finite values as null.
  for (let i = 0; i < numbers.length; i++) {
    if (!Number.isFinite(numbers[i])) return `[${Array.from(numbers, String).join(',')}]`;
  }
  return JSON.stringify(Array.from(numbers));
}

/** A JSON object from its members' names and their JSON texts, in order. */
function jsonObject(members: [string, string][]): string {
  return `{${members.map(([name, json]) => `${JSON.stringify(name)}:${json}`).join(',')}}`;
}

export interface EncodedResponse {
  body: string | Buffer;
  contentType: string;
  /** Set for the binary extension: the length of the JSON header at the start of the body. */
  headerLength?: number;
}

/** What an answer needs of its request: which outputs, which of them binary, and the id to echo. */
export type AnswerShape = Pick<InferRequest, 'id' | 'outputs' | 'binaryOutputs'>;

export function encodeResponse(modelName: string, request: AnswerShape, outputs: NamedTensors): EncodedResponse {
  const binaries: Buffer[] = [];
  const described = request.outputs.map((name) => {
    const t: Tensor = outputs[name];
    const head: [string, string][] = [['name', JSON.stringify(name)], ['datatype', JSON.stringify(t.datatype)], ['shape', JSON.stringify(t.shape)]];
    if (!request.binaryOutputs.has(name)) return jsonObject([...head, ['data', jsonArray(t.data)]]);
    const bytes = Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    binaries.push(bytes);
    return jsonObject([...head, ['parameters', JSON.stringify({ binary_data_size: bytes.byteLength })]]);
  });
  const id: [string, string][] = request.id === undefined ? [] : [['id', JSON.stringify(request.id)]];
  const json = jsonObject([
    ['model_name', JSON.stringify(modelName)],
    ['model_version', JSON.stringify(modelVersion)],
    ...id,
    ['outputs', `[${described.join(',')}]`],
  ]);
  if (binaries.length === 0) return { body: json, contentType: 'application/json; charset=utf-8' };
  const header = Buffer.from(json, 'utf8');
  return { body: Buffer.concat([header, ...binaries]), contentType: 'application/octet-stream', headerLength: header.byteLength };
}
