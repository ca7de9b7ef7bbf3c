// Capacity search: the highest open-loop rate one server serves within the SLA, found within a time budget.
// A short closed-loop probe estimates the server's ceiling; open-loop steps then bracket the SLA edge (multiplicative
// moves from just under that ceiling until one rate passes and another misses) and bisect the bracket until it is narrow.
import { performance } from 'node:perf_hooks';
import type { SlaTargets } from '../contracts/bench-options.js';
import type { BenchReport, CapacitySearch, SweepSummary } from '../contracts/bench-report.js';
import type { LoadSpec, StepProgress } from './run-load.js';
import { runSweep, type JudgedStep, type PlanDecision, type SweepPlan } from './sweep.js';

export const CAPACITY_SEARCH = {
  /** Requests in flight during the probe: enough to keep a server with several workers or small batches busy. */
  probeConcurrency: 32,
  /** The first open-loop rate, as a share of the probe's throughput: the SLA edge is rarely far above the ceiling. */
  startFraction: 0.9,
  /** Consecutive moves in one direction before the edge is bracketed: +25 %, +50 %, then doubling (or the inverse). */
  growthFactors: [1.25, 1.5, 2],
  /** Done when the lowest missing rate is within this share above the highest passing one. */
  tolerance: 0.07,
  minStepSeconds: 3,
  maxStepSeconds: 30,
  /** With fewer, the p99 is one of the step's few slowest requests. */
  minStepRequests: 200,
  /** Time kept in hand after each step for the last responses, as a share of the step's length. */
  tailShare: 0.05,
} as const;

const clamp = (x: number, min: number, max: number): number => Math.min(max, Math.max(min, x));
const round = (x: number, digits: number): number => Math.round(x * 10 ** digits) / 10 ** digits;

/** The probe's measured seconds: a twentieth of the budget, 1 to 5 s. */
export function probeSecondsFor(budgetSeconds: number): number {
  return clamp(budgetSeconds / 20, 1, 5);
}

/** An open-loop step's length: a twelfth of the budget, so a search has room for about ten steps. */
export function stepSecondsFor(budgetSeconds: number): number {
  return clamp(budgetSeconds / 12, CAPACITY_SEARCH.minStepSeconds, CAPACITY_SEARCH.maxStepSeconds);
}

export interface SearchContext {
  /** Throughput of the closed-loop probe: the estimate of the server's ceiling. */
  probeRps: number;
  /** Preferred length of a step. */
  stepSeconds: number;
  /** What is left of the budget now. */
  remainingSeconds: number;
}

/** The highest passing rate and the lowest failing step so far: the SLA edge lies between them. */
export function bracketOf(done: readonly JudgedStep[]): { highestPass: number | null; lowestMiss: JudgedStep | null } {
  let highestPass: number | null = null;
  let lowestMiss: JudgedStep | null = null;
  for (const d of done) {
    if (d.step.passed) highestPass = Math.max(highestPass ?? 0, d.step.load);
    else if (!lowestMiss || d.step.load < lowestMiss.step.load) lowestMiss = d;
  }
  return { highestPass, lowestMiss };
}

/** The rate to try next, or null when the bracket is narrow enough. */
function nextRate(stepsDone: number, pass: number | null, miss: number | null, probeRps: number): number | null {
  const t = CAPACITY_SEARCH;
  if (pass !== null && miss !== null) return miss <= pass * (1 + t.tolerance) ? null : Math.sqrt(pass * miss);
  if (stepsDone === 0) return probeRps * t.startFraction;
  const factor = t.growthFactors[Math.min(stepsDone - 1, t.growthFactors.length - 1)];
  return pass !== null ? pass * factor : miss! / factor;
}

/** The step at `rate`, sized to the budget left; a step too short for a meaningful p99 is not run. */
function sizedStep(rate: number, done: readonly JudgedStep[], ctx: SearchContext): PlanDecision {
  const t = CAPACITY_SEARCH;
  const load = Number(rate.toPrecision(4));
  // Above what the server has been seen to serve, a backlog builds that takes about (rate / ceiling − 1) of the step to drain.
  const ceiling = Math.max(ctx.probeRps, ...done.map((d) => d.step.throughputRps));
  const drainShare = Math.max(t.tailShare, load / ceiling - 1);
  const shortest = Math.max(t.minStepSeconds, t.minStepRequests / load);
  const seconds = Math.min(Math.max(ctx.stepSeconds, shortest), ctx.remainingSeconds / (1 + drainShare));
  if (seconds < shortest) return { stop: 'budget_spent' };
  return { load, durationSeconds: round(seconds, 2) };
}

