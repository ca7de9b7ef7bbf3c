// CPU time and resident memory of a process, from /proc (Linux), and a sampler of its RSS over time.
import { readFileSync } from 'node:fs';
import { processCpuSeconds } from '../../bench/process-usage.js';

/** VmRSS in bytes, from the text of /proc/<pid>/status. */
export function rssBytesFromStatus(status: string): number {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!match) throw new Error('no VmRSS line in /proc status (has the process exited?)');
  return Number(match[1]) * 1024;
}

/** CPU seconds of a running process; throws when it is gone. */
export function cpuSeconds(pid: number): number {
  const seconds = processCpuSeconds(pid);
  if (seconds === undefined) throw new Error(`no CPU time for process ${pid} in /proc (has it exited?)`);
  return seconds;
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
