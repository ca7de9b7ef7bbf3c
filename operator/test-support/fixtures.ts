// InferenceServices and reports for unit tests, built through the real schema.
import type { CompactBenchReport } from '../../contracts/compact-report.js';
import { parseInferenceService, type InferenceService, type InferenceServiceSpecInput } from '../../crds/index.js';
import { defaultSettings, type OperatorSettings } from '../settings.js';

export function inferenceService(spec: Partial<InferenceServiceSpecInput> = {}, name = 'audio-cnn', namespace = 'ml'): InferenceService {
  return parseInferenceService({
    apiVersion: 'vernier.dev/v1alpha1',
    kind: 'InferenceService',
    metadata: { name, namespace, uid: '1b4e28ba-2fa1-11d2-883f-0016d3cca427', generation: 1 },
    spec: {
      model: { name: 'audio-cnn', uri: 'builtin://audio-cnn' },
      sla: { p99LatencyMs: 100, minThroughputRps: 50 },
      ...spec,
    },
  });
}

export function settings(overrides: Partial<OperatorSettings> = {}): OperatorSettings {
  return defaultSettings({ serverImage: 'vernier:test', cudaServerImage: 'vernier:test-cuda', ...overrides });
}

export function compactReport(overrides: Partial<CompactBenchReport> = {}): CompactBenchReport {
  return {
    version: 1,
    model: 'audio-cnn',
    mode: 'closed',
    concurrency: 4,
    rate: null,
    durationSeconds: 5,
    requests: 1000,
    ok: 1000,
    errors: {},
    errorsOmitted: 0,
    errorRate: 0,
    throughputRps: 200,
    p50Ms: 10.1234,
    p90Ms: 20,
    p95Ms: 25,
    p99Ms: 40.5,
    p999Ms: 60,
    maxMs: 80,
    meanMs: 12,
    sla: null,
    generator: { healthy: true, lateSends: 0, maxLagMs: 0, droppedSends: 0, cpuPercent: 10 },
    capacity: null,
    startedAt: '2025-01-01T00:00:00.000Z',
    completedAt: '2025-01-01T00:00:10.000Z',
    ...overrides,
  };
}