/** The search's next open-loop step after `done`, or why it ends. Pure: the budget comes in `ctx`. */
export function nextCapacityStep(done: readonly JudgedStep[], ctx: SearchContext): PlanDecision {
  const { highestPass, lowestMiss } = bracketOf(done);
  const rate = nextRate(done.length, highestPass, lowestMiss?.step.load ?? null, ctx.probeRps);
  if (rate === null) return { stop: lowestMiss!.failedBecause === 'generator_saturated' ? 'generator_saturated' : 'converged' };
  return sizedStep(rate, done, ctx);
}

/** The search as a sweep plan, reading the clock against `deadlineMs` (performance.now() time) before each step. */
export function capacityPlan(probeRps: number, stepSeconds: number, deadlineMs: number): SweepPlan {
  return {
    count: null,
    next: (done) => nextCapacityStep(done, { probeRps, stepSeconds, remainingSeconds: (deadlineMs - performance.now()) / 1000 }),
  };
}

const stopAt = (reason: 'errors'): SweepPlan => ({ count: 0, next: () => ({ stop: reason }) });

/** What a reader of the capacity needs to know about how the search ended, beyond the figures. */
function searchWarnings(sweep: SweepSummary, search: CapacitySearch): string[] {
  const capacity = sweep.capacityLoad;
  const missed = search.missedLoad;
  switch (sweep.stoppedBecause) {
    case 'errors':
      return ['capacity search: the closed-loop probe had no successful request, so no rate was tried'];
    case 'generator_saturated':
      return capacity === null
        ? [`capacity search: the generator could not keep a schedule of ${missed} req/s and no lower rate met the SLA`]
        : [`capacity search: at least ${capacity} req/s; the generator could not keep a schedule of ${missed} req/s, so higher rates went unmeasured`];
    case 'budget_spent':
      if (capacity === null) return [`capacity search: no rate met the SLA before the ${search.budgetSeconds} s budget ran out`];
      if (missed === null) return [`capacity search: the ${search.budgetSeconds} s budget ran out before any rate missed the SLA; the capacity is at least ${capacity} req/s`];
      return [`capacity search: the ${search.budgetSeconds} s budget ran out with the SLA edge between ${capacity} and ${missed} req/s`];
    default:
      return [];
  }
}

/**
 * Runs the search within `budgetSeconds` (warmup, probe, steps and their drain) through `runAt`, which runs one load
 * and reports it. Returns the report of the best passing step with the steps, the capacity and the search attached.
 */
export async function runCapacitySearch(
  budgetSeconds: number,
  targets: SlaTargets,
  base: LoadSpec,
  runAt: (spec: LoadSpec, step: StepProgress) => Promise<BenchReport>,
): Promise<BenchReport> {
  const t = CAPACITY_SEARCH;
  const startedMs = performance.now();
  const deadlineMs = startedMs + budgetSeconds * 1000;
  const probeSeconds = probeSecondsFor(budgetSeconds);
  // A cold server (lazy initialisation, fresh connections) would make the ceiling look lower than it is.
  const warmupSeconds = Math.max(base.warmupSeconds, probeSeconds / 4);
  const probeSpec: LoadSpec = { ...base, mode: 'closed', concurrency: t.probeConcurrency, warmupSeconds, durationSeconds: probeSeconds, requests: undefined };
  const probe = await runAt(probeSpec, { kind: 'probe', index: 0, count: null, load: t.probeConcurrency, variable: 'concurrency' });
  // Per second of the window, not of the window and its drain: with 32 in flight the drain is long next to a short probe.
  const ceilingRps = round(probe.requests.ok / probeSeconds, 3);
  const plan = ceilingRps > 0 ? capacityPlan(ceilingRps, stepSecondsFor(budgetSeconds), deadlineMs) : stopAt('errors');
  // The probe warmed the server up; the steps measure from their first send.
  const stepSpec: LoadSpec = { ...base, mode: 'open', warmupSeconds: 0, requests: undefined };
  const report = await runSweep(
    'open',
    plan,
    targets,
    (step, index) => runAt({ ...stepSpec, rate: step.load, durationSeconds: step.durationSeconds }, { kind: 'search', index, count: null, load: step.load, variable: 'rate' }),
    probe,
  );
  const sweep = report.sweep!;
  const missed = sweep.steps.filter((s) => !s.passed).map((s) => s.load);
  const search: CapacitySearch = {
    budgetSeconds,
    elapsedSeconds: round((performance.now() - startedMs) / 1000, 3),
    probe: { concurrency: t.probeConcurrency, durationSeconds: probeSeconds, throughputRps: ceilingRps, p99Ms: probe.latency.p99Ms },
    missedLoad: missed.length > 0 ? Math.min(...missed) : null,
  };
  return { ...report, sweep: { ...sweep, search }, warnings: [...report.warnings, ...searchWarnings(sweep, search)] };
}
