// Prometheus exposition: GET /metrics.
import type { ServerMetrics } from '../metrics.js';
import { inAppContext } from './shared.js';

export interface MetricsRoutesOptions {
  metrics: ServerMetrics;
}

export const metricsRoutes = inAppContext<MetricsRoutesOptions>(async function metricsRoutes(app, { metrics }) {
  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });
});
