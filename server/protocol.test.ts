import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sliceRows } from './engine/rows.js';
import { decodeBinaryRequest, decodeJsonRequest, encodeResponse, RequestError } from './protocol.js';
import type { ModelSignature } from './model-signature.js';

const audio: ModelSignature = {
  inputs: [{ name: 'audio', datatype: 'FP32', shape: [-1, 4] }],
  outputs: [{ name: 'scores', datatype: 'FP32', shape: [-1, 2] }],
};
const mixed: ModelSignature = {
  inputs: [
    { name: 'ids', datatype: 'INT64', shape: [-1, 2] },
    { name: 'pixels', datatype: 'UINT8', shape: [-1, 3] },
  ],
  outputs: [
    { name: 'summary', datatype: 'FP32', shape: [-1, 3] },
    { name: 'argmax', datatype: 'INT64', shape: [-1] },
  ],
};

function rejects(fn: () => unknown, fragment: RegExp): void {
  assert.throws(fn, (err: unknown) => err instanceof RequestError && err.statusCode === 400 && fragment.test(err.message));
}

function binaryBody(header: object, ...tensors: ArrayBufferView[]): { body: Buffer; headerLength: number } {
  const json = Buffer.from(JSON.stringify(header));
  const parts = tensors.map((t) => Buffer.from(t.buffer, t.byteOffset, t.byteLength));
  return { body: Buffer.concat([json, ...parts]), headerLength: json.byteLength };
}

