// The last measured benchmark, kept in an annotation on the InferenceService. Pure.
//
// status.benchmark is the only other place a result is written once the finished Job is gone (TTL), and anyone allowed
// to write the status subresource can change it. A status write cannot touch metadata (the API server keeps the stored
// metadata on /status), so the annotation keeps what the operator measured: status.benchmark is restored from it, and
// Benchmarked and SLAMet are written again from the report when it measured the current spec. Whoever may edit the
// object itself may edit the annotation too, as they may edit the spec it measured.
import { CompactBenchReport } from '../../contracts/index.js';
import { BenchmarkStatus, type InferenceServiceStatus } from '../../crds/index.js';

export const BENCHMARK_RECORD_ANNOTATION = 'vernier.dev/last-benchmark';

export interface BenchmarkRecord {
  /** status.benchmark as the operator wrote it (its specHash names the spec measured). */
  benchmark: BenchmarkStatus;
  /** The Job's compact report: Benchmarked and SLAMet say more (the commonest error, the load) than the figures do. */
  report: CompactBenchReport;
}

export function encodeRecord(record: BenchmarkRecord): string {
  return JSON.stringify({ benchmark: record.benchmark, report: record.report });
}

/** The record in `annotations`; undefined when there is none or it does not parse (status is then all there is). */
export function readRecord(annotations: Record<string, string> | undefined): BenchmarkRecord | undefined {
  const text = annotations?.[BENCHMARK_RECORD_ANNOTATION];
  if (!text) return undefined;
  let json: { benchmark?: unknown; report?: unknown };
  try {
    json = JSON.parse(text) as typeof json;
  } catch {
    return undefined;
  }
  const benchmark = BenchmarkStatus.safeParse(json?.benchmark);
  const report = CompactBenchReport.safeParse(json?.report);
  return benchmark.success && report.success ? { benchmark: benchmark.data, report: report.data } : undefined;
}

/** The status a pass starts from: status.benchmark as recorded, whatever an edit made of it. */
export function withRecordedBenchmark(previous: InferenceServiceStatus | undefined, record: BenchmarkRecord | undefined): InferenceServiceStatus | undefined {
  return record ? { ...(previous ?? {}), benchmark: record.benchmark } : previous;
}

/** The recorded report, when it measured the spec with this hash. */
export function recordedReport(record: BenchmarkRecord | undefined, hash: string): CompactBenchReport | undefined {
  return record?.benchmark.specHash === hash ? record.report : undefined;
}
