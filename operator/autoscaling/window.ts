// The request rate and latency of all server pods together over a sliding window, from periodic scrapes of each pod's
// cumulative histogram. Quantiles come from the merged deltas, never from an average of per-pod quantiles.
import { histogramDelta, histogramQuantile, mergeHistograms, type HistogramSnapshot } from './histogram.js';

/**
 * One scrape of the server pods at `at` (ms since the epoch): each pod that was ready then, by name, with its
 * histogram, or null when its scrape failed. A pod not listed was not there (not yet ready, or gone).
 */
export interface ScrapeRound {
  at: number;
  pods: Readonly<Record<string, HistogramSnapshot | null>>;
}

export interface WindowFigures {
  /** Requests per second over the window, all pods together. */
  rps: number;
  /** Requests per second between the last two scrapes (pods scraped at both): a step up shows here a window earlier. */
  latestRps: number;
  /** The 99th-percentile latency over the window across all pods, in ms; null when no request was counted. */
  p99Ms: number | null;
  /** Requests counted in the window (a p99 of fewer than ~100 is little more than their maximum). */
  requests: number;
  /** Pods with at least two scrapes in the window, whose requests are counted. */
  podsCounted: number;
  /** Pods whose scrape failed at the start or end of the window. */
  podsMissing: string[];
  /** The time the figures span, in seconds: the window, or less while history is still short. */
  windowSeconds: number;
  /** True when the figures span the whole window and every pod was scraped at both of its ends. */
  complete: boolean;
  /** When the latest scrape was made (ms since the epoch). */
  observedAt: number;
}

// A round this much of the window later than its ideal start still starts the window, so that scrape jitter does not
// turn complete windows into incomplete ones.
const lateStartAllowance = 0.05;

/**
 * `rounds` (oldest first) with `round` appended, keeping only the rounds a window of `windowSeconds` ending at
 * `round` needs: the last one at or before its start, and every one after.
 */
export function recordRound(rounds: readonly ScrapeRound[], round: ScrapeRound, windowSeconds: number): ScrapeRound[] {
  const last = rounds.at(-1);
  if (last !== undefined && round.at <= last.at) throw new RangeError(`scrape rounds must be recorded in time order (${round.at} after ${last.at})`);
  const all = [...rounds, round];
  return all.slice(startIndex(all, windowSeconds));
}

/**
 * The figures for the window of `windowSeconds` ending at the latest round. Undefined with fewer than two rounds.
 * - A pod's requests are the sum of the deltas between its successive successful scrapes; a failed scrape is bridged
 *   by the next successful one. A counter that went down marks a restart: the new process's counts are all new.
 * - A pod that appears mid-window counts from its first scrape (the requests it served before that are not seen).
 * - A pod that disappears mid-window keeps counting the requests it served up to its last scrape.
 * - A pod whose latest or first-in-window scrape failed is counted as far as its other scrapes reach, and makes the
 *   window incomplete: the figures then undercount the load.
 */
export function windowFigures(rounds: readonly ScrapeRound[], windowSeconds: number): WindowFigures | undefined {
  if (rounds.length < 2) return undefined;
  const first = startIndex(rounds, windowSeconds);
  const inWindow = rounds.slice(first);
  const start = inWindow[0];
  const latest = inWindow[inWindow.length - 1];
  if (inWindow.length < 2) return undefined;

  const deltas: HistogramSnapshot[] = [];
  let podsCounted = 0;
  for (const pod of new Set(inWindow.flatMap((round) => Object.keys(round.pods)))) {
    const samples = inWindow.map((round) => round.pods[pod]).filter((sample): sample is HistogramSnapshot => sample != null);
    if (samples.length < 2) continue;
    podsCounted++;
    for (let i = 1; i < samples.length; i++) deltas.push(histogramDelta(samples[i - 1], samples[i]));
  }
  const merged = mergeHistograms(deltas);
  const previous = inWindow[inWindow.length - 2];
  let latestCount = 0;
  for (const [pod, sample] of Object.entries(latest.pods)) {
    const before = previous.pods[pod];
    if (sample != null && before != null) latestCount += histogramDelta(before, sample).count;
  }
  const seconds = (latest.at - start.at) / 1000;
  const p99 = histogramQuantile(0.99, merged);
  const podsMissing = [...new Set([start, latest].flatMap((round) => Object.keys(round.pods).filter((pod) => round.pods[pod] === null)))].sort();
  return {
    rps: merged.count / seconds,
    latestRps: latestCount / ((latest.at - previous.at) / 1000),
    p99Ms: p99 === null ? null : p99 * 1000,
    requests: merged.count,
    podsCounted,
    podsMissing,
    windowSeconds: seconds,
    complete: seconds >= windowSeconds * (1 - lateStartAllowance) && podsMissing.length === 0,
    observedAt: latest.at,
  };
}

/** The index of the round that starts the window ending at the last round: the oldest round when history is short. */
function startIndex(rounds: readonly ScrapeRound[], windowSeconds: number): number {
  const latest = rounds[rounds.length - 1].at;
  const latestStart = latest - windowSeconds * 1000 * (1 - lateStartAllowance);
  let index = 0;
  for (let i = 0; i < rounds.length; i++) if (rounds[i].at <= latestStart) index = i;
  return index;
}
