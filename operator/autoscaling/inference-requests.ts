// Which of the server's request-duration series measure the load and latency an SLA is about.
import type { SeriesClassifier } from './prometheus-histogram.js';

/** The server's request-duration histogram (server/metrics.ts), labelled route, method and status. */
export const requestDurationFamily = 'vernier_http_request_duration_seconds';

/** The route template the server registers for inference and reports in the `route` label (server/routes/inference.ts). */
export const inferenceRoute = '/v2/models/:model/infer';
/** The same with a model version (tritonclient's model_version="1"): the same work on the same queue. */
export const versionedInferenceRoute = '/v2/models/:model/versions/:version/infer';
const inferenceRoutes = new Set([inferenceRoute, versionedInferenceRoute]);

// The statuses the server answers when it is out of capacity: 503 when its queue is full, 504 when a request waited
// too long for an executor (server/engine/scheduler.ts).
const overloadStatuses = new Set(['503', '504']);

/**
 * The recommended reading of an SLA's "99 % of inference requests answer within p99LatencyMs":
 * - 2xx: answered; counted at its measured latency.
 * - 503 and 504: refused or dropped for want of capacity. The caller got no answer, so each counts as a miss
 *   (slower than any bucket) and in the request rate: counting them as their (often fast) measured latency, or
 *   leaving them out, would make an overloaded server that sheds load look as if it met its SLA.
 * - Anything else (4xx, 500): the request's own fault or a bug, not capacity; more replicas would not change it, and
 *   counting it as a miss would let a failing client drive the service to maxReplicas.
 * Other routes (health probes, /metrics) are never counted.
 */
export const inferenceSlaSeries: SeriesClassifier = (labels) => {
  if (!inferenceRoutes.has(labels.route ?? '')) return 'skip';
  if (/^2\d\d$/.test(labels.status ?? '')) return 'latency';
  return overloadStatuses.has(labels.status ?? '') ? 'sla-miss' : 'skip';
};
