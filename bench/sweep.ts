// Sweeps: run load steps one after another, judge each against the SLA, and report the best passing step as the
// replica's capacity. Which step comes next is a plan's call: given steps in order, or a capacity search.
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

/** A step that ran, with what made it fail (null when it passed). */
export interface JudgedStep {
  step: SweepStep;
  failedBecause: SweepStopReason | null;
}

/** The next step of a sweep: its load, and its measured seconds when the plan sizes steps itself. */
export interface PlannedStep {
  load: number;
  durationSeconds?: number;
}

export type PlanDecision = PlannedStep | { stop: SweepStopReason };

export interface SweepPlan {
  /** Steps in all when known beforehand (for progress lines), else null. */
  count: number | null;
  next(done: readonly JudgedStep[]): PlanDecision;
}

/** The given loads in order, stopping at the first step that fails. */
export function fixedSteps(loads: number[]): SweepPlan {
  return {
    count: loads.length,
    next(done) {
      const last = done.at(-1);
      if (last && !last.step.passed) return { stop: last.failedBecause ?? 'sla_missed' };
      return done.length < loads.length ? { load: loads[done.length] } : { stop: 'steps_exhausted' };
    },
  };
}

/**
 * Runs the plan's steps until it stops; returns the best passing step's report with the sweep attached.
 * With no passing step the figures are the first step's, or `before`'s (the run that preceded the sweep) when none ran.
 */
export async function runSweep(
  mode: 'closed' | 'open',
  plan: SweepPlan,
  targets: SlaTargets,
  runStep: (step: PlannedStep, index: number) => Promise<BenchReport>,
  before?: BenchReport,
): Promise<BenchReport> {
  const done: JudgedStep[] = [];
  let first: BenchReport | undefined;
  let best: BenchReport | undefined;
  let bestStep: SweepStep | undefined;
  let stoppedBecause: SweepStopReason;
  for (;;) {
    const decision = plan.next(done);
    if ('stop' in decision) {
      stoppedBecause = decision.stop;
      break;
    }
    const report = await runStep(decision, done.length);
    first ??= report;
    const judgement = judgeStep(report, targets);
    const step = sweepStepOf(decision.load, report, judgement);
    done.push({ step, failedBecause: judgement.stoppedBecause });
    if (judgement.passed && (!best || report.throughputRps > best.throughputRps)) {
      best = report;
      bestStep = step;
    }
  }
  const chosen = best ?? first ?? before;
  if (!chosen) throw new Error(`the sweep stopped (${stoppedBecause}) before its first step, with no report to show`);
  const sweep: SweepSummary = {
    variable: mode === 'closed' ? 'concurrency' : 'rate',
    steps: done.map((d) => d.step),
    capacityRps: best ? best.throughputRps : null,
    capacityLoad: bestStep ? bestStep.load : null,
    capacityP99Ms: best ? best.latency.p99Ms : null,
    stoppedBecause,
  };
  const why = first
    ? `no step met the SLA; the figures are those of the first step (${done[0].step.load})`
    : `no step ran (stopped: ${stoppedBecause.replaceAll('_', ' ')}); the figures are those of the run before the sweep`;
  return { ...chosen, sweep, warnings: best ? chosen.warnings : [...chosen.warnings, `sweep: ${why}`] };
}
