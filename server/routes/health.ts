// Liveness and readiness probes: GET /v2/health/live and /v2/health/ready on the HTTP port (the probe port answers
// the same from a thread of its own: server/probes/).
import type { Scheduler } from '../engine/scheduler.js';
import { liveness, readiness, type HealthState } from '../probes/health-verdict.js';
import { errorBody, inAppContext, type Lifecycle } from './shared.js';

export interface HealthRoutesOptions {
  scheduler: Scheduler;
  lifecycle: Lifecycle;
}

export const healthRoutes = inAppContext<HealthRoutesOptions>(async function healthRoutes(app, { scheduler, lifecycle }) {
  // Answered on the HTTP thread, which is therefore running.
  const state = (): HealthState => ({ ready: lifecycle.ready, healthy: scheduler.healthy, httpThreadSilentMs: 0 });
  app.get('/v2/health/live', { schema: { response: { 200: { type: 'object', properties: { live: { type: 'boolean' } } }, 503: errorBody } } }, async (_req, reply) => {
    const verdict = liveness(state());
    return reply.code(verdict.status).send(verdict.body);
  });
  app.get('/v2/health/ready', { schema: { response: { 200: { type: 'object', properties: { ready: { type: 'boolean' } } }, 503: errorBody } } }, async (_req, reply) => {
    const verdict = readiness(state());
    return reply.code(verdict.status).send(verdict.body);
  });
});
