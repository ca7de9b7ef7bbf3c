import { datatypeOfOrtType } from './datatypes.js';

/** One input or output as the Open Inference Protocol describes it; -1 marks a dynamic dimension. */
export interface TensorSpec {
  name: string;
  datatype: string;
  shape: number[];
}

export interface ModelSignature {
  inputs: TensorSpec[];
  outputs: TensorSpec[];
}

/** What onnxruntime reports for a tensor input/output (InferenceSession.ValueMetadata). */
export interface OrtValueMetadata {
  name: string;
  isTensor: boolean;
  type?: string;
  shape?: ReadonlyArray<number | string>;
}

function tensorSpec(meta: OrtValueMetadata, role: string): TensorSpec {
  if (!meta.isTensor || meta.type === undefined) {
    throw new Error(`model ${role} '${meta.name}' is not a tensor; only tensor inputs and outputs are supported`);
  }
  const info = datatypeOfOrtType(meta.type);
  if (!info) throw new Error(`model ${role} '${meta.name}' has element type ${meta.type}, which the server does not support`);
  const shape = (meta.shape ?? []).map((d) => (typeof d === 'number' && d >= 0 ? d : -1));
  return { name: meta.name, datatype: info.datatype, shape };
}

export function signatureFromOrt(inputs: readonly OrtValueMetadata[], outputs: readonly OrtValueMetadata[]): ModelSignature {
  return { inputs: inputs.map((m) => tensorSpec(m, 'input')), outputs: outputs.map((m) => tensorSpec(m, 'output')) };
}

/**
 * Why the model cannot be batched along its first dimension, or undefined if it can:
 * every input and output must have a dynamic first dimension.
 */
export function batchingObstacle(signature: ModelSignature): string | undefined {
  for (const [role, specs] of [['input', signature.inputs], ['output', signature.outputs]] as const) {
    for (const spec of specs) {
      if (spec.shape.length === 0 || spec.shape[0] !== -1) {
        return `${role} '${spec.name}' has shape [${spec.shape.join(', ')}], whose first (batch) dimension is not dynamic`;
      }
    }
  }
  return undefined;
}

export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
