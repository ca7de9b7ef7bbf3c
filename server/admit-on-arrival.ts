// Inference requests are put to the engine's admission check as soon as their headers arrive, before the body is read.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Scheduler } from './engine/scheduler.js';
import { inferenceRouteTemplates } from './routes/inference.js';

/** Admits the inference routes' requests, and those of `otherRoutes` (templates of other routes that submit to the queue). */
export function admitOnArrival(app: FastifyInstance, scheduler: Scheduler, otherRoutes: readonly string[] = []): void {
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
  // The handler submits to the queue straight after this hook; from then on the queue itself counts the request.
  app.addHook('preHandler', (request, _reply, done) => {
    giveUp(request);
    done();
  });
  // Answered before the handler: refused for its body (too large, malformed, not decompressible).
  app.addHook('onResponse', (request, _reply, done) => {
    giveUp(request);
    done();
  });
}
