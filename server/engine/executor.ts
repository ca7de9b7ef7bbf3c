import type { NamedTensors, TypedArray } from '../datatypes.js';
import type { ModelKind } from '../model-kind.js';
import type { ModelSignature } from '../model-signature.js';

/** One input of a run: its shape once the parts (one per request, along the first dimension) are joined. */
export interface BatchInput {
  datatype: string;
  shape: number[];
  parts: TypedArray[];
}

export type BatchInputs = Record<string, BatchInput>;

export interface RunResult {
  outputs: NamedTensors;
  inferenceMs: number;
}

/** Something that runs one ONNX session, one run at a time: a worker thread, or the main thread itself. */
export interface Executor {
  /** The inputs and outputs clients see (for a text-embedding model, not the graph's). */
  readonly signature: ModelSignature;
  readonly kind: ModelKind;
  run(inputs: BatchInputs): Promise<RunResult>;
  /** False once the executor can no longer run anything (its worker died). */
  readonly alive: boolean;
  close(): Promise<void>;
}

/** Joins the parts of a batch into one array (no copy when there is a single part). */
export function joinParts(parts: TypedArray[]): TypedArray {
  if (parts.length === 1) return parts[0];
  const Ctor = parts[0].constructor as new (n: number) => TypedArray;
  const joined = new Ctor(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    (joined as Float32Array).set(p as Float32Array, offset);
    offset += p.length;
  }
  return joined;
}
