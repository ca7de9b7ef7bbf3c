import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DataType,
  ProtoWriter,
  encodeAttribute,
  encodeModel,
  encodeTensor,
  encodeValueInfo,
  floatTensor,
  int64Tensor,
  intsAttr,
  floatAttr,
} from './onnx-writer.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/** Reads the top-level (field number, wire type) pairs of a message, skipping over values. */
function topLevelFields(bytes: Uint8Array): Array<[number, number]> {
  const fields: Array<[number, number]> = [];
  let pos = 0;
  const readVarint = (): bigint => {
    let result = 0n;
    for (let shift = 0n; ; shift += 7n) {
      const byte = bytes[pos++];
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
    }
  };
  while (pos < bytes.length) {
    const key = Number(readVarint());
    const [field, wire] = [key >> 3, key & 7];
    fields.push([field, wire]);
    if (wire === 0) readVarint();
    else if (wire === 2) {
      const length = Number(readVarint());
      pos += length;
    }
    else if (wire === 5) pos += 4;
    else throw new Error(`unexpected wire type ${wire}`);
  }
  assert.equal(pos, bytes.length, 'message ends exactly at a field boundary');
  return fields;
}

describe('ProtoWriter', () => {
  it('encodes varints as base-128, least significant group first', () => {
    assert.equal(hex(new ProtoWriter().varint(0).finish()), '00');
    assert.equal(hex(new ProtoWriter().varint(1).finish()), '01');
    assert.equal(hex(new ProtoWriter().varint(127).finish()), '7f');
    assert.equal(hex(new ProtoWriter().varint(300).finish()), 'ac02');
    assert.equal(hex(new ProtoWriter().varint(2 ** 35).finish()), '8080808080' + '01');
  });

  it('encodes negative int64 as ten-byte two’s complement', () => {
    assert.equal(hex(new ProtoWriter().varint(-1).finish()), 'ffffffffffffffffff01');
    assert.equal(hex(new ProtoWriter().varint(-2).finish()), 'feffffffffffffffff01');
  });

  it('rejects values that are not safe integers', () => {
    assert.throws(() => new ProtoWriter().varint(1.5), /safe integer, got 1.5/);
  });

  it('writes tags, length-delimited strings and little-endian fixed32 floats', () => {
    assert.equal(hex(new ProtoWriter().string(2, 'ab').finish()), '12026162');
    assert.equal(hex(new ProtoWriter().float(2, 1).finish()), '150000803f');
    assert.equal(hex(new ProtoWriter().int64(20, 7).finish()), 'a00107');
  });
});

describe('ONNX messages', () => {
  it('encodes an INTS attribute as name, repeated ints (field 8) and type INTS (7)', () => {
    assert.equal(hex(encodeAttribute(intsAttr('p', [1, 2]))), '0a0170' + '4001' + '4002' + 'a00107');
  });

  it('encodes a FLOAT attribute in field 2 with type FLOAT (1)', () => {
    assert.equal(hex(encodeAttribute(floatAttr('a', 0.5))), '0a0161' + '150000003f' + 'a00101');
  });

  it('encodes a tensor as dims, data_type, name and little-endian raw_data', () => {
    const tensor = int64Tensor('s', [2], [-1, 3]);
    assert.equal(
      hex(encodeTensor(tensor)),
      '0802' + '1007' + '420173' + '4a10' + 'ffffffffffffffff' + '0300000000000000',
    );
    assert.equal(hex(floatTensor('f', [1], Float32Array.of(1)).rawData), '0000803f');
  });

  it('rejects tensors whose dims do not match their data, naming the tensor', () => {
    assert.throws(() => floatTensor('w', [2, 3], new Float32Array(5)), /tensor 'w': dims \[2, 3\] need 6 values, got 5/);
    assert.throws(() => int64Tensor('bad', [-1], []), /tensor 'bad': dims must be non-negative integers/);
  });

  it('encodes symbolic and fixed dimensions as dim_param and dim_value', () => {
    const bytes = encodeValueInfo({ name: 'x', elemType: DataType.FLOAT, shape: ['batch', 4] });
    // ValueInfo{name=x, type{tensor_type{elem_type=1, shape{dim{dim_param=batch}, dim{dim_value=4}}}}}
    assert.equal(hex(bytes), '0a0178' + '1213' + '0a11' + '0801' + '120d' + '0a07' + '12056261746368' + '0a02' + '0804');
  });

  it('lays out ModelProto as ir_version, producer_name, graph, opset_import', () => {
    const bytes = encodeModel({
      irVersion: 8,
      opsetVersion: 17,
      producerName: 'p',
      graph: { name: 'g', nodes: [], initializers: [], inputs: [], outputs: [] },
    });
    assert.deepEqual(topLevelFields(bytes), [
      [1, 0],
      [2, 2],
      [7, 2],
      [8, 2],
    ]);
    assert.equal(hex(bytes.subarray(0, 2)), '0808');
    assert.equal(hex(bytes.subarray(bytes.length - 6)), '42040a001011', 'opset_import{domain="", version=17}');
  });
});
