import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

const latencyBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The server's Prometheus metrics, on a registry of their own. */
export class ServerMetrics {
  readonly registry = new Registry();
  readonly requestDuration: Histogram<'route' | 'method' | 'status'>;
  readonly queueWait: Histogram;
  readonly inferenceDuration: Histogram;
  readonly batchSize: Histogram;
  readonly rejected: Counter<'reason'>;
  readonly inFlight: Gauge;
  readonly modelLoad: Gauge;

  constructor(queueDepth: () => number = () => 0) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 10 });
    this.requestDuration = new Histogram({
      name: 'vernier_http_request_duration_seconds',
      help: 'HTTP request duration, by route template, method and status code.',
      labelNames: ['route', 'method', 'status'],
      buckets: latencyBuckets,
      registers,
    });
    this.queueWait = new Histogram({
      name: 'vernier_queue_wait_seconds',
      help: 'Time an inference request waited for an executor.',
      buckets: latencyBuckets,
      registers,
    });
    this.inferenceDuration = new Histogram({
      name: 'vernier_inference_duration_seconds',
      help: 'Duration of one onnxruntime run (one batch under the batched strategy).',
      buckets: latencyBuckets,
      registers,
    });
    this.batchSize = new Histogram({
      name: 'vernier_batch_size',
      help: 'Rows per onnxruntime run.',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
      registers,
    });
    this.rejected = new Counter({
      name: 'vernier_rejected_requests_total',
      help: 'Inference requests refused before running, by reason (queue_full, queue_timeout, invalid).',
      labelNames: ['reason'],
      registers,
    });
    this.inFlight = new Gauge({ name: 'vernier_requests_in_flight', help: 'Inference requests accepted and not yet answered.', registers });
    this.modelLoad = new Gauge({ name: 'vernier_model_load_seconds', help: 'Time taken to load the model into every executor.', registers });
    new Gauge({
      name: 'vernier_queue_depth',
      help: 'Inference requests waiting for an executor.',
      registers,
      collect() {
        this.set(queueDepth());
      },
    });
  }

  observeRun(run: { rows: number; inferenceMs: number }): void {
    this.batchSize.observe(run.rows);
    this.inferenceDuration.observe(run.inferenceMs / 1000);
  }
}
