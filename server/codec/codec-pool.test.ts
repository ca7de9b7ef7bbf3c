import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { ModelSignature } from '../model-signature.js';
import { encodeResponse, RequestError } from '../protocol.js';
import { CodecPool, codecThreadsFor, OFF_THREAD_MIN_BODY_BYTES, OFF_THREAD_MIN_OUTPUT_ELEMENTS } from './codec-pool.js';
import { decodeInferBody } from './infer-body.js';

const width = 4096;
const signature: ModelSignature = {
  inputs: [
    { name: 'x', datatype: 'FP32', shape: [-1, width] },
    { name: '__proto__', datatype: 'INT64', shape: [-1, 2] },
  ],
  outputs: [{ name: 'y', datatype: 'FP32', shape: [-1, width] }],
};
const settings = { modelName: 'm', signature, nice: 0 };
const json = { contentType: 'application/json' };

function jsonBody(rows: number, extra: Record<string, unknown> = {}): Buffer {
  const x = Array.from({ length: rows * width }, (_, i) => (i % 97) / 7);
  return Buffer.from(
    JSON.stringify({
      id: 'r1',
      inputs: [
        { name: 'x', datatype: 'FP32', shape: [rows, width], data: x },
        { name: '__proto__', datatype: 'INT64', shape: [rows, 2], data: Array.from({ length: rows * 2 }, (_, i) => i) },
      ],
      outputs: [{ name: 'y', parameters: { binary_data: true } }],
      ...extra,
    }),
  );
}

describe('codec threads', () => {
  const pool = new CodecPool(settings, 2);
  after(() => pool.close());

  it('decode a large body in a thread to exactly what the HTTP thread would', async () => {
    const body = jsonBody(3);
    assert.ok(body.byteLength >= OFF_THREAD_MIN_BODY_BYTES, 'the body is large enough to leave the HTTP thread');
    const inline = decodeInferBody(body, json, settings);
    const threaded = await pool.decode(body, json);
    assert.equal(threaded.rows, 3);
    assert.equal(threaded.id, 'r1');
    assert.deepEqual(threaded.outputs, inline.outputs);
    assert.deepEqual([...threaded.binaryOutputs], ['y']);
    assert.deepEqual(threaded.inputs.x.data, inline.inputs.x.data);
    assert.deepEqual(threaded.inputs.x.shape, [3, width]);
    // An input named __proto__ is a plain key, as decodeJsonRequest makes it, not the object's prototype.
    assert.equal(Object.getPrototypeOf(threaded.inputs), null);
    assert.deepEqual(threaded.inputs['__proto__'].data, BigInt64Array.from([0n, 1n, 2n, 3n, 4n, 5n]));
  });

  it('answer a malformed large body with the decoder message and status, as inline', async () => {
    const body = jsonBody(2, { id: 7 });
    await assert.rejects(pool.decode(body, json), (err: unknown) => err instanceof RequestError && err.statusCode === 400 && /'id' must be a string, got 7/.test(err.message));
    const broken = Buffer.concat([jsonBody(1), Buffer.from('}')]);
    await assert.rejects(pool.decode(broken, json), /body is not valid JSON/);
  });

  it('encode a large answer in a thread to the same bytes as inline, from views into a shared batch result', async () => {
    const batch = Float32Array.from({ length: 3 * width }, (_, i) => i / 3);
    const second = { y: { datatype: 'FP32', shape: [1, width], data: batch.subarray(width, 2 * width) } };
    assert.ok(width >= OFF_THREAD_MIN_OUTPUT_ELEMENTS);
    for (const binaryOutputs of [new Set<string>(), new Set(['y'])]) {
      const request = { id: 'a', outputs: ['y'], binaryOutputs };
      const expected = encodeResponse('m', request, second);
      const threaded = await pool.encode(request, second);
      assert.equal(threaded.contentType, expected.contentType);
      assert.equal(threaded.headerLength, expected.headerLength);
      assert.ok(Buffer.from(threaded.body).equals(Buffer.from(expected.body)));
    }
    assert.equal(batch.length, 3 * width, 'the batch result stays with the HTTP thread (copies crossed)');
  });

  it('decode inline when every thread is gone, rather than refuse', async () => {
    const lonely = new CodecPool(settings, 1);
    await lonely.close();
    const decoded = await lonely.decode(jsonBody(1), json);
    assert.equal(decoded.rows, 1);
  });

  it('start none for inline, one per core otherwise (at most 8)', () => {
    assert.equal(codecThreadsFor('inline', 4), 0);
    assert.equal(codecThreadsFor('batched', 2), 2);
    assert.equal(codecThreadsFor('pool', 64), 8);
  });
});
