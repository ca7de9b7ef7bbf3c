// What a model file is served as: a tensor model, its graph's inputs and outputs as they are, or a text-embedding
// model (a transformer encoder with its tokenizer beside it), text in and one vector per text out.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { ModelSignature } from './model-signature.js';

/** The served text-embedding model's one input (BYTES [N]) and one output (FP32 [N, dim]). */
export const textInputName = 'text';
export const embeddingOutputName = 'embedding';
/** Outputs a text-embedding run adds beside the served one, for TEI's options: tokens before truncation, norms before normalisation. */
export const tokenCountOutputName = 'token_count';
export const normOutputName = 'norm';


export interface TextEmbeddingKind {
  kind: 'text-embedding';
  tokenizerPath: string;
  /** Graph inputs among input_ids, attention_mask, token_type_ids. */
  graphInputs: string[];
  /** The graph output of token states [batch, seq, dim] that is pooled. */
  hiddenOutput: string;
  dimension: number;
  /** Texts are truncated to this many tokens, special tokens included. */
  maxTokens: number;
}

export type ModelKind = { kind: 'tensor' } | TextEmbeddingKind;

const tokenInputs = ['input_ids', 'attention_mask', 'token_type_ids'];

/** The tokenizer that belongs to a model file: NAME-tokenizer.json beside NAME.onnx, or tokenizer.json in its folder. */
export function tokenizerBeside(modelPath: string): string | undefined {
  const stem = modelPath.replace(/\.onnx$/, '');
  return [`${stem}-tokenizer.json`, path.join(path.dirname(modelPath), 'tokenizer.json')].find((f) => existsSync(f));
}

/**
 * The kind of a model from its graph and the tokenizer found beside it. Pure: a graph that takes input_ids and
 * attention_mask (and optionally token_type_ids) and returns token states [batch, seq, dim], with a tokenizer, is a
 * text-embedding model; anything else is served as tensors.
 */
export function modelKindOf(graph: ModelSignature, tokenizerPath: string | undefined, maxTokens: number): ModelKind {
  const names = graph.inputs.map((i) => i.name);
  const textGraph = names.includes('input_ids') && names.includes('attention_mask') && names.every((n) => tokenInputs.includes(n));
  const hidden = graph.outputs.find((o) => o.datatype === 'FP32' && o.shape.length === 3 && o.shape[2] > 0);
  if (!tokenizerPath || !textGraph || !hidden) return { kind: 'tensor' };
  return { kind: 'text-embedding', tokenizerPath, graphInputs: names, hiddenOutput: hidden.name, dimension: hidden.shape[2], maxTokens };
}

/** The inputs and outputs clients see: the graph's own, or for a text-embedding model text in and embeddings out. */
export function servedSignature(kind: ModelKind, graph: ModelSignature): ModelSignature {
  if (kind.kind === 'tensor') return graph;
  return {
    inputs: [{ name: textInputName, datatype: 'BYTES', shape: [-1] }],
    outputs: [{ name: embeddingOutputName, datatype: 'FP32', shape: [-1, kind.dimension] }],
  };
}

/** A served model: its kind, and the signature clients see. One per server, the same in every executor. */
export interface ServedModel {
  kind: ModelKind;
  signature: ModelSignature;
}
