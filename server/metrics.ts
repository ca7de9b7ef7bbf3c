import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Bucket bounds from `first` to `last` (both included) that grow by one constant ratio, the smallest step count
 * keeping that ratio at or below `maxRatio`; each bound rounded to 4 significant digits.
 */
export function geometricBuckets(first: number, last: number, maxRatio: number): number[] {
  if (!(first > 0 && last > first && maxRatio > 1)) throw new RangeError(`no geometric buckets from ${first} to ${last} by ${maxRatio}`);
  // The epsilon keeps an exact power (16 from 1 by 2) from gaining a step to rounding.
  const steps = Math.ceil(Math.log(last / first) / Math.log(maxRatio) - 1e-9);
  const ratio = (last / first) ** (1 / steps);
  return Array.from({ length: steps + 1 }, (_, i) => Number((first * ratio ** i).toPrecision(4)));
}

// 0.5 ms to 60 s, each bound ~9 % above the last (137 bounds): a quantile interpolated inside a bucket stays within a
// few percent of the exact one, which the operator's autoscaler needs to compare a live p99 with the SLA.
export const latencyBuckets = geometricBuckets(0.0005, 60, 1.09);

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

  constructor(queueDepth: () => number = () => 0, expectedWaitMs: () => number = () => 0) {
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
      help: 'Inference requests refused before running, by reason (queue_full, overloaded, queue_timeout, invalid).',
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
    new Gauge({
      name: 'vernier_queue_expected_wait_seconds',
      help: 'Wait a request arriving now is expected to have before an executor takes it; admission refuses beyond half the request timeout.',
      registers,
      collect() {
        this.set(expectedWaitMs() / 1000);
      },
    });
  }

  observeRun(run: { rows: number; inferenceMs: number }): void {
    this.batchSize.observe(run.rows);
    this.inferenceDuration.observe(run.inferenceMs / 1000);
  }
}
