// Seeded pseudo-random numbers, so payloads and arrival schedules are reproducible run to run. The demo models draw
// their weights from it too: integer arithmetic only, so a seed gives the same numbers on every platform.

/** mulberry32: a small 32-bit PRNG; returns uniform numbers in [0, 1). */
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
