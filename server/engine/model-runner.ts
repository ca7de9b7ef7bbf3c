// One loaded model and how a batch runs through it: tensors straight into the graph, or text through the tokenizer,
// the graph and pooling. Both executors (a worker thread, or the main thread for `inline`) run models through this.
import * as ort from 'onnxruntime-node';
import { TEXT_TOKENS } from '../../contracts/serve-options.js';
import { modelKindOf, servedSignature, tokenizerBeside, type ServedModel } from '../model-kind.js';
import { signatureFromOrt } from '../model-signature.js';
import type { NamedTensors } from '../datatypes.js';
import type { BatchInputs } from './executor.js';
import { fromOrtOutputs, toOrtFeeds } from './ort-tensors.js';
import { sessionOptions, type SessionSettings } from './session-options.js';
import { textEmbeddingRun } from './text-embedding-run.js';

export interface ModelRunner {
  readonly model: ServedModel;
  run(inputs: BatchInputs): Promise<NamedTensors>;
  release(): Promise<void>;
}

export async function loadModelRunner(settings: SessionSettings): Promise<ModelRunner> {
  const session = await ort.InferenceSession.create(settings.modelPath, sessionOptions(settings));
  try {
    const graph = signatureFromOrt(session.inputMetadata, session.outputMetadata);
    const kind = modelKindOf(graph, tokenizerBeside(settings.modelPath), settings.maxTokens ?? TEXT_TOKENS.default);
    const model: ServedModel = { kind, signature: servedSignature(kind, graph) };
    const run = kind.kind === 'tensor' ? async (inputs: BatchInputs) => fromOrtOutputs(await session.run(toOrtFeeds(inputs))) : await textEmbeddingRun(session, kind);
    return { model, run, release: () => session.release() };
  } catch (err) {
    await session.release();
    throw err;
  }
}
