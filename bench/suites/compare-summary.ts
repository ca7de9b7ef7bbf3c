// What `npm run bench:compare` concludes from its measurements: the best point of each side, the ratios, the
// targets and the tables. Pure functions of the measured points.
import { fixed, formatTable } from '../table.js';

export type Family = 'vernier' | 'python';
export type PayloadEncoding = 'json' | 'binary';

export interface ComparePoint {
  model: string;
  payload: PayloadEncoding;
  contender: string;
  family: Family;
  mode: 'closed' | 'open';
  concurrency: number | null;
  /** Open loop: intended sends per second, and the fraction of the contender's capacity it stands for. */
  rate: number | null;
  capacityFraction: number | null;
  throughputRps: number;
  /** Measured requests (completed, failed or dropped). */
  requests: number;
  meanMs: number;
  minMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  errorRate: number;
  /** Failed requests by kind (http_<status>, timeout, connection, dropped, other). */
  errors: Record<string, number>;
  cpuPercent: number | null;
  peakRssMiB: number | null;
  /** Each busy process's share of the CPU time in percent, largest first: whether a multi-process server spread the load. */
  cpuSplit: number[] | null;
  /** p99 of /v2/health/live probed during the run (every HEALTH_PROBE_INTERVAL_MS, on a fresh connection). */
  healthP99Ms: number | null;
  /** The same on Vernier's probe port, answered by a thread of its own (null for servers without one). */
  probePortP99Ms: number | null;
  /** CPU of the server's HTTP thread per request answered (Vernier only). */
  httpThreadMicrosPerRequest: number | null;
  /** False when the load generator reported it may have limited the figures. */
  generatorHealthy: boolean;
  /** Share of the machine's CPU time the hypervisor gave to other guests during the point (0–1). */
  steal: number;
  /** Times the point was measured: more than one when steal was above STEAL_WARNING_SHARE; the least stolen is kept. */
  runs: number;
}

export interface InProcessLimit {
  model: string;
  batchSize: number;
  sessions: number;
  intraOpThreads: number;
  rowsPerSecond: number;
  /** Share of the CPU time stolen while the limit was measured (absent in reports from before it was recorded). */
  steal?: number;
}

/** A point counts for "best" only with at most this share of failed requests. */
export const maxErrorRateForBest = 0.01;

export function loadLabel(p: Pick<ComparePoint, 'mode' | 'concurrency' | 'rate' | 'capacityFraction'>): string {
  if (p.mode === 'closed') return `closed c=${p.concurrency}`;
  return `open ${Math.round((p.capacityFraction ?? 0) * 100)}% (${fixed(p.rate, 0)}/s)`;
}

function best(points: ComparePoint[], accept: (p: ComparePoint) => boolean = () => true): ComparePoint | null {
  let top: ComparePoint | null = null;
  for (const p of points) {
    if (p.errorRate > maxErrorRateForBest || p.throughputRps <= 0 || !accept(p)) continue;
    if (!top || p.throughputRps > top.throughputRps) top = p;
  }
  return top;
}

/** Highest closed-loop throughput of one contender on one workload: the base of its open-loop rates. */
export function capacityOf(points: ComparePoint[]): number {
  return Math.max(0, ...points.filter((p) => p.mode === 'closed' && p.errorRate <= maxErrorRateForBest).map((p) => p.throughputRps));
}

export interface WorkloadSummary {
  model: string;
  payload: PayloadEncoding;
  pythonBest: ComparePoint | null;
  /** The fastest Vernier point whose p99 is no higher than pythonBest's. */
  vernierBestAtPythonP99: ComparePoint | null;
  vernierBest: ComparePoint | null;
  batchedBest: ComparePoint | null;
  inProcess: InProcessLimit | null;
  /** vernierBestAtPythonP99 / pythonBest throughput. */
  vernierOverPython: number | null;
  vernierOverInProcess: number | null;
  batchedOverInProcess: number | null;
  /** At the reference's setting (closed loop, 20 in flight): the best of each side. */
  atConcurrency20: { vernier: ComparePoint | null; python: ComparePoint | null; ratio: number | null };
}

const ratio = (a: number | undefined, b: number | undefined) => (a !== undefined && b !== undefined && b > 0 ? a / b : null);

export function summarizeWorkload(model: string, payload: PayloadEncoding, all: ComparePoint[], inProcess: InProcessLimit | null): WorkloadSummary {
  const points = all.filter((p) => p.model === model && p.payload === payload);
  const vernier = points.filter((p) => p.family === 'vernier');
  const python = points.filter((p) => p.family === 'python');
  const pythonBest = best(python);
  const vernierBestAtPythonP99 = pythonBest ? best(vernier, (p) => p.p99Ms <= pythonBest.p99Ms) : null;
  const vernierBest = best(vernier);
  const batchedBest = best(vernier.filter((p) => p.contender === 'vernier batched'));
  const at20 = (p: ComparePoint) => p.mode === 'closed' && p.concurrency === 20;
  const v20 = best(vernier, at20);
  const p20 = best(python, at20);
  return {
    model,
    payload,
    pythonBest,
    vernierBestAtPythonP99,
    vernierBest,
    batchedBest,
    inProcess,
    vernierOverPython: ratio(vernierBestAtPythonP99?.throughputRps, pythonBest?.throughputRps),
    vernierOverInProcess: ratio(vernierBest?.throughputRps, inProcess?.rowsPerSecond),
    batchedOverInProcess: ratio(batchedBest?.throughputRps, inProcess?.rowsPerSecond),
    atConcurrency20: { vernier: v20, python: p20, ratio: ratio(v20?.throughputRps, p20?.throughputRps) },
  };
}

