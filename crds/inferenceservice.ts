// The InferenceService API (vernier.dev/v1alpha1): the single definition the CRD, the operator and `vernier run` share.
import { z } from 'zod';
import { withCrossFieldRules } from './cross-field.js';
import { BATCH_INPUT_BUDGET_BYTES, BATCH_RUN_BUDGET_MS, bounded, DEFAULT_TEXT_MAX_TOKENS, LIMITS } from './limits.js';

export const API_GROUP = 'vernier.dev';
export const API_VERSION_NAME = 'v1alpha1';
export const API_VERSION = `${API_GROUP}/${API_VERSION_NAME}`;
export const KIND = 'InferenceService';
export const PLURAL = 'inferenceservices';
export const SINGULAR = 'inferenceservice';
export const SHORT_NAMES = ['vis'];

export const PROVIDER_TYPES = ['cpu', 'nvidia-t4'] as const;
export const STRATEGIES = ['inline', 'shared', 'pool', 'batched'] as const;
export const BENCHMARK_MODES = ['closed', 'open'] as const;
export const PAYLOAD_ENCODINGS = ['json', 'binary'] as const;
export const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'] as const;

/** RFC 1123 label: the model name is a URL path segment and may name Kubernetes objects. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** builtin://NAME · https://HOST/PATH · pvc://CLAIM/PATH (RE2-compatible: the API server evaluates it too). */
export const MODEL_URI = /^(builtin:\/\/[a-z0-9]([-a-z0-9]*[a-z0-9])?|https:\/\/[^\s/?#]+(\/\S*)?|pvc:\/\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?\/\S+)$/;
export const SHA256_HEX = /^[a-f0-9]{64}$/;
/** Kubernetes resource.Quantity, as the API server's own CRD generators spell it. */
export const QUANTITY =
  /^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$/;
export const SPEC_HASH = /^[a-f0-9]{16}$/;
/** metav1.Condition type and reason patterns. */
const CONDITION_TYPE = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$/;
const CONDITION_REASON = /^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/;

const integer = (min: number, max: number) => z.int().min(min).max(max);
const count = () => z.int().min(0);
const millis = () => z.number().min(0);
const timestamp = () => z.iso.datetime({ offset: true, error: 'must be an RFC 3339 timestamp such as 2024-05-01T12:00:00Z' });

/** A Kubernetes quantity written either as a string ("500m", "1Gi") or an integer (2); parsed to its string form. */
const quantity = (what: string) =>
  z
    .union([z.int().min(0), z.string().max(64).regex(QUANTITY, { error: 'must be a Kubernetes quantity such as 500m, 2, 1Gi or 512Mi' })])
    .transform(String)
    .meta({ 'x-kubernetes-int-or-string': true })
    .describe(what);

export const ModelSpec = withCrossFieldRules(
  z.strictObject({
    name: z
      .string()
      .max(63)
      .regex(DNS_LABEL, { error: 'must be lowercase letters, digits and "-", starting and ending with a letter or digit (e.g. audio-cnn)' })
      .describe('Name the model is served under, at /v2/models/{name}. Lowercase letters, digits and "-", at most 63 characters.'),
    uri: z
      .string()
      .max(2048)
      .regex(MODEL_URI, {
        error: 'must be builtin://NAME (a model shipped in the image), https://HOST/PATH (with sha256 set) or pvc://CLAIM/PATH',
      })
      .describe('Where the ONNX model comes from: builtin://NAME (shipped in the image), https://HOST/PATH (downloaded, verified against sha256) or pvc://CLAIM/PATH (a file on a PersistentVolumeClaim).'),
    sha256: z
      .string()
      .regex(SHA256_HEX, { error: 'must be 64 lowercase hexadecimal characters (the output of sha256sum)' })
      .optional()
      .describe('SHA-256 of the model file, as 64 lowercase hex characters. Required for https:// URIs.'),
    maxTokens: bounded(LIMITS.textMaxTokens)
      .optional()
      .describe(`Text-embedding models (e.g. builtin://all-minilm-l6-v2): texts are truncated to this many tokens, special tokens included (default ${DEFAULT_TEXT_MAX_TOKENS}). Ignored for tensor models.`),
  }),
  [
    {
      cel: "!self.uri.startsWith('https://') || has(self.sha256)",
      holds: (m) => !m.uri.startsWith('https://') || m.sha256 !== undefined,
      field: 'sha256',
      message: 'sha256 is required when uri is https:// (the download is verified against it)',
      reason: 'FieldValueRequired',
    },
  ],
).describe('The ONNX model to serve.');

export const ProviderSpec = z
  .strictObject({
    type: z
      .enum(PROVIDER_TYPES)
      .default('cpu')
      .describe('Hardware the server runs on: cpu, or nvidia-t4 (requests one nvidia.com/gpu and uses the CUDA execution provider).'),
    nodeSelector: z
      .record(z.string(), z.string())
      .optional()
      .describe('Labels a node must carry to run the server pods. For nvidia-t4 they replace the operator\'s default GPU node selector (--gpu-node-selector), so the labels of any cluster can be used.'),
  })
  .describe('Hardware the model runs on.');

export const ConcurrencySpec = z
  .strictObject({
    strategy: z
      .enum(STRATEGIES)
      .default('batched')
      .describe('How requests reach onnxruntime: inline (on the event loop, a baseline), shared (one worker thread), pool (one session per worker) or batched (dynamic batching over the workers, and a lone request on every core; the default).'),
    workers: bounded(LIMITS.workers).default(2).describe('Worker threads, each with its own session (pool size, or batch executors for batched).'),
    maxBatchSize: bounded(LIMITS.maxBatchSize).default(32).describe(`Largest batch the batched strategy forms before running it; batches also hold at most about ${BATCH_RUN_BUDGET_MS} ms of inference at the measured time per row and, on CPU, ${BATCH_INPUT_BUDGET_BYTES / 1024} KiB of input.`),
    maxQueueDelayMs: bounded(LIMITS.maxQueueDelayMs, true).default(2).describe('Longest a request waits for its batch to fill while another batch is running, in milliseconds (an idle worker runs a request at once).'),
    maxQueue: bounded(LIMITS.maxQueue).default(512).describe('Requests allowed to wait; beyond it the server answers 503 with Retry-After.'),
    intraOpThreads: bounded(LIMITS.intraOpThreads).optional().describe('onnxruntime intra-op threads per session; by default the cores divided among the workers.'),
  })
  .describe('How the server runs inference concurrently.');

export const SlaSpec = z
  .strictObject({
    p99LatencyMs: bounded(LIMITS.slaP99LatencyMs).describe('Target 99th-percentile latency in milliseconds; the SLA is met only at or below it.'),
    minThroughputRps: bounded(LIMITS.slaMinThroughputRps).optional().describe('Throughput of successful requests per second the service must sustain during the benchmark.'),
  })
  .describe('The service level the benchmark checks; its verdict is the SLAMet condition.');

export const BenchmarkSpec = withCrossFieldRules(
  z.strictObject({
    mode: z
      .enum(BENCHMARK_MODES)
      .optional()
      .describe('open: a fixed arrival rate, latency measured from each intended send time (stalls show in p99); closed: a fixed number of requests in flight, whose percentiles can hide stalls. Default: open at rate, or at sla.minThroughputRps when the SLA names one; closed otherwise.'),
    concurrency: bounded(LIMITS.benchmarkConcurrency).default(20).describe('Requests kept in flight in closed mode.'),
    rate: bounded(LIMITS.benchmarkRate).optional().describe('Requests per second sent in open mode (default: sla.minThroughputRps). Required when mode is open.'),
    durationSeconds: bounded(LIMITS.benchmarkDurationSeconds, true).default(30).describe('Length of the measured phase in seconds.'),
    warmupSeconds: bounded(LIMITS.benchmarkWarmupSeconds, true).default(5).describe('Load applied before measuring, in seconds; its results are discarded.'),
    payload: z.enum(PAYLOAD_ENCODINGS).default('json').describe('Request encoding: json tensors, or the binary tensor extension.'),
    timeoutMs: bounded(LIMITS.benchmarkTimeoutMs).default(10000).describe('A request not answered within this many milliseconds counts as an error.'),
    capacitySeconds: bounded(LIMITS.capacitySeconds)
      .default(120)
      .describe('Time budget of the search for one replica\'s capacity (the highest open-loop rate one server pod serves within the SLA), run when spec.autoscaling is set.'),
  }),
  [
    {
      // has(self.mode) guards objects the API server has not defaulted yet (e.g. while it validates `default: {}`).
      cel: "!has(self.mode) || self.mode != 'open' || has(self.rate)",
      holds: (b) => b.mode !== 'open' || b.rate !== undefined,
      field: 'rate',
      message: 'rate is required when mode is open (requests per second to send)',
      reason: 'FieldValueRequired',
    },
  ],
).describe('How the service is load-tested once its pods are available.');

const ResourceList = z
  .strictObject({
    cpu: quantity('CPU, in cores or millicores (e.g. 2, 500m).').optional(),
    memory: quantity('Memory, in bytes with an optional suffix (e.g. 1Gi, 512Mi).').optional(),
  });

export const ResourcesSpec = z
  .strictObject({
    requests: ResourceList.optional().describe('Resources the scheduler reserves for each server container.'),
    limits: ResourceList.optional().describe('Most each server container may use.'),
  })
  .describe('CPU and memory of each server container.');

export const AutoscalingSpec = withCrossFieldRules(
  z.strictObject({
    minReplicas: bounded(LIMITS.replicas).default(1).describe('Fewest server pods.'),
    maxReplicas: bounded(LIMITS.replicas).describe('Most server pods.'),
    targetUtilization: z
      .number()
      .gt(0)
      .max(1)
      .default(0.7)
      .describe("Share of one replica's measured capacity (status.capacity) each replica is sized to carry, from 0 to 1."),
    tolerance: z.number().min(0).max(1).default(0.1).describe('No change while the load is within this fraction of what the current replicas are sized for.'),
    scaleDownStabilizationSeconds: integer(0, 3600)
      .default(300)
      .describe('Replicas go down only to the highest recommendation made within this many seconds.'),
    intervalSeconds: integer(1, 300).default(15).describe('How often the server pods are scraped and a decision is made.'),
    windowSeconds: integer(10, 1800).default(60).describe('Sliding window over which the live request rate and p99 are computed.'),
  }),
  [
    {
      cel: '!has(self.minReplicas) || self.minReplicas <= self.maxReplicas',
      holds: (a) => a.minReplicas <= a.maxReplicas,
      field: 'minReplicas',
      message: 'minReplicas must not exceed maxReplicas',
      reason: 'FieldValueInvalid',
    },
    {
      cel: '!has(self.windowSeconds) || !has(self.intervalSeconds) || self.windowSeconds >= 2 * self.intervalSeconds',
      holds: (a) => a.windowSeconds >= 2 * a.intervalSeconds,
      field: 'windowSeconds',
      message: 'windowSeconds must be at least twice intervalSeconds (a window needs two scrapes)',
      reason: 'FieldValueInvalid',
    },
  ],
).describe('Sets the server replicas from the live request rate and p99 against the measured capacity of one replica. Without it, spec.replicas (or an HPA, KEDA or kubectl scale through the scale subresource) sets them.');

export const InferenceServiceSpec = z
  .strictObject({
    model: ModelSpec,
    provider: ProviderSpec.prefault({}),
    concurrency: ConcurrencySpec.prefault({}),
    sla: SlaSpec,
    benchmark: BenchmarkSpec.prefault({}),
    replicas: bounded(LIMITS.replicas).default(1).describe('Server pods behind the Service when spec.autoscaling is not set; the scale subresource (kubectl scale, an HPA, KEDA) sets it.'),
    autoscaling: AutoscalingSpec.optional(),
    resources: ResourcesSpec.optional(),
    image: z.string().min(1).max(512).optional().describe('Container image of the server and benchmark; by default the image the operator runs.'),
    imagePullPolicy: z.enum(PULL_POLICIES).optional().describe('Pull policy of that image: Always, IfNotPresent or Never.'),
  })
  .describe('A model to serve, how to serve it, and the SLA it is measured against.');

export const ConditionStatus = z.enum(['True', 'False', 'Unknown']);

/** metav1.Condition. */
export const Condition = z
  .object({
    type: z.string().max(316).regex(CONDITION_TYPE).describe('Kind of condition, in CamelCase: Ready, Benchmarked or SLAMet.'),
    status: ConditionStatus.describe('True, False or Unknown.'),
    observedGeneration: count().optional().describe('metadata.generation the condition was computed from.'),
    lastTransitionTime: timestamp().describe('When status last changed.'),
    reason: z.string().min(1).max(1024).regex(CONDITION_REASON).describe('Machine-readable CamelCase cause of the last transition.'),
    message: z.string().max(32768).describe('Human-readable details, including what to do about it.'),
  })
  .describe('An observation of one aspect of the service.');

export const BenchmarkStatus = z
  .object({
    p50Ms: millis().describe('Median latency, in milliseconds.'),
    p95Ms: millis().describe('95th-percentile latency, in milliseconds.'),
    p99Ms: millis().describe('99th-percentile latency, in milliseconds.'),
    maxMs: millis().describe('Highest latency observed, in milliseconds.'),
    throughputRps: z.number().min(0).describe('Successful requests per second over the measured phase.'),
    errorRate: z.number().min(0).max(1).describe('Fraction of requests that failed, from 0 to 1.'),
    requests: count().describe('Requests completed in the measured phase, successful or not.'),
    concurrency: count().describe('Requests in flight during the run (closed loop), or the most in flight (open loop).'),
    mode: z.enum(BENCHMARK_MODES).optional().describe('How the load was applied: open (a fixed arrival rate) or closed (a fixed number in flight).'),
    durationSeconds: z.number().min(0).describe('Length of the measured phase, in seconds.'),
    strategy: z.enum(STRATEGIES).describe('Concurrency strategy the server used.'),
    completedAt: timestamp().describe('When the benchmark finished.'),
    specHash: z.string().regex(SPEC_HASH).describe('Hash of the spec fields the result depends on; a different hash means a new benchmark is due.'),
  })
  .describe('Result of the latest completed benchmark.');

export const CapacityStatus = z
  .object({
    rpsPerReplica: z.number().min(0).describe('Requests per second one server pod serves with p99 within the SLA (open-loop rate search).'),
    p99Ms: millis().optional().describe('p99 latency measured at that rate, in milliseconds.'),
    specHash: z.string().regex(SPEC_HASH).describe('Spec hash the capacity was measured for.'),
    measuredAt: timestamp().describe('When the search finished.'),
  })
  .describe('What one replica carries within the SLA: the autoscaler sizes replicas from it.');

export const LiveStatus = z
  .object({
    rps: z.number().min(0).describe('Requests per second across the ready server pods over the window.'),
    p99Ms: millis().optional().describe('p99 latency across the pods over the window (merged histograms); absent with too few requests.'),
    windowSeconds: z.number().min(0).describe('Length of the window the figures cover, in seconds.'),
    pods: count().describe('Server pods whose metrics were counted.'),
    observedAt: timestamp().describe('When the figures were computed.'),
  })
  .describe('Live request rate and latency of the running service, from the server pods\' own metrics.');

export const AutoscalingStatus = z
  .object({
    desiredReplicas: count().describe('Replicas the autoscaler asks for.'),
    lastScaleTime: timestamp().optional().describe('When the autoscaler last changed the replicas.'),
    message: z.string().max(1024).describe('The latest decision, with its reason.'),
  })
  .describe('What the autoscaler decided last.');

export const InferenceServiceStatus = z
  .object({
    observedGeneration: count().optional().describe('metadata.generation this status was computed from.'),
    conditions: z
      .array(Condition)
      .max(16)
      .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] })
      .optional()
      .describe('Ready, Benchmarked, SLAMet, CapacityMeasured and LatencyWithinSLA, one of each type.'),
    endpoint: z.string().max(2048).optional().describe('In-cluster URL of the inference endpoint (Open Inference Protocol v2).'),
    replicas: count().optional().describe('Server pods that exist.'),
    readyReplicas: count().optional().describe('Server pods that are ready.'),
    selector: z.string().max(1024).optional().describe('Label selector of the server pods (for the scale subresource).'),
    benchmark: BenchmarkStatus.optional(),
    capacity: CapacityStatus.optional(),
    live: LiveStatus.optional(),
    autoscaling: AutoscalingStatus.optional(),
  })
  .describe('What the operator observed and measured.');

