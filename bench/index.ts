// The bench package's public API, for `vernier run` and the operator.
export { runBenchmark, type BenchHooks, type BenchProgress, type StepProgress } from './run-benchmark.js';
export { BenchOptions, BenchOptionsError, SlaTargets, SweepOptions, parseBenchOptions, type BenchOptionsInput } from '../contracts/bench-options.js';
export { BenchReport, SlaVerdict, SweepSummary } from '../contracts/bench-report.js';
export {
  CompactBenchFailure,
  CompactBenchReport,
  TerminationMessage,
  parseTerminationMessage,
  terminationMessageLimitBytes,
  toCompactFailure,
  toCompactReport,
} from '../contracts/compact-report.js';
export { describeCapacity, formatReportTable } from './format.js';
export { slaVerdict } from '../contracts/sla.js';
export { BenchTargetError } from './client.js';
