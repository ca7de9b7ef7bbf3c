// Open Inference Protocol v2 datatypes and their onnxruntime / JavaScript counterparts.
export type TypedArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigUint64Array;

type TypedArrayConstructor = {
  new (length: number): TypedArray;
  new (buffer: ArrayBuffer, byteOffset?: number, length?: number): TypedArray;
  readonly BYTES_PER_ELEMENT: number;
};

export interface DatatypeInfo {
  /** Name in the Open Inference Protocol (KServe v2, Triton). */
  readonly datatype: string;
  /** Name of the same element type in onnxruntime's Tensor. */
  readonly ortType: string;
  readonly array: TypedArrayConstructor;
  /** Elements are bigint in JavaScript; JSON carries them as numbers. */
  readonly bigint: boolean;
  readonly integer: boolean;
}

const table: DatatypeInfo[] = [
  { datatype: 'FP32', ortType: 'float32', array: Float32Array, bigint: false, integer: false },
  { datatype: 'FP64', ortType: 'float64', array: Float64Array, bigint: false, integer: false },
  { datatype: 'INT8', ortType: 'int8', array: Int8Array, bigint: false, integer: true },
  { datatype: 'INT16', ortType: 'int16', array: Int16Array, bigint: false, integer: true },
  { datatype: 'INT32', ortType: 'int32', array: Int32Array, bigint: false, integer: true },
  { datatype: 'INT64', ortType: 'int64', array: BigInt64Array, bigint: true, integer: true },
  { datatype: 'UINT8', ortType: 'uint8', array: Uint8Array, bigint: false, integer: true },
  { datatype: 'UINT16', ortType: 'uint16', array: Uint16Array, bigint: false, integer: true },
  { datatype: 'UINT32', ortType: 'uint32', array: Uint32Array, bigint: false, integer: true },
  { datatype: 'UINT64', ortType: 'uint64', array: BigUint64Array, bigint: true, integer: true },
  { datatype: 'BOOL', ortType: 'bool', array: Uint8Array, bigint: false, integer: true },
];

const byDatatype = new Map(table.map((t) => [t.datatype, t]));
const byOrtType = new Map(table.map((t) => [t.ortType, t]));

export const supportedDatatypes: readonly string[] = table.map((t) => t.datatype);

export function datatypeInfo(datatype: string): DatatypeInfo | undefined {
  return byDatatype.get(datatype);
}

export function datatypeOfOrtType(ortType: string): DatatypeInfo | undefined {
  return byOrtType.get(ortType);
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

/** A tensor as it travels between HTTP, the scheduler and the workers. */
export interface Tensor {
  readonly datatype: string;
  readonly shape: number[];
  readonly data: TypedArray;
}

export type NamedTensors = Record<string, Tensor>;

/** True when the view owns its whole ArrayBuffer, so the buffer can be transferred to another thread. */
export function ownsBuffer(data: TypedArray): boolean {
  return data.byteOffset === 0 && data.byteLength === data.buffer.byteLength && data.buffer instanceof ArrayBuffer;
}

/** The same elements in a buffer of their own (a copy only when the view shares its buffer). */
export function ownedCopy(data: TypedArray): TypedArray {
  if (ownsBuffer(data)) return data;
  const Ctor = data.constructor as TypedArrayConstructor;
  const copy = new Ctor(data.length);
  (copy as Float32Array).set(data as Float32Array);
  return copy;
}
