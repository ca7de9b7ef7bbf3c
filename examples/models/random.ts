// Seeded weight initialisation, drawing from bench/random.ts's generator. Only integer arithmetic, multiplication and
// sqrt are used, so the generated weights are bit-identical on every platform and Node version.

/** Values drawn uniformly from [-bound, bound). */
export function uniformArray(random: () => number, count: number, bound: number): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = (random() * 2 - 1) * bound;
  return out;
}

/** He (Kaiming) uniform bound, for weights followed by ReLU. */
export const heBound = (fanIn: number): number => Math.sqrt(6 / fanIn);

/** Xavier (Glorot) uniform bound, for the final linear layer. */
export const xavierBound = (fanIn: number, fanOut: number): number => Math.sqrt(6 / (fanIn + fanOut));

/** PyTorch-style bias bound: small, so biases do not dominate the activations. */
export const biasBound = (fanIn: number): number => 1 / Math.sqrt(fanIn);
