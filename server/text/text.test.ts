import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bytesElementsProblem, decodeBytesElements, encodeBytesElements, isWellFormedText } from './bytes-elements.js';
import { l2NormalizeRows, meanPool } from './pooling.js';
import { padBatch, truncateIds } from './tokenizer.js';

describe('BYTES elements', () => {
  const texts = ['', 'a', 'Café 東京 🙂', 'x'.repeat(300)];

  it('round-trip as 4-byte little-endian lengths, then UTF-8', () => {
    const bytes = encodeBytesElements(texts);
    assert.deepEqual([...bytes.subarray(0, 9)], [0, 0, 0, 0, 1, 0, 0, 0, 0x61]);
    assert.deepEqual(decodeBytesElements(bytes), texts);
    assert.equal(bytesElementsProblem(bytes, texts.length, (i) => `element ${i}`), undefined);
  });

  it('concatenate into a batch: two requests joined are their elements in order', () => {
    const joined = Buffer.concat([encodeBytesElements(['a', 'b']), encodeBytesElements(['c'])]);
    assert.deepEqual(decodeBytesElements(joined), ['a', 'b', 'c']);
  });

  it('say what is wrong with a malformed body: short, overlong, too long for the shape, not UTF-8', () => {
    const label = (i: number) => `element ${i}`;
    const bytes = encodeBytesElements(['ab', 'cd']);
    assert.match(bytesElementsProblem(bytes, 3, label)!, /ends before element 2's 4-byte length \(3 elements expected\)/);
    assert.match(bytesElementsProblem(bytes.subarray(0, 11), 2, label)!, /element 1 says 2 bytes, but only 1 remain/);
    assert.match(bytesElementsProblem(bytes, 1, label)!, /6 bytes follow the 1 elements/);
    assert.match(bytesElementsProblem(Uint8Array.from([2, 0, 0, 0, 0xc3, 0x28]), 1, label)!, /element 0 is not valid UTF-8/);
  });

  it('tell a lone surrogate from a pair', () => {
    assert.equal(isWellFormedText('a😀b'), true);
    assert.equal(isWellFormedText('a\ud800b'), false);
    assert.equal(isWellFormedText('\udc00'), false);
  });
});

describe('token ids', () => {
  it('truncate to the limit keeping the closing special token, as the tokenizer itself truncates', () => {
    assert.deepEqual(truncateIds([101, 1, 2, 3, 102], 5), [101, 1, 2, 3, 102]);
    assert.deepEqual(truncateIds([101, 1, 2, 3, 102], 4), [101, 1, 2, 102]);
  });

  it('pad a batch to its longest row, with the attention mask and zero token types', () => {
    const batch = padBatch([[101, 7, 102], [101, 102]], Int32Array.from([3, 9]));
    assert.equal(batch.length, 3);
    assert.deepEqual([...batch.inputIds], [101n, 7n, 102n, 101n, 102n, 0n]);
    assert.deepEqual([...batch.attentionMask], [1n, 1n, 1n, 1n, 1n, 0n]);
    assert.deepEqual([...batch.tokenTypeIds], [0n, 0n, 0n, 0n, 0n, 0n]);
    assert.deepEqual([...batch.tokenCounts], [3, 9]);
  });
});

describe('pooling', () => {
  it('averages only the tokens the mask keeps, and normalises each row to unit length', () => {
    // 2 rows × 2 tokens × 2 dims; row 1's second token is padding.
    const hidden = Float32Array.from([1, 2, 3, 4, 6, 8, 100, 100]);
    const pooled = meanPool(hidden, BigInt64Array.from([1n, 1n, 1n, 0n]), 2, 2, 2);
    assert.deepEqual([...pooled], [2, 3, 6, 8]);
    const norms = l2NormalizeRows(pooled, 2);
    assert.deepEqual([...norms].map((n) => +n.toFixed(5)), [+Math.hypot(2, 3).toFixed(5), 10]);
    assert.deepEqual([...pooled.subarray(2)].map((v) => +v.toFixed(5)), [0.6, 0.8]);
  });

  it('leaves a row without tokens at zeros rather than dividing by zero', () => {
    const pooled = meanPool(Float32Array.from([5, 5]), BigInt64Array.from([0n]), 1, 1, 2);
    l2NormalizeRows(pooled, 2);
    assert.deepEqual([...pooled], [0, 0]);
  });
});
