// Reads one histogram family out of a Prometheus text exposition (the format prom-client serves on /metrics).
// Only the family's _bucket, _sum and _count lines are parsed; every other line is skipped unread.
import { emptyHistogram, mergeHistograms, type HistogramBucket, type HistogramSnapshot } from './histogram.js';

export type Labels = Readonly<Record<string, string>>;

/**
 * How one label set of the family counts: its observations as measured ('latency'), as observations slower than
 * any bucket ('sla-miss': the caller got no useful answer, however fast), or not at all ('skip').
 */
export type SeriesUse = 'latency' | 'sla-miss' | 'skip';
export type SeriesClassifier = (labels: Labels) => SeriesUse;

/** Counts every label set as measured. */
export const everySeries: SeriesClassifier = () => 'latency';

/** Counts the label sets `predicate` accepts as measured, and skips the others. */
export function seriesWhere(predicate: (labels: Labels) => boolean): SeriesClassifier {
  return (labels) => (predicate(labels) ? 'latency' : 'skip');
}

/** A line of the exposition that breaks the text format. */
export class ExpositionError extends Error {
  constructor(message: string, line?: string) {
    super(line === undefined ? message : `${message}: ${line.length > 200 ? `${line.slice(0, 200)}…` : line}`);
    this.name = 'ExpositionError';
  }
}

interface Series {
  labels: Labels;
  buckets: Map<number, number>;
  count?: number;
  sum?: number;
}

/**
 * The histogram `family` (its name without _bucket/_sum/_count) summed over the label sets `classify` keeps.
 * Undefined when the exposition does not mention the family at all; a family declared but not yet observed (a
 * labelled prom-client histogram before its first observation) gives an empty histogram.
 * Throws ExpositionError when a line of the family is malformed.
 */
export function extractHistogram(exposition: string, family: string, classify: SeriesClassifier = everySeries): HistogramSnapshot | undefined {
  const suffixes = new Map<string, 'bucket' | 'sum' | 'count'>([[`${family}_bucket`, 'bucket'], [`${family}_sum`, 'sum'], [`${family}_count`, 'count']]);
  const series = new Map<string, Series>();
  let declared = false;
  for (const rawLine of exposition.split('\n')) {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (line.startsWith('#')) {
      const type = /^#\s*TYPE\s+(\S+)\s+(\S+)/.exec(line);
      if (type && type[1] === family) {
        if (type[2] !== 'histogram') throw new ExpositionError(`${family} is a ${type[2]}, not a histogram`, line);
        declared = true;
      }
      continue;
    }
    const name = /^[^{\s]*/.exec(line)![0];
    const kind = suffixes.get(name);
    if (kind === undefined) continue;
    declared = true;
    const { labels, value } = parseSample(line, name.length);
    const { le, ...rest } = labels;
    const key = seriesKey(rest);
    const entry = series.get(key) ?? { labels: rest, buckets: new Map<number, number>() };
    series.set(key, entry);
    if (kind === 'bucket') {
      if (le === undefined) throw new ExpositionError(`a ${name} line without an le label`, line);
      const bound = parseNumber(le, line);
      if (entry.buckets.has(bound)) throw new ExpositionError(`a repeated ${name} line`, line);
      entry.buckets.set(bound, value);
    } else {
      entry[kind] = value;
    }
  }
  if (!declared) return undefined;
  const kept: HistogramSnapshot[] = [];
  for (const s of series.values()) {
    const use = classify(s.labels);
    if (use === 'skip') continue;
    const histogram = toSnapshot(family, s);
    kept.push(use === 'sla-miss' ? asMisses(histogram) : histogram);
  }
  return kept.length === 0 ? emptyHistogram() : mergeHistograms(kept);
}

function toSnapshot(family: string, s: Series): HistogramSnapshot {
  const buckets: HistogramBucket[] = [...s.buckets].map(([le, count]) => ({ le, count })).sort((a, b) => a.le - b.le);
  const total = buckets.at(-1);
  if (total?.le !== Infinity) throw new ExpositionError(`${family}${seriesKey(s.labels)} has no le="+Inf" bucket`);
  for (let i = 1; i < buckets.length; i++) {
    if (buckets[i].count < buckets[i - 1].count) throw new ExpositionError(`${family}${seriesKey(s.labels)} has buckets that are not cumulative`);
  }
  return { buckets, count: s.count ?? total.count, sum: s.sum ?? 0 };
}

/** The same observations, all moved above the highest finite bound (the layout kept, so merges keep their bounds). */
function asMisses(h: HistogramSnapshot): HistogramSnapshot {
  return { buckets: h.buckets.map((b) => ({ le: b.le, count: b.le === Infinity ? h.count : 0 })), count: h.count, sum: h.sum };
}

/** A canonical text for a label set, independent of label order. */
function seriesKey(labels: Labels): string {
  return `{${Object.keys(labels).sort().map((k) => `${k}=${JSON.stringify(labels[k])}`).join(',')}}`;
}

/** `name{label="value",...} value [timestamp]`, read from just after the name. */
function parseSample(line: string, start: number): { labels: Record<string, string>; value: number } {
  const labels: Record<string, string> = {};
  let at = start;
  if (line[at] === '{') {
    at++;
    for (;;) {
      while (line[at] === ' ' || line[at] === '\t') at++;
      if (line[at] === '}') break;
      const name = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(line.slice(at))?.[0];
      if (name === undefined || line[at + name.length] !== '=' || line[at + name.length + 1] !== '"') throw new ExpositionError('a malformed label', line);
      at += name.length + 2;
      let value = '';
      for (; at < line.length && line[at] !== '"'; at++) {
        if (line[at] !== '\\') {
          value += line[at];
          continue;
        }
        at++;
        const escaped = line[at];
        value += escaped === 'n' ? '\n' : escaped === '\\' || escaped === '"' ? escaped : `\\${escaped ?? ''}`;
      }
      if (at >= line.length) throw new ExpositionError('an unterminated label value', line);
      labels[name] = value;
      at++;
      while (line[at] === ' ' || line[at] === '\t') at++;
      if (line[at] === ',') at++;
      else if (line[at] !== '}') throw new ExpositionError('a malformed label list', line);
    }
    at++;
  }
  // The value is the first field after the labels; an optional timestamp may follow.
  const value = line.slice(at).trim().split(/\s+/)[0];
  return { labels, value: parseNumber(value, line) };
}

function parseNumber(text: string, line: string): number {
  switch (text.toLowerCase()) {
    case '+inf':
    case 'inf':
      return Infinity;
    case '-inf':
      return -Infinity;
    case 'nan':
      return NaN;
  }
  const value = text === '' ? NaN : Number(text);
  if (Number.isNaN(value)) throw new ExpositionError(`'${text}' is not a number`, line);
  return value;
}
