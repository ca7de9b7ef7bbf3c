// Interleaved rounds: each round runs every contender once, in an order rotated round by round, so that drift on a
// shared machine (another tenant, a slower hour) lands on all of them alike; a contender's figure is its rounds' median.

/** The list rotated by k, so no contender always runs first (or last) in a round. */
export function rotated<T>(list: readonly T[], k: number): T[] {
  const i = list.length === 0 ? 0 : k % list.length;
  return [...list.slice(i), ...list.slice(0, i)];
}

/** The median of the values that are numbers (two: their mean); null when there are none. */
export function median(values: readonly (number | null)[]): number | null {
  const sorted = values.filter((v): v is number => v !== null && Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
