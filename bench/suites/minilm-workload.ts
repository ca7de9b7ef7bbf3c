// The text-embedding workload of `npm run bench:compare`: all-MiniLM-L6-v2, one sentence per request, at the
// reference's concurrency (10) and at 64, reported with the reference's columns and its published figures beside ours.
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { packageRoot } from '../../contracts/package-root.js';
import { fixed } from '../table.js';
import type { ComparePoint, InProcessLimit, PayloadEncoding, TargetVerdict, WorkloadSummary } from './compare-summary.js';

export const minilmModel = 'all-minilm-l6-v2';
export const minilmConcurrencies = [10, 64];

/** A classic sentence-transformers example sentence (14 tokens with [CLS] and [SEP]), taken from the reference fixture. */
export const workloadSentence = 'A man is riding a white horse on an enclosed ground.';

export function isTextWorkload(model: string): boolean {
  return model === minilmModel;
}

export interface TextWorkload {
  sentence: string;
  /** Its token ids, from Hugging Face's tokenizers (testing/minilm-reference/reference.json). */
  ids: number[];
  /** An OIP v2 infer request with the sentence as a BYTES [1] input, for `runBenchmark`'s payloadFile. */
  payloadFile: string;
}

interface ReferenceFixture {
  cases: { text: string; ids: number[] }[];
}

export function referenceFixturePath(): string {
  return path.join(packageRoot(), 'testing', 'minilm-reference', 'reference.json');
}

/** The sentence's ids from the fixture and its request body written into `dir`. */
export async function prepareTextWorkload(dir: string, fixturePath = referenceFixturePath()): Promise<TextWorkload> {
  const fixture = JSON.parse(readFileSync(fixturePath, 'utf8')) as ReferenceFixture;
  const entry = fixture.cases.find((c) => c.text === workloadSentence);
  if (!entry) throw new Error(`${fixturePath} has no case for the workload sentence '${workloadSentence}'`);
  const payloadFile = path.join(dir, `${minilmModel}-request.json`);
  const body = { inputs: [{ name: 'text', shape: [1], datatype: 'BYTES', data: [workloadSentence] }] };
  await writeFile(payloadFile, JSON.stringify(body));
  return { sentence: workloadSentence, ids: entry.ids, payloadFile };
}

/** What the reference published for this workload, on its own hardware: context, not a measurement here. */
export const publishedFigures: { who: string; concurrency: string; rps: number }[] = [
  { who: 'Rust actix + candle, RwLock', concurrency: '10', rps: 13.5 },
  { who: 'Rust actix + candle, Mutex', concurrency: '10', rps: 7.8 },
  { who: 'Python FastAPI + SentenceTransformers, gunicorn 10 workers', concurrency: '-', rps: 278 },
  { who: 'TEI (8+ cores)', concurrency: '10', rps: 605 },
  { who: 'TEI (8+ cores)', concurrency: '100-1,000', rps: 1260 },
];

export const referenceHeader = ['contender', 'CPU %', 'memory MiB', 'requests', 'concurrency', 'req/s', 'mean ms', 'min ms', 'max ms', 'p95 ms', 'p99 ms', 'CPU split %'];

/** How a multi-process server's CPU time fell across its processes ("51/49"): whether its workers shared the load. */
export function cpuSplitLabel(split: number[] | null | undefined): string {
  if (!split || split.length < 2) return '-';
  return split.map((share) => fixed(share, 0)).join('/');
}

/** The reference's columns for our closed-loop points, then its published figures and the in-process limit. */
export function referenceRows(model: string, payload: PayloadEncoding, all: ComparePoint[], contenders: string[], inProcess: InProcessLimit | null): string[][] {
  const rows: string[][] = [];
  for (const contender of contenders) {
    for (const p of all.filter((q) => q.model === model && q.payload === payload && q.contender === contender && q.mode === 'closed')) {
      rows.push([
        contender + (p.generatorHealthy ? '' : ' *'),
        fixed(p.cpuPercent, 0),
        fixed(p.peakRssMiB, 0),
        String(p.requests),
        String(p.concurrency),
        fixed(p.throughputRps),
        fixed(p.meanMs, 2),
        fixed(p.minMs, 2),
        fixed(p.maxMs, 1),
        fixed(p.p95Ms, 2),
        fixed(p.p99Ms, 2),
        cpuSplitLabel(p.cpuSplit),
      ]);
    }
  }
  if (inProcess) {
    rows.push([`in-process onnxruntime (batch ${inProcess.batchSize} × ${inProcess.sessions} session(s))`, '-', '-', '-', '-', fixed(inProcess.rowsPerSecond), '-', '-', '-', '-', '-', '-']);
  }
  for (const f of publishedFigures) rows.push([`published: ${f.who}`, '-', '-', '-', f.concurrency, fixed(f.rps), '-', '-', '-', '-', '-', '-']);
  return rows;
}

/** The text workload's goals: Vernier-best ≥ 1.5× Python-best at a p99 no higher; Vernier-best ≥ 0.8× the in-process limit. */
export function textTargetVerdicts(summaries: WorkloadSummary[]): TargetVerdict[] {
  return summaries
    .filter((s) => isTextWorkload(s.model))
    .flatMap((s) => [
      {
        model: s.model,
        payload: s.payload,
        target: 'Vernier-best / Python-best throughput, at a p99 no higher',
        threshold: 1.5,
        measured: s.vernierOverPython,
        met: s.vernierOverPython !== null && s.vernierOverPython >= 1.5,
      },
      {
        model: s.model,
        payload: s.payload,
        target: 'Vernier-best / in-process limit',
        threshold: 0.8,
        measured: s.vernierOverInProcess,
        met: s.vernierOverInProcess !== null && s.vernierOverInProcess >= 0.8,
      },
    ]);
}
