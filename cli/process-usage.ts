import { readFileSync } from 'node:fs';

export interface ProcessUsage {
  /** CPU time over wall time while sampled, in percent of one core (200 = two cores busy). */
  cpuPercent: number | null;
  /** Peak resident memory of the process (VmHWM), in MiB. */
  peakRssMiB: number | null;
}

const clockTicksPerSecond = 100;

function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond; // utime + stime
  } catch {
    return undefined;
  }
}

function peakRssMiB(pid: number): number | undefined {
  try {
    const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Measures a process's CPU and peak memory from /proc between start and stop (null where /proc is missing). */
export function watchProcess(pid: number): { stop(): ProcessUsage } {
  const cpuAtStart = cpuSeconds(pid);
  const startedAt = performance.now();
  return {
    stop() {
      const cpuAtEnd = cpuSeconds(pid);
      const wallSeconds = (performance.now() - startedAt) / 1000;
      const cpuPercent = cpuAtStart !== undefined && cpuAtEnd !== undefined && wallSeconds > 0 ? ((cpuAtEnd - cpuAtStart) / wallSeconds) * 100 : null;
      return { cpuPercent, peakRssMiB: peakRssMiB(pid) ?? null };
    },
  };
}
