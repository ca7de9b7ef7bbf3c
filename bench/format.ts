// The human-readable report: a few labelled lines and aligned tables, like the seeds' comparison tables.
import type { BenchReport, SweepSummary } from '../contracts/bench-report.js';
import { describeCheck } from '../contracts/sla.js';

/** Columns padded to their widest cell; the first column left-aligned, the rest right-aligned. */
export function alignColumns(rows: string[][], indent = ''): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => indent + r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ').trimEnd()).join('\n');
}

const num = (x: number, digits = 1): string => x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const int = (x: number): string => x.toLocaleString('en-US');
const percent = (x: number): string => `${num(x * 100, 2)} %`;

function sizeOf(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${num(bytes / 1024)} KiB`;
  return `${num(bytes / 1024 / 1024)} MiB`;
}

function loadLine(r: BenchReport): string {
  const load = r.mode === 'closed' ? `closed loop, concurrency ${r.load.concurrency}` : `open loop, ${num(r.load.rate ?? 0)} req/s ${r.load.arrival} arrivals`;
  const warmup = r.warmupSeconds > 0 ? ` after ${num(r.warmupSeconds)} s warmup` : '';
  return `${load} · ${num(r.durationSeconds, 2)} s measured${warmup}`;
}

function payloadLine(r: BenchReport): string {
  const p = r.target.payload;
  const inputs = r.target.inputs.map((i) => `${i.name} ${i.datatype} [${i.shape.join(', ')}]`).join(', ');
  const source = p.source === 'file' ? 'from file' : `${p.variants} seeded variants`;
  return `${p.encoding}, ${sizeOf(p.bytes)} (${source}) · ${inputs}`;
}

function generatorLine(r: BenchReport): string {
  const g = r.generator;
  const parts = [g.healthy ? 'healthy' : 'NOT HEALTHY', `cpu ${num(g.cpuPercent, 0)} %`, `event-loop delay p99 ${num(g.eventLoopDelayP99Ms)} ms`];
  if (r.mode === 'open') {
    parts.push(
      `offered ${num(g.offeredRps ?? 0)} req/s`,
      `${int(g.lateSends)} of ${int(g.scheduledSends)} sends late (> ${g.lateThresholdMs} ms, max lag ${num(g.maxLagMs)} ms)`,
      `${int(g.droppedSends)} dropped`,
    );
  }
  return parts.join(' · ');
}

const loadOf = (s: SweepSummary, load: number): string => (s.variable === 'concurrency' ? `concurrency ${num(load, 0)}` : `rate ${num(load)} req/s`);

/** The capacity a sweep or search found, e.g. "95.0 req/s at rate 96.1 req/s, p99 12.30 ms (stopped: converged; …)". */
export function describeCapacity(s: SweepSummary): string {
  const p99 = s.capacityP99Ms !== undefined && s.capacityP99Ms !== null ? `, p99 ${num(s.capacityP99Ms, 2)} ms` : '';
  const found = s.capacityRps === null ? `none: no ${s.search ? 'rate' : 'step'} met the SLA` : `${num(s.capacityRps)} req/s at ${loadOf(s, s.capacityLoad ?? 0)}${p99}`;
  const spent = s.search ? `; ${s.steps.length} steps in ${num(s.search.elapsedSeconds)} s of a ${s.search.budgetSeconds} s budget` : '';
  return `${found} (stopped: ${s.stoppedBecause.replaceAll('_', ' ')}${spent})`;
}

function sweepLines(r: BenchReport): string[] {
  if (!r.sweep) return [];
  const s = r.sweep;
  const rows = [
    [s.variable, 'req/s', 'p50 ms', 'p99 ms', 'errors', 'result'],
    ...s.steps.map((step) => [
      num(step.load, s.variable === 'concurrency' ? 0 : 1),
      num(step.throughputRps),
      num(step.p50Ms, 2),
      num(step.p99Ms, 2),
      percent(step.errorRate),
      step.passed ? 'pass' : `FAIL: ${step.reason}`,
    ]),
  ];
  const p = s.search?.probe;
  const probe = p ? [`probe      closed loop, concurrency ${p.concurrency}, ${num(p.durationSeconds)} s: ${num(p.throughputRps)} req/s, p99 ${num(p.p99Ms, 2)} ms`] : [];
  const steps = s.steps.length > 0 ? [alignColumns(rows, '  ')] : [];
  return ['', s.search ? 'capacity search' : 'capacity sweep', ...probe, ...steps, `capacity   ${describeCapacity(s)}`];
}

export function formatReportTable(report: BenchReport): string {
  const r = report;
  const l = r.latency;
  const errors = Object.entries(r.errors);
  const lines = [
    `vernier bench · model ${r.target.model} at ${r.target.url}`,
    `load       ${loadLine(r)}`,
    `payload    ${payloadLine(r)}`,
    `requests   ${int(r.requests.total)} total · ${int(r.requests.ok)} ok · ${int(r.requests.errors)} errors (${percent(r.errorRate)}) · ${num(r.throughputRps)} req/s`,
    '',
    alignColumns([
      ['latency ms', 'p50', 'p90', 'p95', 'p99', 'p99.9', 'max', 'mean'],
      ['', ...[l.p50Ms, l.p90Ms, l.p95Ms, l.p99Ms, l.p999Ms, l.maxMs, l.meanMs].map((x) => num(x, 2))],
    ]),
    '',
  ];
  if (errors.length > 0) lines.push(`errors     ${errors.map(([kind, n]) => `${kind} ${int(n)}`).join(' · ')}`);
  lines.push(`generator  ${generatorLine(r)}`);
  if (r.sla) lines.push(`SLA        ${r.sla.met ? 'MET' : 'MISSED'} · ${r.sla.checks.map((c) => `${describeCheck(c)} ${c.met ? '✓' : '✗'}`).join(' · ')}`);
  lines.push(...sweepLines(r));
  for (const w of r.warnings) lines.push(`warning    ${w}`);
  return lines.join('\n');
}
