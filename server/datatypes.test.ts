import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunningServer } from './serve.js';
import { postJson, startTestServer } from './test-support/start.js';

// multi-dtype: summary = [sum(ids), sum(mask), sum(pixels)] per row; argmax = first index of the largest pixel.
const ids = [1, 2, 3, 4, 5, 6, 7, -8, 10, 20, 30, 40, 50, 60, 70, 80];
const mask = [1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1];
const pixels = [0, 9, 3, 255, 7, 255, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5];
const expectedSummary = [20, 4, 530, 360, 8, 80];
const expectedArgmax = [3, 0];

describe('INT64, INT32 and UINT8 end to end', () => {
  let server: RunningServer;
  before(async () => {
    server = await startTestServer({ model: 'builtin://multi-dtype', strategy: 'batched', workers: 1 });
  });
  after(() => server.shutdown());

  it('as JSON tensors', async () => {
    const res = await postJson(`${server.url}/v2/models/multi-dtype/infer`, {
      inputs: [
        { name: 'ids', shape: [2, 8], datatype: 'INT64', data: ids },
        { name: 'mask', shape: [2, 8], datatype: 'INT32', data: mask },
        { name: 'pixels', shape: [2, 16], datatype: 'UINT8', data: pixels },
      ],
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const byName = Object.fromEntries(res.body.outputs.map((o: any) => [o.name, o]));
    assert.deepEqual(byName.summary.data, expectedSummary);
    assert.equal(byName.argmax.datatype, 'INT64');
    assert.deepEqual(byName.argmax.data, expectedArgmax);
  });

  it('as binary tensors, both ways', async () => {
    const tensors = [new BigInt64Array(ids.map(BigInt)), new Int32Array(mask), new Uint8Array(pixels)];
    const header = Buffer.from(
      JSON.stringify({
        inputs: [
          { name: 'ids', shape: [2, 8], datatype: 'INT64', parameters: { binary_data_size: tensors[0].byteLength } },
          { name: 'mask', shape: [2, 8], datatype: 'INT32', parameters: { binary_data_size: tensors[1].byteLength } },
          { name: 'pixels', shape: [2, 16], datatype: 'UINT8', parameters: { binary_data_size: tensors[2].byteLength } },
        ],
        outputs: [{ name: 'summary', parameters: { binary_data: true } }, { name: 'argmax' }],
      }),
    );
    const res = await fetch(`${server.url}/v2/models/multi-dtype/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(header.byteLength) },
      body: Buffer.concat([header, ...tensors.map((t) => Buffer.from(t.buffer))]),
    });
    assert.equal(res.status, 200);
    const headerLength = Number(res.headers.get('inference-header-content-length'));
    const body = Buffer.from(await res.arrayBuffer());
    const json = JSON.parse(body.subarray(0, headerLength).toString());
    assert.equal(json.outputs[0].parameters.binary_data_size, 24);
    const summary = new Float32Array(body.buffer.slice(body.byteOffset + headerLength, body.byteOffset + headerLength + 24));
    assert.deepEqual(Array.from(summary), expectedSummary);
    assert.deepEqual(json.outputs[1].data, expectedArgmax);
  });
});
