// CPU and peak memory of a process and all its descendants, from /proc: a multi-process server (uvicorn with
// workers) is measured the same way as a single process with worker threads.
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessUsage {
  /** CPU time over wall time while sampled, in percent of one core (200 = two cores busy). */
  cpuPercent: number | null;
  /** Peak resident memory (VmHWM) summed over the processes, in MiB. */
  peakRssMiB: number | null;
}

// USER_HZ, the unit of /proc's CPU times: 100 on every mainstream Linux build, whatever the kernel's own HZ.
const clockTicksPerSecond = 100;

interface ProcStat {
  ppid: number;
  /** utime + stime, in seconds. */
  cpuSeconds: number;
}

/** The parent pid and the CPU time of a process or thread, from the text of its /proc stat file. Pure; throws on a malformed line. */
export function parseProcStat(stat: string): ProcStat {
  // The command name (field 2) may hold spaces and parentheses; the fields after its last ')' are fixed.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): ppid (field 4) is fields[1], utime (14) fields[11] and stime (15) fields[12].
  const [ppid, utime, stime] = [Number(fields[1]), Number(fields[11]), Number(fields[12])];
  if (![ppid, utime, stime].every(Number.isFinite)) throw new Error(`unexpected /proc stat line: ${stat.slice(0, 120)}`);
  return { ppid, cpuSeconds: (utime + stime) / clockTicksPerSecond };
}

function readStat(path: string): ProcStat | undefined {
  try {
    return parseProcStat(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

/** CPU seconds of a process (every thread) so far; undefined when it is gone or /proc does not say. */
export function processCpuSeconds(pid: number): number | undefined {
  return readStat(`/proc/${pid}/stat`)?.cpuSeconds;
}

function peakRssKiB(pid: number): number {
  try {
    const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** The pid and its descendants with their CPU seconds so far; empty when /proc is missing. */
export function processTreeCpu(root: number): Map<number, number> {
  const stats = new Map<number, ProcStat>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return new Map();
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(`/proc/${entry}/stat`);
    if (stat) stats.set(Number(entry), stat);
  }
  const tree = new Map<number, number>();
  if (!stats.has(root)) return tree;
  const pending = [root];
  while (pending.length > 0 && tree.size < 10_000) {
    const pid = pending.pop()!;
    tree.set(pid, stats.get(pid)!.cpuSeconds);
    for (const [child, stat] of stats) if (stat.ppid === pid && !tree.has(child)) pending.push(child);
  }
  return tree;
}

/** Measures a process tree between start and stop: CPU in percent of one core, peak RSS summed over the processes. */
export function watchProcessTree(root: number): { stop(): ProcessUsage } {
  const before = processTreeCpu(root);
  const startedAt = performance.now();
  return {
    stop() {
      const after = processTreeCpu(root);
      const wallSeconds = (performance.now() - startedAt) / 1000;
      if (after.size === 0 || wallSeconds <= 0) return { cpuPercent: null, peakRssMiB: null };
      let cpu = 0;
      let rssKiB = 0;
      for (const [pid, seconds] of after) {
        cpu += seconds - (before.get(pid) ?? 0);
        rssKiB += peakRssKiB(pid);
      }
      return { cpuPercent: (cpu / wallSeconds) * 100, peakRssMiB: rssKiB / 1024 };
    },
  };
}

/** CPU seconds of one thread of a process so far (its main thread: tid = pid); undefined when /proc does not say. */
function threadCpuSeconds(pid: number, tid = pid): number | undefined {
  return readStat(`/proc/${pid}/task/${tid}/stat`)?.cpuSeconds;
}

/**
 * Watches a process's main thread (a Node server's HTTP thread) from now on; `stop` gives its CPU per answered request
 * in microseconds, or null when /proc does not say or nothing was answered.
 */
export function watchMainThread(pid: number): { stop(answered: number): number | null } {
  const before = threadCpuSeconds(pid);
  return {
    stop(answered) {
      const after = threadCpuSeconds(pid);
      return before === undefined || after === undefined || answered === 0 ? null : ((after - before) / answered) * 1e6;
    },
  };
}
