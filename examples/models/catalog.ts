// The demo models' names and signatures: the contract between the generator and its users.

/** Element types, named as onnxruntime's Tensor.Type names them. */
export type ModelTensorType = 'float32' | 'int64' | 'int32' | 'uint8';

/** 'batch' marks the dynamic batch dimension; numbers are fixed sizes. */
export type ModelDim = number | 'batch';

export interface TensorSignature {
  name: string;
  type: ModelTensorType;
  shape: readonly ModelDim[];
}

export interface ModelDescription {
  name: string;
  file: string;
  summary: string;
  inputs: readonly TensorSignature[];
  outputs: readonly TensorSignature[];
  /** True when dimension 0 of every input and output is the symbolic 'batch'. */
  dynamicBatch: boolean;
}

const mlpInputs = [{ name: 'features', type: 'float32', shape: ['batch', 32] }] as const;
const mlpOutputs = [{ name: 'logits', type: 'float32', shape: ['batch', 4] }] as const;

export const MODEL_CATALOG: readonly ModelDescription[] = [
  {
    name: 'mlp',
    file: 'mlp.onnx',
    summary: 'tabular MLP: 32 features → 64 → 64 → 4 logits',
    inputs: mlpInputs,
    outputs: mlpOutputs,
    dynamicBatch: true,
  },
  {
    name: 'audio-cnn',
    file: 'audio-cnn.onnx',
    summary: '1-D CNN over 1 s of 48 kHz audio → softmax over 10 classes (~2.3M parameters)',
    inputs: [{ name: 'audio', type: 'float32', shape: ['batch', 48000] }],
    outputs: [{ name: 'scores', type: 'float32', shape: ['batch', 10] }],
    dynamicBatch: true,
  },
  {
    name: 'mlp-fixed-batch',
    file: 'mlp-fixed-batch.onnx',
    summary: 'the mlp model with its batch dimension fixed to 1',
    inputs: [{ name: 'features', type: 'float32', shape: [1, 32] }],
    outputs: [{ name: 'logits', type: 'float32', shape: [1, 4] }],
    dynamicBatch: false,
  },
  {
    name: 'multi-dtype',
    file: 'multi-dtype.onnx',
    summary: 'datatype test: summary = [Σids, Σmask, Σpixels] per row, argmax = first index of the largest pixel',
    inputs: [
      { name: 'ids', type: 'int64', shape: ['batch', 8] },
      { name: 'mask', type: 'int32', shape: ['batch', 8] },
      { name: 'pixels', type: 'uint8', shape: ['batch', 16] },
    ],
    outputs: [
      { name: 'summary', type: 'float32', shape: ['batch', 3] },
      { name: 'argmax', type: 'int64', shape: ['batch'] },
    ],
    dynamicBatch: true,
  },
];

export function describeModel(name: string): ModelDescription {
  const found = MODEL_CATALOG.find((m) => m.name === name);
  if (!found) {
    throw new Error(`unknown demo model '${name}': expected one of ${MODEL_CATALOG.map((m) => m.name).join(', ')}`);
  }
  return found;
}
