import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { resolveInputShapes, type ModelMetadata } from './model-metadata.js';
import { buildPayloads, payloadsFromRequestBody, readPayloadFile } from './payload.js';
import { float16Bits } from './tensor-data.js';

const metadata: ModelMetadata = {
  name: 'm',
  inputs: [
    { name: 'audio', datatype: 'FP32', shape: [-1, 6] },
    { name: 'ids', datatype: 'INT64', shape: [-1, -1] },
    { name: 'mask', datatype: 'BOOL', shape: [-1, 3] },
  ],
};

/** Splits a binary-extension body into its JSON header and each input's bytes. */
function splitBinary(body: Buffer, headerLength: number): { header: { inputs: { name: string; parameters: { binary_data_size: number } }[] }; blobs: Buffer[] } {
  const header = JSON.parse(body.subarray(0, headerLength).toString('utf8'));
  let offset = headerLength;
  const blobs = header.inputs.map((i: { parameters: { binary_data_size: number } }) => {
    const blob = body.subarray(offset, offset + i.parameters.binary_data_size);
    offset += i.parameters.binary_data_size;
    return blob;
  });
  assert.equal(offset, body.length, 'no bytes after the last tensor');
  return { header, blobs };
}

test('dynamic dimensions become 1, or the batch size for the first one', () => {
  assert.deepEqual(
    resolveInputShapes(metadata).map((i) => i.shape),
    [[1, 6], [1, 1], [1, 3]],
  );
  assert.deepEqual(
    resolveInputShapes(metadata, 4).map((i) => i.shape),
    [[4, 6], [4, 1], [4, 3]],
  );
});

test('a batch size on a fixed first dimension is refused with the input named', () => {
  const fixed: ModelMetadata = { name: 'm', inputs: [{ name: 'image', datatype: 'FP32', shape: [1, 3, 8, 8] }] };
  assert.throws(() => resolveInputShapes(fixed, 2), /input 'image' has a fixed first dimension 1.*dynamic \(-1\)/);
  assert.deepEqual(resolveInputShapes(fixed, 1)[0].shape, [1, 3, 8, 8]);
});

test('JSON payloads carry every input with its shape, datatype and the right number of values', () => {
  const set = buildPayloads(resolveInputShapes(metadata, 2), { encoding: 'json', seed: 7, variants: 3 });
  assert.equal(set.variants.length, 3);
  const body = JSON.parse(set.variants[0].body.toString('utf8'));
  assert.equal(set.variants[0].headers['content-type'], 'application/json');
  assert.deepEqual(
    body.inputs.map((i: { name: string; shape: number[]; datatype: string }) => [i.name, i.datatype, i.shape]),
    [
      ['audio', 'FP32', [2, 6]],
      ['ids', 'INT64', [2, 1]],
      ['mask', 'BOOL', [2, 3]],
    ],
  );
  assert.equal(body.inputs[0].data.length, 12);
  assert.ok(body.inputs[0].data.every((v: number) => v >= -1 && v < 1));
  assert.ok(body.inputs[1].data.every((v: number) => Number.isInteger(v) && v >= 0 && v < 100));
  assert.ok(body.inputs[2].data.every((v: unknown) => typeof v === 'boolean'));
});

test('variants differ from each other and the same seed gives the same bytes', () => {
  const inputs = resolveInputShapes(metadata);
  const a = buildPayloads(inputs, { encoding: 'binary', seed: 1, variants: 4 });
  const b = buildPayloads(inputs, { encoding: 'binary', seed: 1, variants: 4 });
  const c = buildPayloads(inputs, { encoding: 'binary', seed: 2, variants: 1 });
  assert.deepEqual(a.variants.map((v) => v.body), b.variants.map((v) => v.body));
  assert.equal(new Set(a.variants.map((v) => v.body.toString('hex'))).size, 4);
  assert.notDeepEqual(a.variants[0].body, c.variants[0].body);
});

