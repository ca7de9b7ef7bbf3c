// Seeded pseudo-random numbers, so payloads and arrival schedules are reproducible run to run.

/** A generator of floats in [0, 1) from a 32-bit seed (mulberry32: small, fast, good enough for load shapes). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