const ObjectMeta = z
  .looseObject({
    name: z.string().min(1).max(253),
    namespace: z.string().optional(),
    generation: z.int().optional(),
    uid: z.string().optional(),
    labels: z.record(z.string(), z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
  })
  .describe('Standard object metadata.');

export const InferenceService = z
  .object({
    apiVersion: z.literal(API_VERSION).describe('Versioned schema of this object.'),
    kind: z.literal(KIND).describe('Kind of this object.'),
    metadata: ObjectMeta,
    spec: InferenceServiceSpec,
    status: InferenceServiceStatus.optional(),
  })
  .describe('Serves an ONNX model over the Open Inference Protocol v2 and benchmarks it against an SLA.');

export type ModelSpec = z.infer<typeof ModelSpec>;
export type ProviderSpec = z.infer<typeof ProviderSpec>;
export type ConcurrencySpec = z.infer<typeof ConcurrencySpec>;
export type SlaSpec = z.infer<typeof SlaSpec>;
export type BenchmarkSpec = z.infer<typeof BenchmarkSpec>;
export type ResourcesSpec = z.infer<typeof ResourcesSpec>;
export type AutoscalingSpec = z.infer<typeof AutoscalingSpec>;
export type CapacityStatus = z.infer<typeof CapacityStatus>;
export type LiveStatus = z.infer<typeof LiveStatus>;
export type AutoscalingStatus = z.infer<typeof AutoscalingStatus>;
export type InferenceServiceSpec = z.infer<typeof InferenceServiceSpec>;
export type ConditionStatus = z.infer<typeof ConditionStatus>;
export type Condition = z.infer<typeof Condition>;
export type BenchmarkStatus = z.infer<typeof BenchmarkStatus>;
export type InferenceServiceStatus = z.infer<typeof InferenceServiceStatus>;
export type InferenceService = z.infer<typeof InferenceService>;
/** What a manifest may omit: the shape before defaults are applied. */
export type InferenceServiceSpecInput = z.input<typeof InferenceServiceSpec>;
export type InferenceServiceInput = z.input<typeof InferenceService>;
export type Strategy = (typeof STRATEGIES)[number];
export type ProviderType = (typeof PROVIDER_TYPES)[number];
