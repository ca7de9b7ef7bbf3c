// Manifests the API must refuse, each one mistake away from a valid base. Shared by the zod tests and the
// kube-apiserver tests, so both layers are held to the same cases and the same field names in their messages.

export interface InvalidManifest {
  name: string;
  manifest: Record<string, any>;
  /** Appears in the zod error and in the API server's error: the field's path, or the CEL rule's message. */
  expectedMessageFragment: string;
  /** The API server rejects it only with fieldValidation=Strict (kubectl's default); otherwise it prunes the field. */
  strictFieldValidationOnly?: true;
}

/** A valid manifest that exercises every optional section. */
export function validBaseManifest(name = 'base'): Record<string, any> {
  return {
    apiVersion: 'vernier.dev/v1alpha1',
    kind: 'InferenceService',
    metadata: { name },
    spec: {
      model: { name: 'audio-cnn', uri: 'builtin://audio-cnn' },
      provider: { type: 'cpu' },
      concurrency: { strategy: 'batched', workers: 2, maxBatchSize: 32, maxQueueDelayMs: 2, maxQueue: 512 },
      sla: { p99LatencyMs: 100, minThroughputRps: 10 },
      benchmark: { mode: 'closed', concurrency: 4, durationSeconds: 5, warmupSeconds: 1 },
      replicas: 1,
      resources: { requests: { cpu: '500m', memory: '256Mi' }, limits: { memory: '1Gi' } },
    },
  };
}

function invalid(
  name: string,
  expectedMessageFragment: string,
  change: (m: Record<string, any>) => void,
  extra: Partial<InvalidManifest> = {},
): InvalidManifest {
  const manifest = validBaseManifest(`invalid-${name}`);
  change(manifest);
  return { name, manifest, expectedMessageFragment, ...extra };
}

