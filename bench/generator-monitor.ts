// How busy the load generator itself was: CPU time and event-loop delay over a run.
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

export interface GeneratorLoad {
  cpuPercent: number;
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
}

/** Sampling interval of the event-loop delay monitor; its samples include this interval, which is subtracted. */
const resolutionMs = 10;

export class GeneratorMonitor {
  private readonly loopDelay = monitorEventLoopDelay({ resolution: resolutionMs });
  private readonly cpuStart = process.cpuUsage();
  private readonly wallStartMs = performance.now();

  constructor() {
    this.loopDelay.enable();
  }

  stop(): GeneratorLoad {
    this.loopDelay.disable();
    const cpu = process.cpuUsage(this.cpuStart);
    const wallMs = Math.max(performance.now() - this.wallStartMs, 1);
    const round = (x: number) => Math.round(x * 10) / 10;
    const count = this.loopDelay.count;
    return {
      cpuPercent: round(((cpu.user + cpu.system) / 1000 / wallMs) * 100),
      eventLoopDelayP99Ms: count > 0 ? round(Math.max(0, this.loopDelay.percentile(99) / 1e6 - resolutionMs)) : 0,
      eventLoopDelayMaxMs: count > 0 ? round(Math.max(0, this.loopDelay.max / 1e6 - resolutionMs)) : 0,
    };
  }
}
