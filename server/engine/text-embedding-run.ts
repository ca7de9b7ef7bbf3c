// A text-embedding model's run: BYTES texts → tokenizer → graph → mean pooling over the mask → L2 normalisation.
import * as ort from 'onnxruntime-node';
import { joinParts, type BatchInputs } from './executor.js';
import type { NamedTensors } from '../datatypes.js';
import { embeddingOutputName, normOutputName, textInputName, tokenCountOutputName, type TextEmbeddingKind } from '../model-kind.js';
import { decodeBytesElements } from '../text/bytes-elements.js';
import { l2NormalizeRows, meanPool } from '../text/pooling.js';
import { TextTokenizer, type TokenizedBatch } from '../text/tokenizer.js';

/** Normalised embeddings [rows, dim] of `texts`, with each text's token count and pre-normalisation length. */
export async function embedTexts(session: ort.InferenceSession, tokenizer: TextTokenizer, kind: TextEmbeddingKind, texts: readonly string[]): Promise<NamedTensors> {
  const batch = tokenizer.batch(texts, kind.maxTokens);
  const results = await session.run(graphFeeds(batch, kind.graphInputs));
  const pooled = meanPool(results[kind.hiddenOutput].data as Float32Array, batch.attentionMask, batch.rows, batch.length, kind.dimension);
  const norms = l2NormalizeRows(pooled, kind.dimension);
  return {
    [embeddingOutputName]: { datatype: 'FP32', shape: [batch.rows, kind.dimension], data: pooled },
    [tokenCountOutputName]: { datatype: 'INT32', shape: [batch.rows], data: batch.tokenCounts },
    [normOutputName]: { datatype: 'FP32', shape: [batch.rows], data: norms },
  };
}

function graphFeeds(batch: TokenizedBatch, graphInputs: readonly string[]): Record<string, ort.Tensor> {
  const dims = [batch.rows, batch.length];
  const all: Record<string, BigInt64Array> = { input_ids: batch.inputIds, attention_mask: batch.attentionMask, token_type_ids: batch.tokenTypeIds };
  return Object.fromEntries(graphInputs.map((name) => [name, new ort.Tensor('int64', all[name], dims)]));
}

/**
 * The run function for a text-embedding session. Its first run, a text as long as the limit, happens here: a limit
 * beyond what the graph accepts fails at start rather than on a long request, and the run warms the session.
 */
export async function textEmbeddingRun(session: ort.InferenceSession, kind: TextEmbeddingKind): Promise<(inputs: BatchInputs) => Promise<NamedTensors>> {
  const tokenizer = TextTokenizer.fromFile(kind.tokenizerPath);
  try {
    await embedTexts(session, tokenizer, kind, ['a '.repeat(kind.maxTokens)]);
  } catch (err) {
    throw new Error(`the model does not take ${kind.maxTokens} tokens (--max-tokens): ${(err as Error).message}`, { cause: err });
  }
  return (inputs) => embedTexts(session, tokenizer, kind, decodeBytesElements(joinParts(inputs[textInputName].parts) as Uint8Array));
}
