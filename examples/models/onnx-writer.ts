// A minimal protobuf encoder for the subset of onnx.proto (ModelProto and what it contains)
// that the demo models need. Field numbers follow onnx/onnx.proto.

/** TensorProto.DataType values. */
export const DataType = {
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  INT32: 6,
  INT64: 7,
} as const;
export type DataTypeCode = (typeof DataType)[keyof typeof DataType];

/** AttributeProto.AttributeType values. */
const AttributeType = { FLOAT: 1, INT: 2, INTS: 7 } as const;

export type Attribute =
  | { name: string; type: 'float'; value: number }
  | { name: string; type: 'int'; value: number }
  | { name: string; type: 'ints'; value: readonly number[] };

export interface Node {
  opType: string;
  name: string;
  inputs: readonly string[];
  outputs: readonly string[];
  attributes?: readonly Attribute[];
}

export interface Tensor {
  name: string;
  dataType: DataTypeCode;
  dims: readonly number[];
  /** Fixed-width little-endian element bytes, row-major. */
  rawData: Uint8Array;
}

/** A dimension is either fixed (a number) or symbolic (a name such as 'batch'). */
export type Dim = number | string;

export interface ValueInfo {
  name: string;
  elemType: DataTypeCode;
  shape: readonly Dim[];
}

export interface Graph {
  name: string;
  nodes: readonly Node[];
  initializers: readonly Tensor[];
  inputs: readonly ValueInfo[];
  outputs: readonly ValueInfo[];
}

export interface Model {
  irVersion: number;
  opsetVersion: number;
  producerName: string;
  graph: Graph;
}

const WIRE_VARINT = 0;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_FIXED32 = 5;

const textEncoder = new TextEncoder();

/** Appends protobuf fields to a growing list of byte chunks. */
export class ProtoWriter {
  private readonly chunks: Uint8Array[] = [];
  private length = 0;

  private push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.length += bytes.length;
  }

  /** Base-128 varint; negative values are written as 64-bit two's complement (10 bytes), as int64 requires. */
  varint(value: number | bigint): this {
    let v = typeof value === 'bigint' ? value : toBigInt(value);
    if (v < 0n) v = BigInt.asUintN(64, v);
    if (v >= 1n << 64n) throw new RangeError(`varint value ${value} does not fit in 64 bits`);
    const bytes: number[] = [];
    do {
      let byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v !== 0n) byte |= 0x80;
      bytes.push(byte);
    } while (v !== 0n);
    this.push(Uint8Array.from(bytes));
    return this;
  }

  private tag(field: number, wireType: number): void {
    this.varint((field << 3) | wireType);
  }

  int64(field: number, value: number | bigint): this {
    this.tag(field, WIRE_VARINT);
    return this.varint(value);
  }

  float(field: number, value: number): this {
    this.tag(field, WIRE_FIXED32);
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    this.push(bytes);
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, WIRE_LENGTH_DELIMITED);
    this.varint(value.length);
    this.push(value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, textEncoder.encode(value));
  }

  message(field: number, encoded: Uint8Array): this {
    return this.bytes(field, encoded);
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }
}

function toBigInt(value: number): bigint {
  if (!Number.isSafeInteger(value)) throw new RangeError(`expected a safe integer, got ${value}`);
  return BigInt(value);
}

export function encodeAttribute(attr: Attribute): Uint8Array {
  const w = new ProtoWriter().string(1, attr.name);
  switch (attr.type) {
    case 'float':
      w.float(2, attr.value).int64(20, AttributeType.FLOAT);
      break;
    case 'int':
      w.int64(3, attr.value).int64(20, AttributeType.INT);
      break;
    case 'ints':
      for (const v of attr.value) w.int64(8, v);
      w.int64(20, AttributeType.INTS);
      break;
  }
  return w.finish();
}

export function encodeNode(node: Node): Uint8Array {
  const w = new ProtoWriter();
  for (const input of node.inputs) w.string(1, input);
  for (const output of node.outputs) w.string(2, output);
  w.string(3, node.name).string(4, node.opType);
  for (const attr of node.attributes ?? []) w.message(5, encodeAttribute(attr));
  return w.finish();
}

export function encodeTensor(tensor: Tensor): Uint8Array {
  const w = new ProtoWriter();
  for (const d of tensor.dims) w.int64(1, d);
  w.int64(2, tensor.dataType).string(8, tensor.name).bytes(9, tensor.rawData);
  return w.finish();
}

export function encodeValueInfo(info: ValueInfo): Uint8Array {
  const shape = new ProtoWriter();
  for (const dim of info.shape) {
    const d = new ProtoWriter();
    if (typeof dim === 'number') d.int64(1, dim);
    else d.string(2, dim);
    shape.message(1, d.finish());
  }
  const tensorType = new ProtoWriter().int64(1, info.elemType).message(2, shape.finish()).finish();
  const type = new ProtoWriter().message(1, tensorType).finish();
  return new ProtoWriter().string(1, info.name).message(2, type).finish();
}

export function encodeGraph(graph: Graph): Uint8Array {
  const w = new ProtoWriter();
  for (const node of graph.nodes) w.message(1, encodeNode(node));
  w.string(2, graph.name);
  for (const tensor of graph.initializers) w.message(5, encodeTensor(tensor));
  for (const input of graph.inputs) w.message(11, encodeValueInfo(input));
  for (const output of graph.outputs) w.message(12, encodeValueInfo(output));
  return w.finish();
}

export function encodeModel(model: Model): Uint8Array {
  const opset = new ProtoWriter().string(1, '').int64(2, model.opsetVersion).finish();
  return new ProtoWriter()
    .int64(1, model.irVersion)
    .string(2, model.producerName)
    .message(7, encodeGraph(model.graph))
    .message(8, opset)
    .finish();
}

// --- tensor constructors -------------------------------------------------

function elementCount(name: string, dims: readonly number[]): number {
  for (const d of dims) {
    if (!Number.isSafeInteger(d) || d < 0) throw new RangeError(`tensor '${name}': dims must be non-negative integers, got [${dims.join(', ')}]`);
  }
  return dims.reduce((a, b) => a * b, 1);
}

function checkLength(name: string, dims: readonly number[], length: number): void {
  const expected = elementCount(name, dims);
  if (length !== expected) {
    throw new RangeError(`tensor '${name}': dims [${dims.join(', ')}] need ${expected} values, got ${length}`);
  }
}

export function floatTensor(name: string, dims: readonly number[], values: Float32Array): Tensor {
  checkLength(name, dims, values.length);
  const raw = new Uint8Array(values.length * 4);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
  return { name, dataType: DataType.FLOAT, dims: [...dims], rawData: raw };
}

export function int64Tensor(name: string, dims: readonly number[], values: readonly number[]): Tensor {
  checkLength(name, dims, values.length);
  const raw = new Uint8Array(values.length * 8);
  const view = new DataView(raw.buffer);
  values.forEach((v, i) => view.setBigInt64(i * 8, toBigInt(v), true));
  return { name, dataType: DataType.INT64, dims: [...dims], rawData: raw };
}

// --- attribute constructors ----------------------------------------------

export const intAttr = (name: string, value: number): Attribute => ({ name, type: 'int', value });
export const intsAttr = (name: string, value: readonly number[]): Attribute => ({ name, type: 'ints', value });
export const floatAttr = (name: string, value: number): Attribute => ({ name, type: 'float', value });
