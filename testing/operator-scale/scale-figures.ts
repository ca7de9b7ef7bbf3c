// The figures of a scale run, from what the harness marked while it ran and the operator's audit records. Pure.
import type { OperatorRequest } from './audit-log.js';
import { peakRss, type RssSample } from './process-stats.js';
import { requestRate, requestSplit, statusWritesToOthers, type RequestRate, type RequestSplit, type TimeWindow } from './request-figures.js';
import type { ScaleSettings } from './settings.js';
import { summarizeLatencies, type LatencySummary } from './summary-stats.js';

const MiB = 1024 * 1024;

export interface PhaseCost {
  seconds: number;
  requests: RequestSplit;
  reconciles: number;
  reconcilesPerObject: number;
  cpuSeconds: number;
  /** Share of all the machine's CPUs busy (everything: control plane, operator, harness, anything else) in the phase. */
  machineBusy: number;
}

export interface ScaleFigures {
  settings: Omit<ScaleSettings, 'progress'>;
  environment: { cpus: number; node: string; kubernetes: string; startedAt: string };
  creation: PhaseCost & {
    createSeconds: number;
    allObservedSeconds: number;
    rssMiB: { start: number; peak: number };
  };
  settle: PhaseCost & { quiet: boolean };
  idle: PhaseCost & { rate: RequestRate; rssMiB: { peak: number; end: number } };
  specChange: PhaseCost & { latency: LatencySummary; latenciesMs: number[] };
  restart: PhaseCost & {
    syncedSeconds: number;
    /** From the new operator's start until each spec changed while it was down was current. */
    changedCurrentMs: LatencySummary;
    allCurrentSeconds: number;
    quiet: boolean;
    statusWritesToUnchanged: number;
    rssMiB: { peak: number };
  };
  operatorLog: { first: Record<string, number>; restarted: Record<string, number> };
  workDir?: string;
}

export interface Mark {
  window: TimeWindow;
  reconciles: number;
  cpuSeconds: number;
  machineBusy: number;
}


/** What the harness measured while running, before the audit log is read. */
export interface Marks {
  startedAt: number;
  createSeconds: number;
  allObservedSeconds: number;
  creation: Mark;
  settle: Mark & { quiet: boolean };
  idle: Mark;
  specChange: Mark & { latenciesMs: number[] };
  restart: Mark & {
    syncedSeconds: number;
    changedCurrentMs: number[];
    allCurrentSeconds: number;
    quiet: boolean;
    changed: Set<string>;
  };
  rssSamples: readonly RssSample[];
  rssStart: number;
  rssIdleEnd: number;
  logLevels: { first: Record<string, number>; restarted: Record<string, number> };
}

function phaseCost(records: readonly OperatorRequest[], mark: Mark, objects: number): PhaseCost {
  return {
    seconds: (mark.window.to - mark.window.from) / 1000,
    requests: requestSplit(records, mark.window, objects),
    reconciles: mark.reconciles,
    reconcilesPerObject: objects > 0 ? mark.reconciles / objects : 0,
    cpuSeconds: mark.cpuSeconds,
    machineBusy: mark.machineBusy,
  };
}

const mib = (bytes: number | undefined): number => (bytes === undefined ? Number.NaN : bytes / MiB);

/** The figures of a run, from the harness's marks and the operator's audit records. Pure. */
export function scaleFigures(settings: ScaleSettings, marks: Marks, records: readonly OperatorRequest[], environment: ScaleFigures['environment']): ScaleFigures {
  const n = settings.count;
  const { progress: _progress, ...recorded } = settings;
  const samples = marks.rssSamples;
  return {
    settings: recorded,
    environment,
    creation: {
      ...phaseCost(records, marks.creation, n),
      createSeconds: marks.createSeconds,
      allObservedSeconds: marks.allObservedSeconds,
      // The level at the start counts too: in a short phase the samples may all fall after a collection shrank the heap.
      rssMiB: { start: mib(marks.rssStart), peak: mib(Math.max(marks.rssStart ?? 0, peakRss(samples, marks.creation.window.from, marks.creation.window.to) ?? 0) || undefined) },
    },
    settle: { ...phaseCost(records, marks.settle, n), quiet: marks.settle.quiet },
    idle: {
      ...phaseCost(records, marks.idle, n),
      rate: requestRate(records, marks.idle.window),
      rssMiB: { peak: mib(peakRss(samples, marks.idle.window.from, marks.idle.window.to)), end: mib(marks.rssIdleEnd) },
    },
    specChange: { ...phaseCost(records, marks.specChange, n), latency: summarizeLatencies(marks.specChange.latenciesMs), latenciesMs: marks.specChange.latenciesMs },
    restart: {
      ...phaseCost(records, marks.restart, n),
      syncedSeconds: marks.restart.syncedSeconds,
      changedCurrentMs: summarizeLatencies(marks.restart.changedCurrentMs),
      allCurrentSeconds: marks.restart.allCurrentSeconds,
      quiet: marks.restart.quiet,
      statusWritesToUnchanged: statusWritesToOthers(records, marks.restart.window, marks.restart.changed),
      rssMiB: { peak: mib(peakRss(samples, marks.restart.window.from, marks.restart.window.to)) },
    },
    operatorLog: marks.logLevels,
  };
}
