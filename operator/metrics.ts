// The operator's own Prometheus metrics, on a private registry.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface OperatorMetrics {
  registry: Registry;
  reconcileDuration: Histogram<'result'>;
  reconcileErrors: Counter;
  queueDepth: Gauge;
  informerRestarts: Counter<'informer' | 'reason'>;
  informerSynced: Gauge<'informer'>;
  leader: Gauge;
  benchmarkJobsCreated: Counter;
  statusWrites: Counter;
  /** The autoscaler's latest decision and live figures, per InferenceService. */
  desiredReplicas: Gauge<'namespace' | 'name'>;
  liveP99Seconds: Gauge<'namespace' | 'name'>;
  liveRequestsPerSecond: Gauge<'namespace' | 'name'>;
}

export function createMetrics(options: { defaultMetrics?: boolean; queueDepth?: () => number } = {}): OperatorMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'vernier_operator_' });
  const registers = [registry];
  return {
    registry,
    reconcileDuration: new Histogram({
      name: 'vernier_operator_reconcile_duration_seconds',
      help: 'Time one reconcile of an InferenceService took, by result (success or error).',
      labelNames: ['result'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    reconcileErrors: new Counter({ name: 'vernier_operator_reconcile_errors_total', help: 'Reconciles that failed and were retried with backoff.', registers }),
    queueDepth: new Gauge({
      name: 'vernier_operator_work_queue_depth',
      help: 'Keys waiting in the work queue.',
      registers,
      collect() {
        if (options.queueDepth) this.set(options.queueDepth());
      },
    }),
    informerRestarts: new Counter({
      name: 'vernier_operator_informer_restarts_total',
      help: 'Watches restarted, by informer and reason (error: a list or watch failed; stale: silent too long; expired: listed again after 410 Gone).',
      labelNames: ['informer', 'reason'],
      registers,
    }),
    informerSynced: new Gauge({ name: 'vernier_operator_informer_synced', help: '1 once the informer has listed its resources.', labelNames: ['informer'], registers }),
    leader: new Gauge({ name: 'vernier_operator_leader', help: '1 while this process holds the leader lease.', registers }),
    benchmarkJobsCreated: new Counter({ name: 'vernier_operator_benchmark_jobs_created_total', help: 'Benchmark Jobs this process created.', registers }),
    statusWrites: new Counter({ name: 'vernier_operator_status_writes_total', help: 'InferenceService status updates written.', registers }),
    desiredReplicas: new Gauge({
      name: 'vernier_operator_desired_replicas',
      help: 'Server replicas the autoscaler asks for, by InferenceService.',
      labelNames: ['namespace', 'name'],
      registers,
    }),
    liveP99Seconds: new Gauge({
      name: 'vernier_operator_live_p99_seconds',
      help: 'p99 request latency across the server pods over the autoscaling window, by InferenceService (absent without requests).',
      labelNames: ['namespace', 'name'],
      registers,
    }),
    liveRequestsPerSecond: new Gauge({
      name: 'vernier_operator_live_requests_per_second',
      help: 'Inference requests per second across the server pods over the autoscaling window, by InferenceService.',
      labelNames: ['namespace', 'name'],
      registers,
    }),
  };
}
