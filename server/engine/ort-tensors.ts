import * as ort from 'onnxruntime-node';
import { datatypeInfo, datatypeOfOrtType, type NamedTensors, type TypedArray } from '../datatypes.js';
import { joinParts, type BatchInputs } from './executor.js';

export function toOrtFeeds(inputs: BatchInputs): Record<string, ort.Tensor> {
  const feeds: Record<string, ort.Tensor> = {};
  for (const [name, input] of Object.entries(inputs)) {
    const info = datatypeInfo(input.datatype)!;
    feeds[name] = new ort.Tensor(info.ortType as 'float32', joinParts(input.parts) as Float32Array, input.shape);
  }
  return feeds;
}

export function fromOrtOutputs(results: Record<string, ort.OnnxValue>): NamedTensors {
  const outputs: NamedTensors = {};
  for (const [name, value] of Object.entries(results)) {
    const tensor = value as ort.Tensor;
    const info = datatypeOfOrtType(tensor.type);
    if (!info) throw new Error(`output '${name}' has element type ${tensor.type}, which the server cannot return`);
    outputs[name] = { datatype: info.datatype, shape: tensor.dims.map(Number), data: tensor.data as TypedArray };
  }
  return outputs;
}
