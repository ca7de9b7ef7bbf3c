// Text to the model's int64 inputs: tokenizer.json read by @huggingface/tokenizers, truncated and padded here.
// @huggingface/tokenizers: pure TypeScript (nothing to build in the image), and its ids match Python's tokenizers.
import { readFileSync } from 'node:fs';
import { Tokenizer } from '@huggingface/tokenizers';

/** A batch as the graph takes it: row-major [rows, length], each row padded with zeros to the longest. */
export interface TokenizedBatch {
  rows: number;
  length: number;
  inputIds: BigInt64Array;
  attentionMask: BigInt64Array;
  tokenTypeIds: BigInt64Array;
  /** Each text's token count before truncation, special tokens included. */
  tokenCounts: Int32Array;
}

/**
 * At most `maxTokens` ids, keeping the closing special token ([SEP]) as the tokenizer's own truncation does.
 * Pure.
 */
export function truncateIds(ids: readonly number[], maxTokens: number): readonly number[] {
  if (ids.length <= maxTokens) return ids;
  return [...ids.slice(0, maxTokens - 1), ids[ids.length - 1]];
}

/** Rows of ids as one batch padded to its longest row, with the attention mask and zero token type ids. Pure. */
export function padBatch(rows: readonly (readonly number[])[], tokenCounts: Int32Array): TokenizedBatch {
  const length = rows.reduce((n, r) => Math.max(n, r.length), 0);
  const inputIds = new BigInt64Array(rows.length * length);
  const attentionMask = new BigInt64Array(rows.length * length);
  rows.forEach((ids, r) => {
    for (let t = 0; t < ids.length; t++) {
      inputIds[r * length + t] = BigInt(ids[t]);
      attentionMask[r * length + t] = 1n;
    }
  });
  return { rows: rows.length, length, inputIds, attentionMask, tokenTypeIds: new BigInt64Array(rows.length * length), tokenCounts };
}

export class TextTokenizer {
  private constructor(private readonly tokenizer: Tokenizer) {}

  static fromFile(path: string): TextTokenizer {
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(readFileSync(path, 'utf8'));
    } catch (err) {
      throw new Error(`cannot read tokenizer ${path}: ${(err as Error).message}`, { cause: err });
    }
    // The file's own truncation and fixed padding (128 in MiniLM's) are not the model's: the server sets both.
    return new TextTokenizer(new Tokenizer({ ...json, truncation: null, padding: null }, {}));
  }

  /** A text's ids with the special tokens, untruncated. */
  ids(text: string): number[] {
    return this.tokenizer.encode(text).ids;
  }

  batch(texts: readonly string[], maxTokens: number): TokenizedBatch {
    const counts = new Int32Array(texts.length);
    const rows = texts.map((text, i) => {
      const ids = this.ids(text);
      counts[i] = ids.length;
      return truncateIds(ids, maxTokens);
    });
    return padBatch(rows, counts);
  }
}
