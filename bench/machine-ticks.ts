// The whole machine's CPU ticks, from /proc/stat: how busy it was during a phase, and how much of it the hypervisor
// took for other guests (steal), which a benchmark on a shared host must report beside its figures.
import { readFileSync } from 'node:fs';

export interface MachineTicks {
  busy: number;
  /** Ticks the hypervisor ran something else while this machine's CPUs wanted to run. */
  steal: number;
  total: number;
}

/** Busy, stolen and total CPU ticks of the whole machine, from the first ("cpu ") line of /proc/stat. Pure. */
export function machineTicksFromStat(stat: string): MachineTicks {
  const line = stat.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) throw new Error('no "cpu" line in /proc/stat');
  // user nice system idle iowait irq softirq steal (guest time is already inside user and nice).
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const idleTicks = idle + (iowait || 0);
  const total = user + nice + system + idleTicks + (irq || 0) + (softirq || 0) + (steal || 0);
  return { busy: total - idleTicks, steal: steal || 0, total };
}

/** The share of all CPUs busy between two readings (steal included): how much else was running during a phase. Pure. */
export const busyShare = (from: MachineTicks, to: MachineTicks): number =>
  to.total > from.total ? (to.busy - from.busy) / (to.total - from.total) : 0;

/** The share of all CPU time between two readings that the hypervisor gave to other guests. Pure. */
export const stealShare = (from: MachineTicks, to: MachineTicks): number =>
  to.total > from.total ? (to.steal - from.steal) / (to.total - from.total) : 0;

/** Now (Linux: throws where there is no /proc/stat). */
export const machineTicks = (): MachineTicks => machineTicksFromStat(readFileSync('/proc/stat', 'utf8'));

/** Watches the machine from now on; `stop` gives the share of its CPU time stolen in between (stealShare). */
export function watchSteal(): { stop(): number } {
  const before = machineTicks();
  return { stop: () => stealShare(before, machineTicks()) };
}

/** Above this share of stolen CPU time a run's figures say more about the other guests than about what it measured. */
export const STEAL_WARNING_SHARE = 0.05;

/**
 * Runs `measure`, and again while its least stolen result so far is above STEAL_WARNING_SHARE, at most `retries` more
 * times; keeps the least stolen, with the number of runs it took. A host whose steal comes in bursts then gives each
 * figure a quiet moment of its own, and one that is never quiet says so through the steal kept.
 */
export async function leastStolen<T extends { steal: number }>(
  measure: () => Promise<T>,
  retries: number,
  onRetry?: (stolen: T) => void,
): Promise<{ result: T; runs: number }> {
  let result = await measure();
  let runs = 1;
  while (runs <= retries && result.steal > STEAL_WARNING_SHARE) {
    onRetry?.(result);
    const again = await measure();
    runs++;
    if (again.steal < result.steal) result = again;
  }
  return { result, runs };
}