test('binary payloads: JSON header of the stated length, then little-endian tensors of the stated sizes', () => {
  const set = buildPayloads(resolveInputShapes(metadata, 2), { encoding: 'binary', seed: 3, variants: 1 });
  const { body, headers } = set.variants[0];
  assert.equal(headers['content-type'], 'application/octet-stream');
  const { header, blobs } = splitBinary(body, Number(headers['inference-header-content-length']));
  assert.deepEqual(
    header.inputs.map((i) => [i.name, i.parameters.binary_data_size]),
    [
      ['audio', 2 * 6 * 4],
      ['ids', 2 * 8],
      ['mask', 2 * 3],
    ],
  );
  // The binary values are the JSON values of the same seed.
  const json = JSON.parse(buildPayloads(resolveInputShapes(metadata, 2), { encoding: 'json', seed: 3, variants: 1 }).variants[0].body.toString());
  const floats = Array.from({ length: 12 }, (_, i) => blobs[0].readFloatLE(i * 4));
  floats.forEach((f, i) => assert.ok(Math.abs(f - json.inputs[0].data[i]) < 1e-6));
  assert.deepEqual(
    Array.from({ length: 2 }, (_, i) => Number(blobs[1].readBigInt64LE(i * 8))),
    json.inputs[1].data,
  );
  assert.deepEqual([...blobs[2]].map((b) => b === 1), json.inputs[2].data);
});

test('a request body from a file is sent as is (JSON) or re-encoded (binary), and checked against its shapes', () => {
  const body = { id: 'r1', inputs: [{ name: 'x', datatype: 'INT32', shape: [2, 2], data: [[1, 2], [3, 4]] }] };
  const json = payloadsFromRequestBody(body, 'json');
  assert.deepEqual(JSON.parse(json.variants[0].body.toString()), body);
  assert.deepEqual(json.inputs, [{ name: 'x', datatype: 'INT32', shape: [2, 2] }]);
  const binary = payloadsFromRequestBody(body, 'binary').variants[0];
  const { header, blobs } = splitBinary(binary.body, Number(binary.headers['inference-header-content-length']));
  assert.equal((header as unknown as { id: string }).id, 'r1');
  assert.deepEqual([0, 1, 2, 3].map((i) => blobs[0].readInt32LE(i * 4)), [1, 2, 3, 4]);
  assert.throws(
    () => payloadsFromRequestBody({ inputs: [{ name: 'x', datatype: 'INT32', shape: [3], data: [1, 2] }] }, 'json', 'payload file'),
    /payload file: input 'x' has shape \[3\] \(3 elements\) but 2 data values/,
  );
  assert.throws(() => payloadsFromRequestBody({ input: [] }, 'json'), /not an infer request body.*inputs/);
});

test('a payload file that is missing or not JSON is named in the error', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'vernier-payload-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await assert.rejects(readPayloadFile(join(dir, 'missing.json'), 'json'), /cannot read payload file '.*missing\.json'/);
  await writeFile(join(dir, 'bad.json'), '{ inputs: ');
  await assert.rejects(readPayloadFile(join(dir, 'bad.json'), 'json'), /payload file '.*bad\.json' is not valid JSON/);
});

test('half-precision encoding of known values', () => {
  assert.equal(float16Bits(0), 0x0000);
  assert.equal(float16Bits(1), 0x3c00);
  assert.equal(float16Bits(-2), 0xc000);
  assert.equal(float16Bits(0.5), 0x3800);
  assert.equal(float16Bits(65504), 0x7bff);
  assert.equal(float16Bits(1e6), 0x7c00);
});

test('text (BYTES) inputs get seeded sentences of the asked number of words, as JSON strings or length-prefixed bytes', () => {
  const text = [{ name: 'text', datatype: 'BYTES', shape: [4] }];
  const json = JSON.parse(buildPayloads(text, { encoding: 'json', seed: 5, variants: 1, sentenceWords: { min: 3, max: 5 } }).variants[0].body.toString());
  const sentences: string[] = json.inputs[0].data;
  assert.equal(sentences.length, 4);
  for (const s of sentences) {
    assert.match(s, /^[A-Z][a-z,]*( [a-z,]+)*\.$/);
    const words = s.split(' ').length;
    assert.ok(words >= 3 && words <= 5, `${words} words in ${JSON.stringify(s)}`);
  }
  const { body, headers } = buildPayloads(text, { encoding: 'binary', seed: 5, variants: 1, sentenceWords: { min: 3, max: 5 } }).variants[0];
  const { blobs } = splitBinary(body, Number(headers['inference-header-content-length']));
  const decoded: string[] = [];
  for (let offset = 0; offset < blobs[0].length; offset += 4 + blobs[0].readUInt32LE(offset)) {
    decoded.push(blobs[0].subarray(offset + 4, offset + 4 + blobs[0].readUInt32LE(offset)).toString('utf8'));
  }
  assert.deepEqual(decoded, sentences);
});
