// The CPU this process may use: the cores it can run on and its cgroup quota (a container's CPU limit), and how
// often that quota throttled it. Parsers are pure; the readers return null where there is no cgroup to read.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** cgroup v2 `cpu.max` ("max 100000" or "150000 100000") or v1 quota and period: the limit in cores, null if none. */
export function parseCpuMax(text: string): number | null {
  const [quota, period] = text.trim().split(/\s+/);
  const q = Number(quota);
  const p = Number(period ?? 100_000);
  if (quota === 'max' || !Number.isFinite(q) || q <= 0 || !Number.isFinite(p) || p <= 0) return null;
  return q / p;
}

export interface Throttling {
  /** Scheduler periods in which the cgroup ran, and those in which it hit its quota. */
  periods: number;
  throttledPeriods: number;
  throttledMs: number;
}

/** cgroup `cpu.stat`: v2 (throttled_usec) or v1 (throttled_time in ns). Null without throttling figures. */
export function parseCpuStat(text: string): Throttling | null {
  const fields = new Map(text.split('\n').map((line) => line.trim().split(/\s+/) as [string, string]).filter((f) => f.length === 2).map(([k, v]) => [k, Number(v)]));
  const periods = fields.get('nr_periods');
  const throttled = fields.get('nr_throttled');
  const micros = fields.get('throttled_usec') ?? (fields.has('throttled_time') ? fields.get('throttled_time')! / 1000 : undefined);
  if (periods === undefined || throttled === undefined || micros === undefined) return null;
  return { periods, throttledPeriods: throttled, throttledMs: micros / 1000 };
}

const read = (path: string): string | null => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
};

/** This process's CPU limit in cores (cgroup v2, then v1); null when unlimited or unknown. */
export function cpuLimitCores(): number | null {
  const v2 = read('/sys/fs/cgroup/cpu.max');
  if (v2 !== null) return parseCpuMax(v2);
  const quota = read('/sys/fs/cgroup/cpu/cpu.cfs_quota_us');
  const period = read('/sys/fs/cgroup/cpu/cpu.cfs_period_us');
  return quota !== null && period !== null ? parseCpuMax(`${quota.trim()} ${period.trim()}`) : null;
}

export function readThrottling(): Throttling | null {
  const text = read('/sys/fs/cgroup/cpu.stat') ?? read('/sys/fs/cgroup/cpu/cpu.stat');
  return text === null ? null : parseCpuStat(text);
}

/** Cores the process may keep busy: those it may run on, capped by its CPU limit (rounded up), at least 1. */
export function usableCores(cores = availableParallelism(), limit = cpuLimitCores()): number {
  return Math.max(1, Math.min(cores, limit === null ? cores : Math.ceil(limit)));
}
