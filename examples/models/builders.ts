// Pure builders: each demo model as an ONNX graph with seeded weights. No I/O here.
import { describeModel, type ModelDescription, type ModelTensorType, type TensorSignature } from './catalog.js';
import {
  DataType,
  floatTensor,
  int64Tensor,
  intAttr,
  intsAttr,
  type Attribute,
  type DataTypeCode,
  type Model,
  type Node,
  type Tensor,
  type ValueInfo,
} from './onnx-writer.js';
import { seededRandom as mulberry32 } from '../../bench/random.js';
import { biasBound, heBound, uniformArray, xavierBound } from './random.js';

export const IR_VERSION = 8;
export const OPSET_VERSION = 17;
export const PRODUCER_NAME = 'vernier-demo-models';

export interface BuiltModel {
  description: ModelDescription;
  model: Model;
  /** Trainable values (weights and biases); constants such as reshape targets are not counted. */
  parameterCount: number;
}

const ELEM_TYPES: Record<ModelTensorType, DataTypeCode> = {
  float32: DataType.FLOAT,
  int64: DataType.INT64,
  int32: DataType.INT32,
  uint8: DataType.UINT8,
};

function valueInfo(sig: TensorSignature): ValueInfo {
  return { name: sig.name, elemType: ELEM_TYPES[sig.type], shape: [...sig.shape] };
}

/** Accumulates nodes and initializers, and counts trainable parameters as they are added. */
class GraphBuilder {
  readonly nodes: Node[] = [];
  readonly initializers: Tensor[] = [];
  parameterCount = 0;

  constructor(private readonly random: () => number) {}

  parameter(name: string, dims: readonly number[], bound: number): string {
    const count = dims.reduce((a, b) => a * b, 1);
    this.initializers.push(floatTensor(name, dims, uniformArray(this.random, count, bound)));
    this.parameterCount += count;
    return name;
  }

  constant(tensor: Tensor): string {
    this.initializers.push(tensor);
    return tensor.name;
  }

  op(opType: string, inputs: readonly string[], output: string, attributes: readonly Attribute[] = []): string {
    this.nodes.push({ opType, name: `${output}/${opType}`, inputs, outputs: [output], attributes });
    return output;
  }

  /** y = x·Wᵀ + b, W stored [out, in] as in most frameworks. */
  dense(x: string, name: string, inFeatures: number, outFeatures: number, init: 'he' | 'xavier', output = name): string {
    const bound = init === 'he' ? heBound(inFeatures) : xavierBound(inFeatures, outFeatures);
    const w = this.parameter(`${name}.weight`, [outFeatures, inFeatures], bound);
    const b = this.parameter(`${name}.bias`, [outFeatures], biasBound(inFeatures));
    return this.op('Gemm', [x, w, b], output, [intAttr('transB', 1)]);
  }

  conv1d(x: string, name: string, inChannels: number, outChannels: number, kernel: number, stride: number, pad: number): string {
    const fanIn = inChannels * kernel;
    const w = this.parameter(`${name}.weight`, [outChannels, inChannels, kernel], heBound(fanIn));
    const b = this.parameter(`${name}.bias`, [outChannels], biasBound(fanIn));
    return this.op('Conv', [x, w, b], name, [
      intsAttr('kernel_shape', [kernel]),
      intsAttr('strides', [stride]),
      intsAttr('pads', [pad, pad]),
    ]);
  }

  toModel(description: ModelDescription): BuiltModel {
    return {
      description,
      parameterCount: this.parameterCount,
      model: {
        irVersion: IR_VERSION,
        opsetVersion: OPSET_VERSION,
        producerName: PRODUCER_NAME,
        graph: {
          name: description.name,
          nodes: this.nodes,
          initializers: this.initializers,
          inputs: description.inputs.map(valueInfo),
          outputs: description.outputs.map(valueInfo),
        },
      },
    };
  }
}

/** Output length of a 1-D convolution or pooling window (no dilation, floor mode). */
export function windowOutputLength(length: number, kernel: number, stride: number, pad = 0): number {
  return Math.floor((length + 2 * pad - kernel) / stride) + 1;
}

// Both mlp variants share a seed so their weights, and therefore their outputs, are identical.
const MLP_SEED = 0x6d6c70;
const AUDIO_CNN_SEED = 0xa0d10;

