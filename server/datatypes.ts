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
  /** The smallest and largest JSON number an element may hold. */
  readonly lowest: number;
  readonly highest: number;
  /** The range as a user reads it: exact, where `highest` is only the largest double within it. */
  readonly range: string;
}

type Bounds = Pick<DatatypeInfo, 'lowest' | 'highest' | 'range'>;

const bounds = (lowest: number, highest: number, range = `${lowest} to ${highest}`): Bounds => ({ lowest, highest, range });
const float32Max = 3.4028234663852886e38;
// The largest double that still rounds to a finite float32 (to float32Max), such as the shortest form 3.4028235e38.
const float32Limit = 2 ** 128 - 2 ** 103 - 2 ** 75;

const table: DatatypeInfo[] = [
  { datatype: 'FP32', ortType: 'float32', array: Float32Array, bigint: false, integer: false, ...bounds(-float32Limit, float32Limit, `${-float32Max} to ${float32Max}`) },
  { datatype: 'FP64', ortType: 'float64', array: Float64Array, bigint: false, integer: false, ...bounds(-Number.MAX_VALUE, Number.MAX_VALUE) },
  { datatype: 'INT8', ortType: 'int8', array: Int8Array, bigint: false, integer: true, ...bounds(-128, 127) },
  { datatype: 'INT16', ortType: 'int16', array: Int16Array, bigint: false, integer: true, ...bounds(-32768, 32767) },
  { datatype: 'INT32', ortType: 'int32', array: Int32Array, bigint: false, integer: true, ...bounds(-(2 ** 31), 2 ** 31 - 1) },
  // 2^63 - 1 and 2^64 - 1 are not doubles: the largest doubles below them (one step of 1024 and 2048) bound a JSON number.
  { datatype: 'INT64', ortType: 'int64', array: BigInt64Array, bigint: true, integer: true, ...bounds(-(2 ** 63), 2 ** 63 - 1024, '-9223372036854775808 to 9223372036854775807') },
  { datatype: 'UINT8', ortType: 'uint8', array: Uint8Array, bigint: false, integer: true, ...bounds(0, 255) },
  { datatype: 'UINT16', ortType: 'uint16', array: Uint16Array, bigint: false, integer: true, ...bounds(0, 65535) },
  { datatype: 'UINT32', ortType: 'uint32', array: Uint32Array, bigint: false, integer: true, ...bounds(0, 2 ** 32 - 1) },
  { datatype: 'UINT64', ortType: 'uint64', array: BigUint64Array, bigint: true, integer: true, ...bounds(0, 2 ** 64 - 2048, '0 to 18446744073709551615') },
  { datatype: 'BOOL', ortType: 'bool', array: Uint8Array, bigint: false, integer: true, ...bounds(0, 1) },
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
