// Tensor element values for Open Inference Protocol v2 datatypes: seeded random values and their binary encoding.
import { DEFAULT_TEXT_WORDS, wordRange } from '../contracts/bench-options.js';
import { encodeBytesElements } from '../server/text/bytes-elements.js';
import { seededSentence, type SentenceLengths } from './sentences.js';

export type TensorValue = number | boolean | string;

interface DatatypeTraits {
  /** Bytes per element in the binary tensor extension; 0 for BYTES (length-prefixed). */
  size: number;
  kind: 'float' | 'int' | 'bool' | 'bytes';
  write?: (view: DataView, offset: number, value: number) => void;
}

const traits: Record<string, DatatypeTraits> = {
  FP16: { size: 2, kind: 'float', write: (v, o, x) => v.setUint16(o, float16Bits(x), true) },
  FP32: { size: 4, kind: 'float', write: (v, o, x) => v.setFloat32(o, x, true) },
  FP64: { size: 8, kind: 'float', write: (v, o, x) => v.setFloat64(o, x, true) },
  INT8: { size: 1, kind: 'int', write: (v, o, x) => v.setInt8(o, x) },
  INT16: { size: 2, kind: 'int', write: (v, o, x) => v.setInt16(o, x, true) },
  INT32: { size: 4, kind: 'int', write: (v, o, x) => v.setInt32(o, x, true) },
  INT64: { size: 8, kind: 'int', write: (v, o, x) => v.setBigInt64(o, BigInt(x), true) },
  UINT8: { size: 1, kind: 'int', write: (v, o, x) => v.setUint8(o, x) },
  UINT16: { size: 2, kind: 'int', write: (v, o, x) => v.setUint16(o, x, true) },
  UINT32: { size: 4, kind: 'int', write: (v, o, x) => v.setUint32(o, x, true) },
  UINT64: { size: 8, kind: 'int', write: (v, o, x) => v.setBigUint64(o, BigInt(x), true) },
  BOOL: { size: 1, kind: 'bool' },
  BYTES: { size: 0, kind: 'bytes' },
};

export const supportedDatatypes: readonly string[] = Object.keys(traits);

/** Largest tensor the generator builds, so a wrong shape fails fast instead of exhausting memory. */
export const maxElementsPerTensor = 1 << 24;

function traitsOf(datatype: string): DatatypeTraits {
  const t = traits[datatype];
  if (!t) throw new Error(`datatype '${datatype}' is not supported (supported: ${supportedDatatypes.join(', ')})`);
  return t;
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

const defaultSentenceLengths: SentenceLengths = wordRange(DEFAULT_TEXT_WORDS)!;

/**
 * Seeded values of the right kind: floats in [-1, 1) with 4 decimals (identical in JSON and binary),
 * integers in [0, 100) (valid for most index-like inputs), booleans, and sentences of `lengths` words for BYTES
 * (text models' input).
 */
export function randomValues(datatype: string, count: number, random: () => number, lengths = defaultSentenceLengths): TensorValue[] {
  const { kind } = traitsOf(datatype);
  if (count > maxElementsPerTensor) {
    throw new Error(`a tensor of ${count} elements is larger than the generator builds (${maxElementsPerTensor}); check the shape`);
  }
  const values = new Array<TensorValue>(count);
  for (let i = 0; i < count; i++) {
    const r = random();
    if (kind === 'float') values[i] = Math.round((r * 2 - 1) * 1e4) / 1e4;
    else if (kind === 'int') values[i] = Math.floor(r * 100);
    else if (kind === 'bool') values[i] = r < 0.5;
    else values[i] = seededSentence(random, lengths);
  }
  return values;
}

/** Little-endian bytes of the values, as the binary tensor extension carries them. */
export function encodeBinary(datatype: string, values: readonly TensorValue[]): Buffer {
  const t = traitsOf(datatype);
  if (t.kind === 'bytes') {
    const bytes = encodeBytesElements(values.map(String));
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  const out = Buffer.alloc(values.length * t.size);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (t.kind === 'bool') {
      out[i] = v === true || v === 1 ? 1 : 0;
      continue;
    }
    if (typeof v !== 'number') throw new Error(`element ${i} of a ${datatype} tensor is ${JSON.stringify(v)}, expected a number`);
    t.write!(view, i * t.size, v);
  }
  return out;
}

/** IEEE 754 half-precision bits of a number (round to nearest, overflow to infinity). */
export function float16Bits(value: number): number {
  const f32 = new Float32Array([value]);
  const x = new Uint32Array(f32.buffer)[0];
  const sign = (x >>> 16) & 0x8000;
  const exponent = ((x >>> 23) & 0xff) - 127 + 15;
  const mantissa = x & 0x7fffff;
  if (((x >>> 23) & 0xff) === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  if (exponent >= 0x1f) return sign | 0x7c00;
  if (exponent <= 0) {
    if (exponent < -10) return sign;
    const m = (mantissa | 0x800000) >> (1 - exponent);
    return sign | ((m + 0x1000) >> 13);
  }
  return sign | ((exponent << 10) + ((mantissa + 0x1000) >> 13));
}
