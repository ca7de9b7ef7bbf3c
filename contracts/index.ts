// Everything that crosses a process boundary: the options of `vernier serve` and `vernier bench` (and the argv built
// from them), the benchmark report in full and compact form, the SLA verdict, and the status a measurement produces.
export * from './bench-args.js';
export * from './bench-options.js';
export * from './bench-report.js';
export * from './compact-report.js';
export * from './measured-status.js';
export * from './options-codec.js';
export * from './package-root.js';
export * from './serve-options.js';
export * from './sla.js';
export * from './workload.js';
export * from './operator-options.js';
