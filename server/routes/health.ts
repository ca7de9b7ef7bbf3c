// Liveness and readiness probes: GET /v2/health/live and /v2/health/ready.
import type { Scheduler } from '../engine/scheduler.js';
import { errorBody, inAppContext, type Lifecycle } from './shared.js';

export interface HealthRoutesOptions {
  scheduler: Scheduler;
  lifecycle: Lifecycle;
}

export const healthRoutes = inAppContext<HealthRoutesOptions>(async function healthRoutes(app, { scheduler, lifecycle }) {
  app.get('/v2/health/live', { schema: { response: { 200: { type: 'object', properties: { live: { type: 'boolean' } } }, 503: errorBody } } }, async (_req, reply) =>
    scheduler.healthy ? { live: true } : reply.code(503).send({ error: 'an inference executor has stopped' }),
  );

  app.get('/v2/health/ready', { schema: { response: { 200: { type: 'object', properties: { ready: { type: 'boolean' } } }, 503: errorBody } } }, async (_req, reply) =>
    lifecycle.ready && scheduler.healthy ? { ready: true } : reply.code(503).send({ error: lifecycle.ready ? 'an inference executor has stopped' : 'server is shutting down' }),
  );
});
