// OIP v2 BYTES tensors as they travel: each element a 4-byte little-endian length, then its bytes. Requests in this
// form concatenate into a batch, so the scheduler joins and splits them like any other tensor.
import { isUtf8 } from 'node:buffer';

/** The elements' serialized form, in a buffer of its own (transferable to a worker thread). */
export function encodeBytesElements(texts: readonly string[]): Uint8Array {
  const encoded = texts.map((t) => Buffer.from(t, 'utf8'));
  const out = new Uint8Array(encoded.reduce((n, b) => n + 4 + b.byteLength, 0));
  const view = new DataView(out.buffer);
  let offset = 0;
  for (const bytes of encoded) {
    view.setUint32(offset, bytes.byteLength, true);
    out.set(bytes, offset + 4);
    offset += 4 + bytes.byteLength;
  }
  return out;
}

/**
 * Why `bytes` is not exactly `count` length-prefixed UTF-8 elements, or undefined when it is. `label(i)` names
 * element i in the message.
 */
export function bytesElementsProblem(bytes: Uint8Array, count: number, label: (i: number) => string): string | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 0;
  for (let i = 0; i < count; i++) {
    if (offset + 4 > bytes.byteLength) return `the data ends before ${label(i)}'s 4-byte length (${count} elements expected)`;
    const length = view.getUint32(offset, true);
    const end = offset + 4 + length;
    if (end > bytes.byteLength) return `${label(i)} says ${length} bytes, but only ${bytes.byteLength - offset - 4} remain`;
    if (!isUtf8(bytes.subarray(offset + 4, end))) return `${label(i)} is not valid UTF-8`;
    offset = end;
  }
  if (offset !== bytes.byteLength) return `${bytes.byteLength - offset} bytes follow the ${count} elements the shape describes`;
  return undefined;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The elements as strings (already checked to be UTF-8 where they arrived). */
export function decodeBytesElements(bytes: Uint8Array): string[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const texts: string[] = [];
  for (let offset = 0; offset < bytes.byteLength; ) {
    const length = view.getUint32(offset, true);
    texts.push(utf8.decode(bytes.subarray(offset + 4, offset + 4 + length)));
    offset += 4 + length;
  }
  return texts;
}

/** False for a string with a lone surrogate (JSON can carry one as "\ud800"), which no UTF-8 text holds. */
export function isWellFormedText(text: string): boolean {
  // In u mode a surrogate pair is one code point, so only a lone surrogate is in the Cs category.
  return !/\p{Cs}/u.test(text);
}
