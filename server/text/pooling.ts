// Sentence embeddings from token states, as sentence-transformers' Pooling (mean) and Normalize modules compute them.

/** Mean of each row's token vectors where the attention mask is 1: [rows, length, dim] → [rows, dim]. Pure. */
export function meanPool(hidden: Float32Array, mask: BigInt64Array, rows: number, length: number, dim: number): Float32Array {
  const pooled = new Float32Array(rows * dim);
  const sum = new Float64Array(dim);
  for (let r = 0; r < rows; r++) {
    sum.fill(0);
    let tokens = 0;
    for (let t = 0; t < length; t++) {
      if (mask[r * length + t] === 0n) continue;
      tokens++;
      const base = (r * length + t) * dim;
      for (let d = 0; d < dim; d++) sum[d] += hidden[base + d];
    }
    // sentence-transformers clamps the token count to 1e-9, so a row without tokens pools to zeros.
    const divisor = Math.max(tokens, 1e-9);
    for (let d = 0; d < dim; d++) pooled[r * dim + d] = sum[d] / divisor;
  }
  return pooled;
}

/** Each row scaled to unit L2 length, in place, and the lengths it had (as torch's normalize, clamped at 1e-12). */
export function l2NormalizeRows(vectors: Float32Array, dim: number): Float32Array {
  const rows = vectors.length / dim;
  const norms = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let squares = 0;
    for (let d = 0; d < dim; d++) squares += vectors[r * dim + d] ** 2;
    const norm = Math.sqrt(squares);
    norms[r] = norm;
    const scale = 1 / Math.max(norm, 1e-12);
    for (let d = 0; d < dim; d++) vectors[r * dim + d] *= scale;
  }
  return norms;
}
