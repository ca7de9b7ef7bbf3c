// A complete, schema-valid BenchReport with plausible figures, for tests of code that reads reports.
import type { BenchReport } from '../bench-report.js';

export function sampleReport(overrides: Partial<BenchReport> = {}): BenchReport {
  return {
    version: 1,
    target: {
      url: 'http://127.0.0.1:8080',
      model: 'audio-cnn',
      request: { method: 'POST', path: '/v2/models/audio-cnn/infer' },
      local: false,
      inputs: [{ name: 'audio', datatype: 'FP32', shape: [1, 48000] }],
      payload: { encoding: 'json', source: 'generated', variants: 8, bytes: 420_000 },
    },
    mode: 'closed',
    load: { concurrency: 8, rate: null, arrival: null, maxInFlight: null, peakInFlight: null },
    startedAt: '2025-01-01T00:00:00.000Z',
    completedAt: '2025-01-01T00:00:35.000Z',
    warmupSeconds: 5,
    durationSeconds: 30.012,
    requests: { total: 12_000, ok: 11_990, errors: 10, warmup: { completed: 2_000, errors: 0 } },
    throughputRps: 399.5,
    errorRate: 0.000833,
    latency: { p50Ms: 18.2, p90Ms: 24.1, p95Ms: 27.3, p99Ms: 41.9, p999Ms: 80.2, maxMs: 95.1, minMs: 9.8, meanMs: 19.4, stdDevMs: 6.1 },
    errors: { http_503: 8, timeout: 2 },
    errorSamples: [{ kind: 'http_503', message: 'HTTP 503: queue full' }],
    timeline: Array.from({ length: 30 }, (_, second) => ({ second, requests: 400, ok: 399, errors: 1, p99Ms: 40 + (second % 5) })),
    generator: {
      scheduledSends: 0,
      sentRequests: 12_000,
      droppedSends: 0,
      lateSends: 0,
      lateThresholdMs: 5,
      maxLagMs: 0,
      meanLagMs: 0,
      offeredRps: null,
      cpuPercent: 35.2,
      threads: 2,
      busiestThreadUtilization: 0.3,
      cpuLimitCores: null,
      throttledMs: null,
      eventLoopDelayP99Ms: 1.2,
      eventLoopDelayMaxMs: 4.5,
      healthy: true,
    },
    sla: {
      met: true,
      checks: [
        { target: 'p99LatencyMs', threshold: 100, measured: 41.9, met: true },
        { target: 'minThroughputRps', threshold: 50, measured: 399.5, met: true },
      ],
    },
    sweep: null,
    warnings: [],
    ...overrides,
  };
}
