// Capacity sweep: raise the load step by step until the SLA breaks; the best passing step is the replica's capacity.
import { generatorFellBehind } from './build-report.js';
import type { SlaTargets, SweepOptions } from '../contracts/bench-options.js';
import type { BenchReport, SweepStep, SweepStopReason, SweepSummary } from '../contracts/bench-report.js';
import { describeCheck } from '../contracts/sla.js';

/** Loads to try: the given steps, else concurrency 1, 2, 4, … or rate r, 2r, 4r, … (`maxSteps` of them). */
export function sweepSteps(mode: 'closed' | 'open', startRate: number | undefined, sweep: SweepOptions): number[] {
  if (sweep.steps) return [...sweep.steps];
  const start = mode === 'closed' ? 1 : (startRate ?? 1);
  return Array.from({ length: sweep.maxSteps }, (_, k) => start * 2 ** k);
}

export interface StepJudgement {
  passed: boolean;
  /** Why it failed, for people; null when it passed. */
  reason: string | null;
  stoppedBecause: SweepStopReason | null;
}

/** A step passes when the generator kept its schedule, the latency (and error-rate) targets were met, and nothing failed. */
export function judgeStep(report: BenchReport, targets: SlaTargets): StepJudgement {
  const g = report.generator;
  if (report.mode === 'open' && generatorFellBehind(g)) {
    const reason = `the generator could not keep the schedule (${g.lateSends} of ${g.scheduledSends} sends late, ${g.meanLagMs} ms on average)`;
    return { passed: false, reason, stoppedBecause: 'generator_saturated' };
  }
  const missed = report.sla?.checks.filter((c) => !c.met && c.target !== 'minThroughputRps') ?? [];
  if (missed.length > 0) {
    return { passed: false, reason: missed.map(describeCheck).join('; '), stoppedBecause: 'sla_missed' };
  }
  if (targets.maxErrorRate === undefined && (report.requests.errors > 0 || report.requests.ok === 0)) {
    const kinds = Object.entries(report.errors).map(([kind, n]) => `${kind} ${n}`).join(', ');
    return { passed: false, reason: `${report.requests.errors} errors${kinds ? ` (${kinds})` : ''}`, stoppedBecause: 'errors' };
  }
  return { passed: true, reason: null, stoppedBecause: null };
}

export function sweepStepOf(load: number, report: BenchReport, judgement: StepJudgement): SweepStep {
  return {
    load,
    throughputRps: report.throughputRps,
    p50Ms: report.latency.p50Ms,
    p99Ms: report.latency.p99Ms,
    errorRate: report.errorRate,
    requests: report.requests.total,
    passed: judgement.passed,
    reason: judgement.reason,
  };
}

/** Runs steps in order and stops at the first that fails; returns the best passing step's report with the sweep attached. */
export async function runSweep(
  mode: 'closed' | 'open',
  steps: number[],
  targets: SlaTargets,
  runStep: (load: number, index: number) => Promise<BenchReport>,
): Promise<BenchReport> {
  const done: SweepStep[] = [];
  let first: BenchReport | undefined;
  let best: BenchReport | undefined;
  let stoppedBecause: SweepStopReason = 'steps_exhausted';
  for (const [index, load] of steps.entries()) {
    const report = await runStep(load, index);
    first ??= report;
    const judgement = judgeStep(report, targets);
    done.push(sweepStepOf(load, report, judgement));
    if (!judgement.passed) {
      stoppedBecause = judgement.stoppedBecause ?? 'sla_missed';
      break;
    }
    if (!best || report.throughputRps > best.throughputRps) best = report;
  }
  const chosen = best ?? first!;
  const bestStep = best ? done.find((s) => s.passed && s.throughputRps === best!.throughputRps) : undefined;
  const sweep: SweepSummary = {
    variable: mode === 'closed' ? 'concurrency' : 'rate',
    steps: done,
    capacityRps: best ? best.throughputRps : null,
    capacityLoad: bestStep ? bestStep.load : null,
    stoppedBecause,
  };
  const warnings = best ? chosen.warnings : [...chosen.warnings, `sweep: no step met the SLA; the figures are those of the first step (${steps[0]})`];
  return { ...chosen, sweep, warnings };
}
