// The load a spec's benchmark applies. Without spec.benchmark.mode, an SLA that names a throughput is tested the
// honest way: an open loop at that rate, latency counted from each intended send time, so a stalling server cannot
// hide behind fewer sends (coordinated omission). A closed loop only when the manifest asks for one.
import type { InferenceServiceSpec } from './inferenceservice.js';

export type BenchmarkLoad = { mode: 'open'; rate: number } | { mode: 'closed'; concurrency: number };

export function benchmarkLoad(spec: Pick<InferenceServiceSpec, 'benchmark' | 'sla'>): BenchmarkLoad {
  const b = spec.benchmark;
  const target = spec.sla.minThroughputRps;
  const rate = b.rate ?? (target !== undefined && target > 0 ? target : undefined);
  if (b.mode === 'closed' || (b.mode === undefined && rate === undefined)) return { mode: 'closed', concurrency: b.concurrency };
  // CEL and the zod rule require a rate with mode: open, so `rate` is set here.
  return { mode: 'open', rate: rate! };
}
