// Row views over tensors whose first dimension is the batch.
import type { NamedTensors, TypedArray } from '../datatypes.js';

/** Outputs of a batched run, cut back to one request's rows (views, no copies). */
export function sliceRows(outputs: NamedTensors, start: number, rows: number): NamedTensors {
  const sliced: NamedTensors = {};
  for (const [name, t] of Object.entries(outputs)) {
    const perRow = t.shape[0] > 0 ? t.data.length / t.shape[0] : 0;
    sliced[name] = { datatype: t.datatype, shape: [rows, ...t.shape.slice(1)], data: t.data.subarray(start * perRow, (start + rows) * perRow) as TypedArray };
  }
  return sliced;
}