export const INVALID_MANIFESTS: InvalidManifest[] = [
  invalid('missing-spec', 'spec', (m) => delete m.spec),
  invalid('missing-model', 'spec.model', (m) => delete m.spec.model),
  invalid('model-name-uppercase', 'spec.model.name', (m) => (m.spec.model.name = 'AudioCNN')),
  invalid('model-name-too-long', 'spec.model.name', (m) => (m.spec.model.name = 'm'.repeat(64))),
  invalid('model-uri-unknown-scheme', 'spec.model.uri', (m) => (m.spec.model.uri = 'ftp://models.example.com/a.onnx')),
  invalid('model-uri-builtin-without-name', 'spec.model.uri', (m) => (m.spec.model.uri = 'builtin://')),
  invalid('model-uri-pvc-without-path', 'spec.model.uri', (m) => (m.spec.model.uri = 'pvc://models')),
  invalid('model-https-without-sha256', 'sha256 is required when uri is https://', (m) => {
    m.spec.model.uri = 'https://models.example.com/audio-cnn.onnx';
  }),
  invalid('model-max-tokens-beyond-the-position-table', 'spec.model.maxTokens', (m) => {
    m.spec.model.maxTokens = 1024;
  }),
  invalid('model-sha256-malformed', 'spec.model.sha256', (m) => {
    m.spec.model.uri = 'https://models.example.com/audio-cnn.onnx';
    m.spec.model.sha256 = 'not-a-digest';
  }),
  invalid('provider-type-unknown', 'spec.provider.type', (m) => (m.spec.provider.type = 'tpu')),
  invalid('provider-node-selector-not-strings', 'spec.provider.nodeSelector', (m) => {
    m.spec.provider.nodeSelector = { 'example.com/gpus': 2 };
  }),
  invalid('strategy-unknown', 'spec.concurrency.strategy', (m) => (m.spec.concurrency.strategy = 'threads')),
  invalid('workers-zero', 'spec.concurrency.workers', (m) => (m.spec.concurrency.workers = 0)),
  invalid('workers-above-64', 'spec.concurrency.workers', (m) => (m.spec.concurrency.workers = 65)),
  invalid('workers-fractional', 'spec.concurrency.workers', (m) => (m.spec.concurrency.workers = 1.5)),
  invalid('max-batch-size-above-1024', 'spec.concurrency.maxBatchSize', (m) => (m.spec.concurrency.maxBatchSize = 2048)),
  invalid('max-queue-delay-negative', 'spec.concurrency.maxQueueDelayMs', (m) => (m.spec.concurrency.maxQueueDelayMs = -1)),
  invalid('max-queue-zero', 'spec.concurrency.maxQueue', (m) => (m.spec.concurrency.maxQueue = 0)),
  invalid('intra-op-threads-zero', 'spec.concurrency.intraOpThreads', (m) => (m.spec.concurrency.intraOpThreads = 0)),
  invalid('missing-sla', 'spec.sla', (m) => delete m.spec.sla),
  invalid('sla-without-p99', 'spec.sla.p99LatencyMs', (m) => (m.spec.sla = { minThroughputRps: 10 })),
  invalid('sla-p99-zero', 'spec.sla.p99LatencyMs', (m) => (m.spec.sla.p99LatencyMs = 0)),
  invalid('sla-throughput-negative', 'spec.sla.minThroughputRps', (m) => (m.spec.sla.minThroughputRps = -5)),
  invalid('benchmark-open-without-rate', 'rate is required when mode is open', (m) => (m.spec.benchmark.mode = 'open')),
  invalid('benchmark-rate-zero', 'spec.benchmark.rate', (m) => {
    m.spec.benchmark.mode = 'open';
    m.spec.benchmark.rate = 0;
  }),
  invalid('benchmark-mode-unknown', 'spec.benchmark.mode', (m) => (m.spec.benchmark.mode = 'burst')),
  invalid('benchmark-concurrency-zero', 'spec.benchmark.concurrency', (m) => (m.spec.benchmark.concurrency = 0)),
  invalid('benchmark-duration-above-an-hour', 'spec.benchmark.durationSeconds', (m) => (m.spec.benchmark.durationSeconds = 3601)),
  invalid('benchmark-warmup-negative', 'spec.benchmark.warmupSeconds', (m) => (m.spec.benchmark.warmupSeconds = -1)),
  invalid('benchmark-payload-unknown', 'spec.benchmark.payload', (m) => (m.spec.benchmark.payload = 'xml')),
  invalid('benchmark-timeout-zero', 'spec.benchmark.timeoutMs', (m) => (m.spec.benchmark.timeoutMs = 0)),
  invalid('replicas-zero', 'spec.replicas', (m) => (m.spec.replicas = 0)),
  invalid('replicas-as-string', 'spec.replicas', (m) => (m.spec.replicas = '2')),
  invalid('autoscaling-without-max', 'spec.autoscaling.maxReplicas', (m) => (m.spec.autoscaling = { minReplicas: 1 })),
  invalid('autoscaling-min-above-max', 'minReplicas must not exceed maxReplicas', (m) => (m.spec.autoscaling = { minReplicas: 5, maxReplicas: 2 })),
  invalid('autoscaling-max-above-100', 'spec.autoscaling.maxReplicas', (m) => (m.spec.autoscaling = { maxReplicas: 101 })),
  invalid('autoscaling-utilization-above-1', 'spec.autoscaling.targetUtilization', (m) => (m.spec.autoscaling = { maxReplicas: 4, targetUtilization: 1.5 })),
  invalid('autoscaling-utilization-zero', 'spec.autoscaling.targetUtilization', (m) => (m.spec.autoscaling = { maxReplicas: 4, targetUtilization: 0 })),
  invalid('autoscaling-window-below-two-intervals', 'windowSeconds must be at least twice intervalSeconds', (m) => (m.spec.autoscaling = { maxReplicas: 4, intervalSeconds: 30, windowSeconds: 40 })),
  invalid('autoscaling-field-misspelled', 'spec.autoscaling.maxReplica', (m) => (m.spec.autoscaling = { maxReplicas: 4, maxReplica: 4 }), {
    strictFieldValidationOnly: true,
  }),
  invalid('benchmark-capacity-seconds-too-short', 'spec.benchmark.capacitySeconds', (m) => (m.spec.benchmark.capacitySeconds = 5)),
  invalid('resources-cpu-not-a-quantity', 'spec.resources.requests.cpu', (m) => (m.spec.resources.requests.cpu = 'lots')),
  invalid('image-pull-policy-unknown', 'spec.imagePullPolicy', (m) => (m.spec.imagePullPolicy = 'Sometimes')),
  invalid('spec-field-misspelled', 'spec.concurency', (m) => (m.spec.concurency = { strategy: 'pool' }), {
    strictFieldValidationOnly: true,
  }),
  invalid('sla-field-misspelled', 'spec.sla.p99LatencyMS', (m) => (m.spec.sla.p99LatencyMS = 10), {
    strictFieldValidationOnly: true,
  }),
];
