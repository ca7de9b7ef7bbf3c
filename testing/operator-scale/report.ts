// The printed form of a scale run's figures: one table of the phases, the request split, and the key latencies. Pure.
import type { PhaseCost, ScaleFigures } from './scale-figures.js';

const fixed = (value: number, digits: number): string => (Number.isFinite(value) ? value.toFixed(digits) : '–');
const pad = (cells: readonly string[], widths: readonly number[]): string =>
  cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');

function phaseTable(rows: ReadonlyArray<readonly [string, PhaseCost]>): string[] {
  const header = ['phase', 'seconds', 'requests', '/object', 'status writes', 'events', 'watches', 'failed', 'reconciles', 'CPU s', 'machine busy'];
  const body = rows.map(([name, p]) => [
    name,
    fixed(p.seconds, 1),
    String(p.requests.requests),
    fixed(p.requests.perObject, 2),
    String(p.requests.statusWrites),
    String(p.requests.eventsCreated),
    String(p.requests.watches),
    String(p.requests.failed),
    String(p.reconciles),
    fixed(p.cpuSeconds, 1),
    Number.isFinite(p.machineBusy) ? `${fixed(p.machineBusy * 100, 0)} %` : '–',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  return [pad(header, widths), ...body.map((r) => pad(r, widths))];
}

const splitLine = (counts: Record<string, number>, objects: number): string =>
  Object.entries(counts)
    .map(([key, count]) => `${key} ${count} (${fixed(count / objects, 2)}/obj)`)
    .join(' · ') || '(none)';

export function formatReport(f: ScaleFigures): string {
  const n = f.settings.count;
  const { creation, settle, idle, specChange, restart } = f;
  const lines = [
    `operator at scale: ${n} InferenceServices in ${f.settings.namespaces} namespaces; operator ${f.settings.operatorCli}`,
    `(${f.environment.cpus} CPUs, Node ${f.environment.node}, Kubernetes ${f.environment.kubernetes}, started ${f.environment.startedAt})`,
    '',
    ...phaseTable([
      ['creation', creation],
      [`settle${settle.quiet ? '' : ' (not quiet)'}`, settle],
      ['idle', idle],
      [`spec change ×${specChange.latency.count}`, specChange],
      [`restart${restart.quiet ? '' : ' (not quiet)'}`, restart],
    ]),
    '',
    `creation      creates sent in ${fixed(creation.createSeconds, 1)} s; all ${n} observed after ${fixed(creation.allObservedSeconds, 1)} s`,
    `              by verb: ${splitLine(creation.requests.byVerb, n)}; failed by status: ${splitLine(creation.requests.failedByCode, n)}`,
    `              by verb and resource: ${splitLine(creation.requests.byVerbAndResource, n)}`,
    `              RSS ${fixed(creation.rssMiB.start, 0)} MiB at start, ${fixed(creation.rssMiB.peak, 0)} MiB peak`,
    `settle        by verb and resource: ${splitLine(settle.requests.byVerbAndResource, n)}`,
    `idle          ${fixed(idle.rate.perSecond, 3)} requests/s without watches; at most ${idle.rate.maxPerBucket} in any ${idle.rate.bucketSeconds} s; ` +
      `RSS ${fixed(idle.rssMiB.peak, 0)} MiB peak, ${fixed(idle.rssMiB.end, 0)} MiB at the end`,
    `              by verb and resource: ${splitLine(idle.requests.byVerbAndResource, n)}`,
    `spec change   → status: median ${fixed(specChange.latency.medianMs, 0)} ms, max ${fixed(specChange.latency.maxMs, 0)} ms`,
    `restart       synced after ${fixed(restart.syncedSeconds, 1)} s; the ${restart.changedCurrentMs.count} changed while down current after ` +
      `${fixed(restart.changedCurrentMs.medianMs / 1000, 1)} s median, ${fixed(restart.changedCurrentMs.maxMs / 1000, 1)} s max; all current after ${fixed(restart.allCurrentSeconds, 1)} s`,
    `              status writes to unchanged objects: ${restart.statusWritesToUnchanged}; RSS peak ${fixed(restart.rssMiB.peak, 0)} MiB`,
    `              by verb and resource: ${splitLine(restart.requests.byVerbAndResource, n)}`,
    `operator log  first: ${JSON.stringify(f.operatorLog.first)}; restarted: ${JSON.stringify(f.operatorLog.restarted)}`,
  ];
  return lines.join('\n');
}
