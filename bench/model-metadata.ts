// The model's metadata (GET /v2/models/{name}) and the concrete input shapes a benchmark sends.
import { z } from 'zod';

export const TensorMetadata = z.object({
  name: z.string().min(1),
  datatype: z.string().min(1),
  /** -1 marks a dynamic dimension. */
  shape: z.array(z.number().int().min(-1)),
});
export type TensorMetadata = z.infer<typeof TensorMetadata>;

/** Only the inputs matter; the rest may be missing or null (servers answer `"versions": null`). */
export const ModelMetadata = z.object({
  name: z.string().nullish(),
  platform: z.string().nullish(),
  versions: z.array(z.string()).nullish(),
  inputs: z.array(TensorMetadata).min(1),
  outputs: z.array(TensorMetadata).nullish(),
});
export type ModelMetadata = z.infer<typeof ModelMetadata>;

export interface InputSpec {
  name: string;
  datatype: string;
  shape: number[];
}

/** Concrete shapes: dynamic dims become 1, and the first dim becomes `batchSize` when one is asked for. */
export function resolveInputShapes(metadata: ModelMetadata, batchSize?: number): InputSpec[] {
  return metadata.inputs.map((input) => {
    const shape = input.shape.map((d, i) => {
      if (i === 0 && batchSize !== undefined) {
        if (d !== -1 && d !== batchSize) {
          throw new Error(
            `input '${input.name}' has a fixed first dimension ${d} (shape [${input.shape.join(', ')}]); ` +
              `batch size ${batchSize} needs a dynamic (-1) first dimension`,
          );
        }
        return batchSize;
      }
      return d === -1 ? 1 : d;
    });
    if (input.shape.length === 0 && batchSize !== undefined) {
      throw new Error(`input '${input.name}' is a scalar; batch size ${batchSize} needs a dynamic (-1) first dimension`);
    }
    return { name: input.name, datatype: input.datatype, shape };
  });
}
