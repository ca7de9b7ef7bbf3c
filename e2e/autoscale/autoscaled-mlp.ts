// The InferenceService the autoscaling spec and `npm run bench:autoscale` scale: the builtin mlp behind a CPU limit,
// so that one replica has a clearly bounded capacity on a two-core node, with the autoscaler's loop shortened.

/**
 * Each server pod's CPU, requested and limited: one replica then serves about 40–250 req/s within the SLA (measured;
 * it depends on the host and how busy the node's two cores are), and 3× that with its replicas and the generator still fits them.
 */
export const SERVER_CPU = '100m';
/** The limit's CFS throttling alone can stall a request for most of a 100 ms period: the target leaves room for it. */
export const SLA_P99_MS = 200;
/**
 * The capacity search's budget. On a slow or busy host one replica serves 40–60 req/s: each open-loop step then needs
 * 4–5 s for its 200 requests plus the drain of a missed step, and 30 s ended after three steps above the SLA edge.
 */
export const CAPACITY_SECONDS = 60;

export interface AutoscalingSettings {
  minReplicas: number;
  maxReplicas: number;
  targetUtilization: number;
  intervalSeconds: number;
  windowSeconds: number;
  scaleDownStabilizationSeconds: number;
}

export const SHORT_LOOP: AutoscalingSettings = {
  minReplicas: 1,
  maxReplicas: 4,
  targetUtilization: 0.7,
  intervalSeconds: 5,
  windowSeconds: 15,
  scaleDownStabilizationSeconds: 20,
};

export interface MlpManifestOptions {
  name: string;
  namespace: string;
  /** Without it, the service runs spec.replicas (which the scale subresource sets). */
  autoscaling?: AutoscalingSettings;
  capacitySeconds?: number;
}

export function mlpInferenceService(o: MlpManifestOptions): Record<string, unknown> {
  return {
    apiVersion: 'vernier.dev/v1alpha1',
    kind: 'InferenceService',
    metadata: { name: o.name, namespace: o.namespace },
    spec: {
      model: { name: 'mlp', uri: 'builtin://mlp' },
      // One worker with one onnxruntime thread: more threads only compete for the same CPU quota.
      concurrency: { strategy: 'batched', workers: 1, intraOpThreads: 1, maxBatchSize: 64, maxQueueDelayMs: 1 },
      sla: { p99LatencyMs: SLA_P99_MS },
      benchmark: { concurrency: 8, durationSeconds: 5, warmupSeconds: 1, capacitySeconds: o.capacitySeconds ?? CAPACITY_SECONDS },
      resources: { requests: { cpu: SERVER_CPU, memory: '192Mi' }, limits: { cpu: SERVER_CPU, memory: '512Mi' } },
      ...(o.autoscaling ? { autoscaling: o.autoscaling } : {}),
    },
  };
}

/** What the autoscaler's own rule asks for at `rps`: ⌈rps / (capacity × targetUtilization)⌉ within the bounds. */
export function replicasFor(rps: number, capacityRps: number, s: AutoscalingSettings): number {
  return Math.min(s.maxReplicas, Math.max(s.minReplicas, Math.ceil(rps / (capacityRps * s.targetUtilization))));
}
