import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { modelKindOf, servedSignature } from './model-kind.js';
import type { ModelSignature } from './model-signature.js';

const token = (name: string) => ({ name, datatype: 'INT64', shape: [-1, -1] });
const encoder: ModelSignature = {
  inputs: [token('input_ids'), token('attention_mask'), token('token_type_ids')],
  outputs: [{ name: 'last_hidden_state', datatype: 'FP32', shape: [-1, -1, 384] }],
};

describe('model kind', () => {
  it('is a text-embedding model for an encoder graph with a tokenizer beside it, served as text in and embeddings out', () => {
    const kind = modelKindOf(encoder, '/m/tokenizer.json', 256);
    assert.deepEqual(kind, {
      kind: 'text-embedding',
      tokenizerPath: '/m/tokenizer.json',
      graphInputs: ['input_ids', 'attention_mask', 'token_type_ids'],
      hiddenOutput: 'last_hidden_state',
      dimension: 384,
      maxTokens: 256,
    });
    assert.deepEqual(servedSignature(kind, encoder), {
      inputs: [{ name: 'text', datatype: 'BYTES', shape: [-1] }],
      outputs: [{ name: 'embedding', datatype: 'FP32', shape: [-1, 384] }],
    });
  });

  it('is a tensor model, served as its graph, without a tokenizer or without token inputs and token states', () => {
    assert.deepEqual(modelKindOf(encoder, undefined, 256), { kind: 'tensor' });
    const mlp: ModelSignature = { inputs: [{ name: 'features', datatype: 'FP32', shape: [-1, 32] }], outputs: [{ name: 'logits', datatype: 'FP32', shape: [-1, 4] }] };
    assert.deepEqual(modelKindOf(mlp, '/m/tokenizer.json', 256), { kind: 'tensor' });
    assert.deepEqual(modelKindOf({ ...encoder, inputs: [...encoder.inputs, token('pixel_values')] }, '/m/tokenizer.json', 256), { kind: 'tensor' });
    assert.deepEqual(modelKindOf({ ...encoder, outputs: [{ name: 'pooled', datatype: 'FP32', shape: [-1, 384] }] }, '/m/tokenizer.json', 256), { kind: 'tensor' });
    assert.equal(servedSignature({ kind: 'tensor' }, mlp), mlp);
  });
});