export interface TargetVerdict {
  model: string;
  payload: PayloadEncoding;
  target: string;
  threshold: number;
  measured: number | null;
  met: boolean;
}

/** The targets on audio-cnn: Vernier-best ≥ 3× Python-best at a p99 no higher; batched ≥ 0.85× the in-process limit. */
export function targetVerdicts(summaries: WorkloadSummary[], targetModel = 'audio-cnn'): TargetVerdict[] {
  return summaries
    .filter((s) => s.model === targetModel)
    .flatMap((s) => [
      {
        model: s.model,
        payload: s.payload,
        target: 'Vernier-best / Python-best throughput, at a p99 no higher',
        threshold: 3,
        measured: s.vernierOverPython,
        met: s.vernierOverPython !== null && s.vernierOverPython >= 3,
      },
      {
        model: s.model,
        payload: s.payload,
        target: 'Vernier batched / in-process limit',
        threshold: 0.85,
        measured: s.batchedOverInProcess,
        met: s.batchedOverInProcess !== null && s.batchedOverInProcess >= 0.85,
      },
    ]);
}

export function describeVerdict(v: TargetVerdict): string {
  const by = v.measured === null ? 'not measured' : `${fixed(v.measured, 2)}× (${v.measured >= v.threshold ? '+' : ''}${fixed(((v.measured - v.threshold) / v.threshold) * 100, 0)}% vs ${v.threshold}×)`;
  return `${v.met ? 'MET    ' : 'NOT MET'}  ${v.model} ${v.payload}: ${v.target} ≥ ${v.threshold}×: ${by}`;
}

export const tableHeader = ['contender', 'load', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'errors %', 'CPU %', 'peak RSS MiB', 'health p99 ms', 'probe port p99 ms', 'HTTP thread µs/req', 'steal %', 'vs in-process'];

/** Rows of one workload's table: contenders in the given order, loads in measurement order; '*' marks a strained generator. */
export function tableRows(model: string, payload: PayloadEncoding, all: ComparePoint[], contenders: string[], inProcess: InProcessLimit | null): string[][] {
  const rows: string[][] = [];
  for (const contender of contenders) {
    for (const p of all.filter((q) => q.model === model && q.payload === payload && q.contender === contender)) {
      rows.push([
        contender,
        loadLabel(p) + (p.generatorHealthy ? '' : ' *'),
        fixed(p.throughputRps),
        fixed(p.p50Ms, 2),
        fixed(p.p95Ms, 2),
        fixed(p.p99Ms, 2),
        fixed(p.maxMs, 1),
        fixed(p.errorRate * 100, 2),
        fixed(p.cpuPercent, 0),
        fixed(p.peakRssMiB, 0),
        fixed(p.healthP99Ms, 1),
        fixed(p.probePortP99Ms, 1),
        fixed(p.httpThreadMicrosPerRequest, 0),
        fixed(p.steal * 100, 1) + (p.runs > 1 ? ` (best of ${p.runs})` : ''),
        inProcess ? `${fixed(p.throughputRps / inProcess.rowsPerSecond, 2)}×` : '-',
      ]);
    }
  }
  if (inProcess) {
    const how = `batch ${inProcess.batchSize} × ${inProcess.sessions} session(s)`;
    const steal = inProcess.steal === undefined ? '-' : fixed(inProcess.steal * 100, 1);
    rows.push(['in-process onnxruntime (limit)', how, fixed(inProcess.rowsPerSecond), '-', '-', '-', '-', '-', '-', '-', '-', '-', '-', steal, '1.00×']);
  }
  return rows;
}

export function markdownTable(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(header), line(header.map((_, i) => (i < 2 ? '---' : '---:'))), ...rows.map(line)].join('\n');
}

export function summaryLines(s: WorkloadSummary): string[] {
  const point = (p: ComparePoint | null) => (p ? `${p.contender} at ${loadLabel(p)}: ${fixed(p.throughputRps)} req/s, p99 ${fixed(p.p99Ms, 2)} ms` : 'none');
  return [
    `Python-best: ${point(s.pythonBest)}`,
    `Vernier-best at a p99 ≤ Python-best's: ${point(s.vernierBestAtPythonP99)}`,
    `Vernier-best / Python-best: ${fixed(s.vernierOverPython, 2)}×`,
    `At closed c=20 (the reference's setting): Vernier ${point(s.atConcurrency20.vernier)}; Python ${point(s.atConcurrency20.python)}; ratio ${fixed(s.atConcurrency20.ratio, 2)}×`,
    `Vernier-best / in-process limit: ${fixed(s.vernierOverInProcess, 2)} (${point(s.vernierBest)}; limit ${fixed(s.inProcess?.rowsPerSecond)} rows/s)`,
    `Vernier batched / in-process limit: ${fixed(s.batchedOverInProcess, 2)} (${point(s.batchedBest)})`,
  ];
}

export function consoleTable(model: string, payload: PayloadEncoding, all: ComparePoint[], contenders: string[], inProcess: InProcessLimit | null): string {
  return formatTable(tableHeader, tableRows(model, payload, all, contenders, inProcess));
}
