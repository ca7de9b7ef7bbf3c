// Seeded weight initialisation. Only integer arithmetic, multiplication and sqrt are used,
// so the generated weights are bit-identical on every platform and Node version.

/** mulberry32: a small 32-bit PRNG; returns uniform numbers in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