describe('decodeJsonRequest', () => {
  it('builds typed tensors and the batch size from JSON data, flat or nested', () => {
    const flat = decodeJsonRequest({ inputs: [{ name: 'audio', shape: [2, 4], datatype: 'FP32', data: [1, 2, 3, 4, 5, 6, 7, 8] }] }, audio);
    assert.equal(flat.rows, 2);
    assert.ok(flat.inputs.audio.data instanceof Float32Array);
    assert.deepEqual(Array.from(flat.inputs.audio.data as Float32Array), [1, 2, 3, 4, 5, 6, 7, 8]);
    const nested = decodeJsonRequest({ inputs: [{ name: 'audio', shape: [2, 4], datatype: 'FP32', data: [[1, 2, 3, 4], [5, 6, 7, 8]] }] }, audio);
    assert.deepEqual(Array.from(nested.inputs.audio.data as Float32Array), [1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('converts INT64 data to bigint and keeps every output by default', () => {
    const req = decodeJsonRequest(
      { id: 'r1', inputs: [{ name: 'ids', shape: [1, 2], datatype: 'INT64', data: [7, -3] }, { name: 'pixels', shape: [1, 3], datatype: 'UINT8', data: [0, 128, 255] }] },
      mixed,
    );
    assert.deepEqual(Array.from(req.inputs.ids.data as BigInt64Array), [7n, -3n]);
    assert.deepEqual(req.outputs, ['summary', 'argmax']);
    assert.equal(req.id, 'r1');
  });

  it('names the input, the expected and the received shape on a mismatch', () => {
    rejects(
      () => decodeJsonRequest({ inputs: [{ name: 'audio', shape: [1, 5], datatype: 'FP32', data: [1, 2, 3, 4, 5] }] }, audio),
      /input 'audio': shape \[1, 5\] does not match the model's \[-1, 4\]/,
    );
    rejects(() => decodeJsonRequest({ inputs: [{ name: 'audio', shape: [4], datatype: 'FP32', data: [1, 2, 3, 4] }] }, audio), /shape \[4\]/);
  });

  it('refuses a datatype the model does not take, unknown and missing inputs, and wrong element counts', () => {
    rejects(() => decodeJsonRequest({ inputs: [{ name: 'audio', shape: [1, 4], datatype: 'INT32', data: [1, 2, 3, 4] }] }, audio), /datatype INT32 does not match the model's FP32/);
    rejects(() => decodeJsonRequest({ inputs: [{ name: 'sound', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] }] }, audio), /unknown input 'sound'.*audio/);
    rejects(() => decodeJsonRequest({ inputs: [{ name: 'ids', shape: [1, 2], datatype: 'INT64', data: [1, 2] }] }, mixed), /missing input: pixels/);
    rejects(() => decodeJsonRequest({ inputs: [{ name: 'audio', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3] }] }, audio), /needs 4 elements, data has 3/);
    rejects(() => decodeJsonRequest({ inputs: [{ name: 'audio', shape: [1, 4], datatype: 'FP16', data: [1, 2, 3, 4] }] }, audio), /FP16 is not supported/);
    rejects(() => decodeJsonRequest({ inputs: [{ name: 'audio', shape: [0, 4], datatype: 'FP32', data: [] }] }, audio), /has no elements/);
  });

  it('refuses non-numbers, fractional integers, and malformed bodies', () => {
    rejects(() => decodeJsonRequest({ inputs: [{ name: 'audio', shape: [1, 4], datatype: 'FP32', data: [1, 'x', 3, 4] }] }, audio), /data\[1\] is "x", expected a number/);
    rejects(
      () => decodeJsonRequest({ inputs: [{ name: 'ids', shape: [1, 2], datatype: 'INT64', data: [1.5, 2] }, { name: 'pixels', shape: [1, 3], datatype: 'UINT8', data: [1, 2, 3] }] }, mixed),
      /expected an integer/,
    );
    rejects(() => decodeJsonRequest([], audio), /JSON object/);
    rejects(() => decodeJsonRequest({ inputs: [] }, audio), /non-empty array/);
    rejects(() => decodeJsonRequest({ inputs: [{ name: 'audio' }] }, audio), /shape must be an array/);
  });

  it('refuses inputs that disagree on the batch dimension, and unknown outputs', () => {
    rejects(
      () => decodeJsonRequest({ inputs: [{ name: 'ids', shape: [1, 2], datatype: 'INT64', data: [1, 2] }, { name: 'pixels', shape: [2, 3], datatype: 'UINT8', data: [1, 2, 3, 4, 5, 6] }] }, mixed),
      /disagree on the batch dimension/,
    );
    rejects(
      () => decodeJsonRequest({ inputs: [{ name: 'audio', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] }], outputs: [{ name: 'logits' }] }, audio),
      /unknown output "logits"/,
    );
  });
});

describe('decodeBinaryRequest', () => {
  it('reads tensors after the JSON header into buffers of their own', () => {
    const ids = new BigInt64Array([5n, 6n]);
    const pixels = new Uint8Array([1, 2, 3]);
    const { body, headerLength } = binaryBody(
      {
        inputs: [
          { name: 'pixels', shape: [1, 3], datatype: 'UINT8', parameters: { binary_data_size: 3 } },
          { name: 'ids', shape: [1, 2], datatype: 'INT64', parameters: { binary_data_size: 16 } },
        ],
        parameters: { binary_data_output: true },
      },
      pixels,
      ids,
    );
    const req = decodeBinaryRequest(body, headerLength, mixed);
    assert.deepEqual(Array.from(req.inputs.ids.data as BigInt64Array), [5n, 6n]);
    assert.deepEqual(Array.from(req.inputs.pixels.data as Uint8Array), [1, 2, 3]);
    assert.equal(req.inputs.ids.data.byteOffset, 0);
    assert.equal(req.inputs.ids.data.buffer.byteLength, 16);
    assert.deepEqual([...req.binaryOutputs], ['summary', 'argmax']);
  });

  it('refuses sizes that do not match the shape, trailing bytes, and a bad header length', () => {
    const audioData = new Float32Array([1, 2, 3, 4]);
    const wrongSize = binaryBody({ inputs: [{ name: 'audio', shape: [1, 4], datatype: 'FP32', parameters: { binary_data_size: 12 } }] }, audioData.subarray(0, 3));
    rejects(() => decodeBinaryRequest(wrongSize.body, wrongSize.headerLength, audio), /needs 16 bytes, binary_data_size is 12/);
    const trailing = binaryBody({ inputs: [{ name: 'audio', shape: [1, 4], datatype: 'FP32', parameters: { binary_data_size: 16 } }] }, audioData, new Uint8Array(2));
    rejects(() => decodeBinaryRequest(trailing.body, trailing.headerLength, audio), /2 bytes beyond/);
    rejects(() => decodeBinaryRequest(trailing.body, trailing.body.byteLength + 1, audio), /Inference-Header-Content-Length/);
    rejects(() => decodeBinaryRequest(Buffer.from('{not json'), 9, audio), /not a JSON inference header/);
  });
});

describe('encodeResponse', () => {
  const outputs = {
    summary: { datatype: 'FP32', shape: [1, 3], data: new Float32Array([0.5, 1, 2]) },
    argmax: { datatype: 'INT64', shape: [1], data: new BigInt64Array([2n]) },
  };
  const request = { inputs: {}, rows: 1, outputs: ['summary', 'argmax'], binaryOutputs: new Set<string>(), id: 'x' };

  it('writes JSON tensors, INT64 as numbers', () => {
    const encoded = encodeResponse('m', request, outputs);
    const body = JSON.parse(encoded.body as string);
    assert.equal(body.model_name, 'm');
    assert.equal(body.id, 'x');
    assert.deepEqual(body.outputs[0], { name: 'summary', datatype: 'FP32', shape: [1, 3], data: [0.5, 1, 2] });
    assert.deepEqual(body.outputs[1].data, [2]);
  });

  it('writes binary outputs after the header, with their sizes', () => {
    const encoded = encodeResponse('m', { ...request, binaryOutputs: new Set(['summary']) }, outputs);
    const body = encoded.body as Buffer;
    const header = JSON.parse(body.subarray(0, encoded.headerLength).toString());
    assert.equal(header.outputs[0].parameters.binary_data_size, 12);
    assert.deepEqual(header.outputs[1].data, [2]);
    const floats = new Float32Array(body.buffer.slice(body.byteOffset + encoded.headerLength!, body.byteOffset + body.byteLength));
    assert.deepEqual(Array.from(floats), [0.5, 1, 2]);
  });
});

describe('sliceRows', () => {
  it('cuts a batch back into each request rows', () => {
    const out = { y: { datatype: 'FP32', shape: [3, 2], data: new Float32Array([1, 2, 3, 4, 5, 6]) } };
    const middle = sliceRows(out, 1, 2).y;
    assert.deepEqual(middle.shape, [2, 2]);
    assert.deepEqual(Array.from(middle.data as Float32Array), [3, 4, 5, 6]);
  });
});
