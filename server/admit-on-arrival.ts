// Inference requests are put to the engine's admission check as soon as their headers arrive, before the body is read.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Scheduler } from './engine/scheduler.js';
import { inferenceRouteTemplates } from './routes/inference.js';

/**
 * Admits the inference routes' requests, and those of `otherRoutes` (templates of other routes that submit to the
 * queue). Returns what a route calls as it submits a request: from then on the queue itself counts it.
 */
export function admitOnArrival(app: FastifyInstance, scheduler: Scheduler, otherRoutes: readonly string[] = []): (request: FastifyRequest) => void {
  const inferenceRoutes = new Set<string | undefined>([...inferenceRouteTemplates, ...otherRoutes]);
  const places = new WeakMap<FastifyRequest, () => void>();
  const giveUp = (request: FastifyRequest) => places.get(request)?.();
  app.addHook('onRequest', (request, _reply, done) => {
    if (request.method !== 'POST' || !inferenceRoutes.has(request.routeOptions.url)) return done();
    let place: () => void;
    try {
      place = scheduler.admit();
    } catch (err) {
      return done(err as Error);
    }
    places.set(request, place);
    // A request that ends without an answer (abandoned, or cut off by the body timeout) gives its place up too.
    request.raw.once('close', place);
    done();
  });
  // Answered without being submitted: refused for its body (too large, malformed, not decompressible).
  app.addHook('onResponse', (request, _reply, done) => {
    giveUp(request);
    done();
  });
  return giveUp;
}
