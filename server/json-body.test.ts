import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededRandom } from '../bench/random.js';
import { parseJsonBody } from './json-body.js';
import type { ModelSignature } from './model-signature.js';
import { decodeJsonRequest, RequestError } from './protocol.js';

/** parseJsonBody's result with every NumberArray as the plain array JSON.parse makes of it. */
function plain(value: unknown): unknown {
  if (value instanceof Float64Array) return Array.from(value);
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) Object.defineProperty(out, k, { value: plain(v), writable: true, enumerable: true, configurable: true });
    return out;
  }
  return value;
}

/** Parses `text` both ways: the same values (-0 and all), or the same SyntaxError. */
function agreesWithJsonParse(text: string | Buffer): unknown {
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  let expected: unknown;
  try {
    expected = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    assert.throws(() => parseJsonBody(bytes), { name: 'SyntaxError', message: (err as Error).message });
    return undefined;
  }
  const got = parseJsonBody(bytes);
  assert.deepEqual(plain(got), expected);
  return got;
}

const numberArrayOf = (body: unknown) => (body as { data: unknown }).data;

describe('parseJsonBody', () => {
  it('reads a flat number array under "data" as a NumberArray, and everything else as JSON.parse does', () => {
    const body = agreesWithJsonParse(
      '{"id":"r1","inputs":[{"name":"x","shape":[2,3],"datatype":"FP32","data":[1,-2.5,0,3e2,-0,1.25E-3],"parameters":{"a":null}}],' +
        '"outputs":[{"name":"y","parameters":{"binary_data":true}}],"parameters":{"flag":false,"n":[1,2]}}',
    ) as { inputs: { shape: unknown; data: unknown }[]; parameters: { n: unknown } };
    const data = body.inputs[0].data as Float64Array;
    assert.ok(data instanceof Float64Array);
    assert.deepEqual(Array.from(data), [1, -2.5, 0, 300, -0, 0.00125]);
    assert.ok(Object.is(data[4], -0));
    // Only "data": shapes and other number arrays stay plain arrays.
    assert.ok(Array.isArray(body.inputs[0].shape));
    assert.ok(Array.isArray(body.parameters.n));
  });

  it('leaves data arrays of anything but numbers, nested ones and empty ones as plain arrays', () => {
    for (const data of ['["a","b"]', '[true,false]', '[1,"2"]', '[[1,2],[3,4]]', '[]', '[1,null]', '[ 1 , [2] ]']) {
      assert.ok(Array.isArray(numberArrayOf(agreesWithJsonParse(`{"data":${data}}`))), data);
    }
    for (const data of ['[1]', '[ 1 ,\n\t2\r]', '[-0.0]']) assert.ok(numberArrayOf(agreesWithJsonParse(`{"data":${data}}`)) instanceof Float64Array, data);
  });

  it('reads every number exactly as JSON.parse does', () => {
    const random = seededRandom(7);
    const texts: string[] = ['0', '-0', '0.0', '1E5', '1e+5', '2E-5', '1e-400', '1e400', '-1e400', '9007199254740993', '123456789012345', '1234567890123456'];
    texts.push('0.1', '0.30000000000000004', '4.9e-324', '1.7976931348623157e308', '123456789.123456789', '100000000000000000000000');
    for (let k = 0; k < 20_000; k++) {
      const x = (random() * 2 - 1) * 10 ** Math.floor(random() * 40 - 20);
      const forms = [String(x), x.toFixed(Math.floor(random() * 12)), x.toExponential(Math.floor(random() * 16)), String(Math.round(x * 1e6))];
      texts.push(forms[k % forms.length].replace('e+', k % 2 ? 'e' : 'E+'));
    }
    const got = parseJsonBody(Buffer.from(`{"data":[${texts.join(',')}]}`)) as { data: Float64Array };
    assert.ok(got.data instanceof Float64Array);
    assert.equal(got.data.length, texts.length);
    for (const [i, text] of texts.entries()) assert.ok(Object.is(got.data[i], JSON.parse(text)), `${text}: ${got.data[i]} != ${JSON.parse(text)}`);
  });

  it('gives malformed bodies JSON.parse\'s own error', () => {
    const bad = ['', ' ', '{', '{"data":[1,2,]}', '{"data":[01]}', '{"data":[1.]}', '{"data":[-]}', '{"data":[.5]}', '{"data":[1e]}', '{"a":1,}'];
    bad.push('{"a" 1}', '[1 2]', '"\\x"', '"tab\there"', '{"data":[1]}x', '\ufeff{}', 'nul', '{"data":[NaN]}', '{"data":[Infinity]}', '{"data":[+1]}');
    for (const text of bad) {
      assert.throws(() => JSON.parse(text), SyntaxError, text);
      agreesWithJsonParse(text);
    }
  });

  it('reads strings as JSON.parse reads the body\'s UTF-8: escapes, any script, invalid bytes as U+FFFD', () => {
    agreesWithJsonParse('{"s":"plain","e":"q\\"uote\\\\ \\u00e9\\n\\ud83d\\ude00","u":"ünïcødé 文字 🎉","k\\u0041":1,"":""}');
    agreesWithJsonParse(Buffer.concat([Buffer.from('{"bad":"a'), Buffer.from([0xff, 0xe2, 0x82]), Buffer.from('b","data":[1]}')]));
  });

  it('keeps a member named __proto__ an own property, never the prototype, and the last of duplicate members', () => {
    const body = agreesWithJsonParse('{"__proto__":{"polluted":true},"a":1,"a":2}') as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(body), Object.prototype);
    assert.ok(Object.hasOwn(body, '__proto__'));
    assert.equal(body.a, 2);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('reads bodies nested deeper than its stack through JSON.parse', () => {
    const depth = 50_000;
    let level = parseJsonBody(Buffer.from(`${'['.repeat(depth)}${']'.repeat(depth)}`));
    let seen = 0;
    for (; Array.isArray(level); level = level[0]) seen++;
    assert.equal(seen, depth);
  });

  it('gives each data array its own memory, however long', () => {
    const long = Array.from({ length: 70_000 }, (_, i) => i / 8);
    const body = agreesWithJsonParse(JSON.stringify({ inputs: [{ data: long }, { data: [1, 2, 3] }] })) as { inputs: { data: Float64Array }[] };
    assert.equal(body.inputs[0].data.length, 70_000);
    assert.equal(body.inputs[0].data[69_999], 69_999 / 8);
    assert.deepEqual(Array.from(body.inputs[1].data), [1, 2, 3]);
  });
});

describe('a NumberArray decodes as the plain array would', () => {
  const cases: [string, number[]][] = [
    ['FP32', [0.5, -1, 3.4028235e38]],
    ['FP32', [1, 1e39]],
    ['FP64', [1e300, -0]],
    ['INT8', [127, -128]],
    ['INT8', [1, 128]],
    ['INT32', [1, 2.5]],
    ['UINT8', [-1, 0]],
    ['BOOL', [0, 1]],
    ['BOOL', [1, 2]],
    ['INT64', [2 ** 53, -3]],
    ['INT64', [1.5, 0]],
    ['BYTES', [1, 2]],
  ];
  for (const [datatype, values] of cases) {
    it(`${datatype} ${JSON.stringify(values)}`, () => {
      const signature: ModelSignature = { inputs: [{ name: 'x', datatype, shape: [-1] }], outputs: [{ name: 'y', datatype: 'FP32', shape: [-1] }] };
      const decode = (data: unknown) => {
        try {
          return decodeJsonRequest({ inputs: [{ name: 'x', shape: [values.length], datatype, data }] }, signature).inputs.x.data;
        } catch (err) {
          assert.ok(err instanceof RequestError);
          return err.message;
        }
      };
      assert.deepEqual(decode(Float64Array.from(values)), decode(values));
    });
  }
});
