// How busy the load generator itself was over a run: CPU of the whole process (every load thread), its CPU limit
// and how much that limit throttled it; each thread's event-loop figures come from the threads themselves.
import { performance } from 'node:perf_hooks';
import { cpuLimitCores, readThrottling, type Throttling } from './cpu-budget.js';

export interface ProcessLoad {
  /** CPU time of the process over wall time, in percent of one core (200 = two cores busy). */
  cpuPercent: number;
  /** The cgroup CPU limit in cores; null when there is none. */
  cpuLimitCores: number | null;
  /** Time the cgroup was held back by its CPU limit during the run; null without cgroup figures. */
  throttledMs: number | null;
}

const round = (x: number): number => Math.round(x * 10) / 10;

export class GeneratorMonitor {
  private readonly cpuStart = process.cpuUsage();
  private readonly wallStartMs = performance.now();
  private readonly throttleStart: Throttling | null = readThrottling();
  private readonly limit = cpuLimitCores();

  stop(): ProcessLoad {
    const cpu = process.cpuUsage(this.cpuStart);
    const wallMs = Math.max(performance.now() - this.wallStartMs, 1);
    const throttleEnd = this.throttleStart ? readThrottling() : null;
    return {
      cpuPercent: round(((cpu.user + cpu.system) / 1000 / wallMs) * 100),
      cpuLimitCores: this.limit,
      throttledMs: this.throttleStart && throttleEnd ? round(Math.max(0, throttleEnd.throttledMs - this.throttleStart.throttledMs)) : null,
    };
  }
}
