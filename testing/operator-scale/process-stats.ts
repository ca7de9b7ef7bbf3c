// CPU time and resident memory of a process, from /proc (Linux), and a sampler of its RSS over time.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** utime + stime in clock ticks, from the text of /proc/<pid>/stat. */
export function cpuTicksFromStat(stat: string): number {
  // The command name (field 2) may hold spaces and parentheses; the fields after its last ')' are fixed.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state), so utime (field 14) is rest[11] and stime (15) rest[12].
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`unexpected /proc stat line: ${stat.slice(0, 120)}`);
  return utime + stime;
}

/** VmRSS in bytes, from the text of /proc/<pid>/status. */
export function rssBytesFromStatus(status: string): number {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!match) throw new Error('no VmRSS line in /proc status (has the process exited?)');
  return Number(match[1]) * 1024;
}

let ticksPerSecond: number | undefined;

function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      // USER_HZ is 100 on every mainstream Linux build.
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

export function cpuSeconds(pid: number): number {
  return cpuTicksFromStat(readFileSync(`/proc/${pid}/stat`, 'utf8')) / clockTicksPerSecond();
}

export function rssBytes(pid: number): number {
  return rssBytesFromStatus(readFileSync(`/proc/${pid}/status`, 'utf8'));
}

export interface RssSample {
  at: number;
  pid: number;
  bytes: number;
}

/** The largest sample in [from, to), or undefined when there is none. Pure. */
export function peakRss(samples: readonly RssSample[], from: number, to: number): number | undefined {
  let peak: number | undefined;
  for (const s of samples) if (s.at >= from && s.at < to && (peak === undefined || s.bytes > peak)) peak = s.bytes;
  return peak;
}

/** Samples the RSS of whichever process `pidOf` names, every `intervalMs`; a process gone between samples is skipped. */
export class RssSampler {
  readonly samples: RssSample[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pidOf: () => number | undefined, intervalMs = 500) {
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  /** Takes one sample now and returns it (undefined when no process is running). */
  sample(): RssSample | undefined {
    const pid = this.pidOf();
    if (pid === undefined) return undefined;
    try {
      const sample = { at: Date.now(), pid, bytes: rssBytes(pid) };
      this.samples.push(sample);
      return sample;
    } catch {
      return undefined;
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