function buildMlp(description: ModelDescription): BuiltModel {
  const g = new GraphBuilder(mulberry32(MLP_SEED));
  const [input] = description.inputs;
  const [output] = description.outputs;
  let x = g.dense(input.name, 'fc1', 32, 64, 'he');
  x = g.op('Relu', [x], 'fc1.relu');
  x = g.dense(x, 'fc2', 64, 64, 'he');
  x = g.op('Relu', [x], 'fc2.relu');
  g.dense(x, 'fc3', 64, 4, 'xavier', output.name);
  return g.toModel(description);
}

/**
 * Audio CNN layout. The strided stem and pooling after every convolution bound the compute
 * (about 250M multiply-adds, ~5 ms for one sample on one CPU thread); most parameters sit in fc1.
 */
export const AUDIO_CNN = {
  samples: 48000,
  classes: 10,
  stem: { channels: 64, kernel: 80, stride: 2 },
  blocks: [64, 128, 128],
  pool: 4,
  hidden: 188,
} as const;

function buildAudioCnn(description: ModelDescription): BuiltModel {
  const { samples, classes, stem, blocks, pool, hidden } = AUDIO_CNN;
  const g = new GraphBuilder(mulberry32(AUDIO_CNN_SEED));
  const [input] = description.inputs;
  const [output] = description.outputs;

  const shape = g.constant(int64Tensor('audio.shape', [3], [-1, 1, samples]));
  let x = g.op('Reshape', [input.name, shape], 'audio.reshaped');

  const poolAttrs = [intsAttr('kernel_shape', [pool]), intsAttr('strides', [pool])];
  x = g.conv1d(x, 'stem', 1, stem.channels, stem.kernel, stem.stride, 0);
  x = g.op('Relu', [x], 'stem.relu');
  x = g.op('MaxPool', [x], 'stem.pool', poolAttrs);
  let length = windowOutputLength(windowOutputLength(samples, stem.kernel, stem.stride), pool, pool);
  let channels: number = stem.channels;

  blocks.forEach((outChannels, i) => {
    const name = `block${i + 1}`;
    x = g.conv1d(x, `${name}.conv`, channels, outChannels, 3, 1, 1);
    x = g.op('Relu', [x], `${name}.relu`);
    x = g.op('MaxPool', [x], `${name}.pool`, poolAttrs);
    length = windowOutputLength(length, pool, pool);
    channels = outChannels;
  });

  x = g.op('Flatten', [x], 'flatten', [intAttr('axis', 1)]);
  x = g.dense(x, 'fc1', channels * length, hidden, 'he');
  x = g.op('Relu', [x], 'fc1.relu');
  x = g.dense(x, 'fc2', hidden, classes, 'xavier', 'logits');
  g.op('Softmax', [x], output.name, [intAttr('axis', 1)]);
  return g.toModel(description);
}

function buildMultiDtype(description: ModelDescription): BuiltModel {
  const g = new GraphBuilder(mulberry32(0));
  const axes = g.constant(int64Tensor('axes', [1], [1]));
  const sums = description.inputs.map((input) => {
    const asFloat = g.op('Cast', [input.name], `${input.name}.float`, [intAttr('to', DataType.FLOAT)]);
    return g.op('ReduceSum', [asFloat, axes], `${input.name}.sum`, [intAttr('keepdims', 1)]);
  });
  const [summary, argmax] = description.outputs;
  g.op('Concat', sums, summary.name, [intAttr('axis', 1)]);
  const pixelsAsFloat = `${description.inputs[2].name}.float`;
  g.op('ArgMax', [pixelsAsFloat], argmax.name, [intAttr('axis', 1), intAttr('keepdims', 0)]);
  return g.toModel(description);
}

const BUILDERS: Record<string, (description: ModelDescription) => BuiltModel> = {
  mlp: buildMlp,
  'audio-cnn': buildAudioCnn,
  'mlp-fixed-batch': buildMlp,
  'multi-dtype': buildMultiDtype,
};

export function buildModel(name: string): BuiltModel {
  const description = describeModel(name);
  const build = BUILDERS[name];
  if (!build) throw new Error(`demo model '${name}' is in the catalog but has no builder`);
  return build(description);
}
