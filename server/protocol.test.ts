import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sliceRows } from './engine/rows.js';
import { decodeBinaryRequest, decodeJsonRequest, encodeResponse, readHeaderLength, RequestError } from './protocol.js';
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

/** A model with one input `x` of the given datatype and shape, and one FP32 output. */
function single(datatype: string, shape: number[]): ModelSignature {
  return { inputs: [{ name: 'x', datatype, shape }], outputs: [{ name: 'y', datatype: 'FP32', shape: [-1] }] };
}

function decodeOne(datatype: string, data: unknown[], shape = [1, data.length]): ArrayLike<number | bigint> {
  return decodeJsonRequest({ inputs: [{ name: 'x', shape, datatype, data }] }, single(datatype, shape.map(() => -1))).inputs.x.data;
}

/** `inner` wrapped in `depth` single-element arrays. */
function nestedIn(inner: unknown, depth: number): unknown {
  let data = inner;
  for (let i = 0; i < depth; i++) data = [data];
  return data;
}

describe('nested JSON data', () => {
  it('accepts data nested exactly as the shape, at any rank', () => {
    const cube = [[[1, 2], [3, 4]], [[5, 6], [7, 8]]];
    assert.deepEqual(Array.from(decodeOne('FP32', cube, [2, 2, 2]) as Float32Array), [1, 2, 3, 4, 5, 6, 7, 8]);
    assert.deepEqual(Array.from(decodeOne('FP32', [1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2]) as Float32Array), [1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('refuses data nested 10,000 deep with a 400 naming the input, not a stack overflow', () => {
    rejects(() => decodeOne('FP32', nestedIn([1, 2, 3, 4], 10_000) as unknown[], [1, 4]), /input 'x': data is nested deeper than shape \[1, 4\]/);
    rejects(() => decodeOne('FP32', nestedIn(1, 10_000) as unknown[], [1, 1]), /input 'x': data is nested deeper than shape \[1, 1\]/);
  });

  it('refuses data nested deeper than the rank even when the element count is right', () => {
    rejects(() => decodeOne('FP32', [[[1, 2]], [[3, 4]]], [2, 2]), /input 'x': data is nested deeper than shape \[2, 2\]/);
  });

  it('refuses ragged data, naming the input and where it departs from the shape', () => {
    const ragged = [[1], Array.from({ length: 31 }, (_, i) => i)];
    rejects(() => decodeOne('FP32', ragged, [1, 32]), /input 'x': data has 2 entries where shape \[1, 32\] needs 1/);
    rejects(() => decodeOne('FP32', [[1, 2, 3], [4, 5, 6, 7, 8]], [2, 4]), /input 'x': data\[0\] has 3 entries where shape \[2, 4\] needs 4/);
    rejects(() => decodeOne('FP32', [[1, 2, 3, 4], 5], [2, 4]), /input 'x': data\[1\] is 5, where shape \[2, 4\] needs an array of 4/);
  });

  it('refuses data nested less deeply than the shape unless it is flat', () => {
    rejects(() => decodeOne('FP32', [[1, 2, 3, 4]], [1, 2, 2]), /input 'x': data is nested 2 deep.*shape \[1, 2, 2\].*flat/);
  });

  it('refuses an array where a flat list needs a number, without describing its contents', () => {
    rejects(() => decodeOne('FP32', [1, 2, nestedIn(3, 10_000), 4], [1, 4]), /input 'x': data\[2\] is an array, expected a number/);
  });
});

describe('value ranges', () => {
  it('refuses integers outside the datatype, naming the input, the index and the range', () => {
    rejects(() => decodeOne('UINT8', [1, 300]), /input 'x': data\[1\] is 300, outside UINT8's range 0 to 255/);
    rejects(() => decodeOne('UINT8', [-1]), /data\[0\] is -1, outside UINT8's range 0 to 255/);
    rejects(() => decodeOne('INT8', [-129]), /outside INT8's range -128 to 127/);
    rejects(() => decodeOne('INT16', [32768]), /outside INT16's range -32768 to 32767/);
    rejects(() => decodeOne('UINT16', [65536]), /outside UINT16's range 0 to 65535/);
    rejects(() => decodeOne('INT32', [0, 0, 2 ** 31]), /data\[2\] is 2147483648, outside INT32's range -2147483648 to 2147483647/);
    rejects(() => decodeOne('UINT32', [2 ** 32]), /outside UINT32's range 0 to 4294967295/);
    rejects(() => decodeOne('INT64', [2 ** 63]), /outside INT64's range -9223372036854775808 to 9223372036854775807.*binary tensor extension/);
    rejects(() => decodeOne('UINT64', [-1]), /outside UINT64's range 0 to 18446744073709551615/);
    rejects(() => decodeOne('BOOL', [2]), /data\[0\] is 2, outside BOOL's range 0 to 1/);
  });

  it('keeps every value at the edges of each range exactly', () => {
    assert.deepEqual(Array.from(decodeOne('UINT8', [0, 255])), [0, 255]);
    assert.deepEqual(Array.from(decodeOne('INT8', [-128, 127])), [-128, 127]);
    assert.deepEqual(Array.from(decodeOne('INT32', [-(2 ** 31), 2 ** 31 - 1])), [-(2 ** 31), 2 ** 31 - 1]);
    assert.deepEqual(Array.from(decodeOne('UINT32', [0, 2 ** 32 - 1])), [0, 2 ** 32 - 1]);
    // The largest double below 2^63 (and 2^64): JSON numbers near the limit can only be these.
    assert.deepEqual(Array.from(decodeOne('INT64', [-(2 ** 63), 2 ** 63 - 1024])), [-(2n ** 63n), 2n ** 63n - 1024n]);
    assert.deepEqual(Array.from(decodeOne('UINT64', [0, 2 ** 64 - 2048])), [0n, 2n ** 64n - 2048n]);
    assert.deepEqual(Array.from(decodeOne('BOOL', [true, false, 0, 1])), [1, 0, 0, 1]);
    assert.deepEqual(Array.from(decodeOne('FP32', [3.4e38, -3.4e38])), [Math.fround(3.4e38), Math.fround(-3.4e38)]);
    // float32's largest value in its shortest decimal form is a double just above it, and still rounds to it.
    assert.deepEqual(Array.from(decodeOne('FP32', [3.4028235e38, -3.4028235e38])), [3.4028234663852886e38, -3.4028234663852886e38]);
    assert.deepEqual(Array.from(decodeOne('FP64', [1e300, -1e300])), [1e300, -1e300]);
  });

  it('refuses finite numbers beyond float32 instead of storing Infinity', () => {
    rejects(() => decodeOne('FP32', [0, 1e39]), /input 'x': data\[1\] is 1e\+39, outside FP32's range -3.4028234663852886e\+38 to 3.4028234663852886e\+38/);
    rejects(() => decodeOne('FP32', [2 ** 128 - 2 ** 103]), /outside FP32's range/); // the first double that rounds to Infinity
    rejects(() => decodeOne('FP32', [-1e39]), /data\[0\] is -1e\+39, outside FP32's range/);
    rejects(() => decodeOne('FP64', [Infinity]), /data\[0\] is Infinity, outside FP64's range/);
  });

  it('refuses fractions for integer datatypes and non-numbers for all', () => {
    rejects(() => decodeOne('INT32', [1, 2.5]), /data\[1\] is 2.5, expected an integer/);
    rejects(() => decodeOne('BOOL', ['true']), /data\[0\] is "true", expected true, false, 0 or 1/);
    rejects(() => decodeOne('BOOL', [0.5]), /data\[0\] is 0.5, expected true, false, 0 or 1/);
    rejects(() => decodeOne('FP32', [null]), /data\[0\] is null, expected a number/);
  });
});

describe('request id, names and outputs', () => {
  const features = (extra: object = {}) => ({ inputs: [{ name: 'audio', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] }], ...extra });
  const noOutputs = { summary: { datatype: 'FP32', shape: [1], data: new Float32Array([1]) } };

  it('echoes any string id, the empty string included', () => {
    const empty = decodeJsonRequest(features({ id: '' }), audio);
    assert.equal(empty.id, '');
    const body = JSON.parse(encodeResponse('m', { ...empty, outputs: ['summary'] }, noOutputs).body as string);
    assert.equal(body.id, '');
    assert.equal(decodeJsonRequest(features(), audio).id, undefined);
  });

  it('refuses an id that is not a string', () => {
    rejects(() => decodeJsonRequest(features({ id: 42 }), audio), /'id' must be a string/);
    rejects(() => decodeJsonRequest(features({ id: null }), audio), /'id' must be a string/);
  });

  it("reports inputs named like Object's own properties as unknown, not repeated", () => {
    for (const name of ['toString', '__proto__', 'constructor', 'hasOwnProperty']) {
      const body = JSON.parse(`{"inputs": [{"name": ${JSON.stringify(name)}, "shape": [1, 4], "datatype": "FP32", "data": [1, 2, 3, 4]}]}`);
      rejects(() => decodeJsonRequest(body, audio), new RegExp(`unknown input '${name}'; the model's inputs are: audio`));
    }
    rejects(() => decodeJsonRequest({ inputs: [features().inputs[0], features().inputs[0]] }, audio), /input 'audio' appears more than once/);
  });

  it('serves a model whose input is named like a property of Object', () => {
    const odd: ModelSignature = { inputs: [{ name: 'constructor', datatype: 'FP32', shape: [-1, 2] }], outputs: audio.outputs };
    const name: string = 'constructor';
    const req = decodeJsonRequest({ inputs: [{ name, shape: [1, 2], datatype: 'FP32', data: [1, 2] }] }, odd);
    assert.deepEqual(Array.from(req.inputs[name].data as Float32Array), [1, 2]);
  });

  it('refuses an output requested twice', () => {
    rejects(() => decodeJsonRequest(features({ outputs: [{ name: 'scores' }, { name: 'scores' }] }), audio), /output 'scores' is requested more than once/);
  });
});

describe('readHeaderLength', () => {
  it('reads a plain decimal integer', () => {
    assert.equal(readHeaderLength('113'), 113);
    assert.equal(readHeaderLength('0'), 0);
  });

  it('refuses anything else, saying what the header must hold', () => {
    for (const value of ['0x71', '113.0', '1e2', '-1', '', '+113', ' 113', '113 ', '11 3', '113, 113', ['113', '113']]) {
      rejects(() => readHeaderLength(value), /Inference-Header-Content-Length must be the JSON header's length in bytes, a decimal integer/);
    }
  });
});

describe('non-finite outputs', () => {
  const request = { inputs: {}, rows: 1, outputs: ['y'], binaryOutputs: new Set<string>() };
  const special = { y: { datatype: 'FP32', shape: [1, 5], data: new Float32Array([1.5, Infinity, -Infinity, NaN, -0]) } };

  it("writes NaN, Infinity and -Infinity as Triton's JSON writer does, keeping finite values standard", () => {
    const text = encodeResponse('m', request, special).body as string;
    assert.match(text, /"data":\[1\.5,Infinity,-Infinity,NaN,0\]/);
    const finite = encodeResponse('m', request, { y: { datatype: 'FP64', shape: [1, 2], data: new Float64Array([0.1, 1e300]) } }).body as string;
    assert.deepEqual(JSON.parse(finite).outputs[0].data, [0.1, 1e300]);
  });

  it('keeps them exact as binary outputs', () => {
    const encoded = encodeResponse('m', { ...request, binaryOutputs: new Set(['y']) }, special);
    const body = encoded.body as Buffer;
    const floats = new Float32Array(body.buffer.slice(body.byteOffset + encoded.headerLength!, body.byteOffset + body.byteLength));
    assert.deepEqual(Array.from(floats), [1.5, Infinity, -Infinity, NaN, -0]);
  });

  it('writes 64-bit integer outputs exactly', () => {
    const big = { y: { datatype: 'INT64', shape: [2], data: new BigInt64Array([2n ** 60n + 1n, -(2n ** 63n)]) } };
    assert.match(encodeResponse('m', request, big).body as string, /"data":\[1152921504606846977,-9223372036854775808\]/);
  });
});
