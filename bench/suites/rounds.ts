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

/** Two contenders measured in the same rounds, compared round by round: drift between rounds cancels out of each pair. */
export interface PairedComparison {
  /** Median over the rounds of a's figure / b's figure; null when no round measured both. */
  medianRatio: number | null;
  /** Rounds in which a did better than b. */
  wins: number;
  /** Rounds that measured both. */
  rounds: number;
  /** Two-sided sign test: the chance of a split at least this uneven if neither were better (1 when there are no rounds). */
  signTestP: number;
}

/** Pairs `a[i]` with `b[i]` (round i); `better` says which way is better (req/s: higher; latency: lower). Pure. */
export function comparePaired(a: readonly (number | null)[], b: readonly (number | null)[], better: 'higher' | 'lower'): PairedComparison {
  const ratios: number[] = [];
  let wins = 0;
  let losses = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === null || y === null || !(y > 0)) continue;
    ratios.push(x / y);
    if (x !== y) (better === 'higher' ? x > y : x < y) ? wins++ : losses++;
  }
  return { medianRatio: median(ratios), wins, rounds: ratios.length, signTestP: signTestP(wins, wins + losses) };
}

/** Two-sided binomial sign test with p = 1/2 over `n` untied pairs of which `wins` went one way. Pure. */
export function signTestP(wins: number, n: number): number {
  if (n === 0) return 1;
  const tail = Math.min(wins, n - wins);
  let sum = 0;
  let choose = 1; // C(n, k), built up term by term
  for (let k = 0; k <= tail; k++) {
    sum += choose;
    choose = (choose * (n - k)) / (k + 1);
  }
  return Math.min(1, (2 * sum) / 2 ** n);
}
