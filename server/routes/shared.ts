// Pieces the route plugins share: schemas, the unknown-model reply, and registration in the app's own context.
import type { FastifyPluginAsync, FastifyPluginOptions, FastifyReply } from 'fastify';

export const errorBody = { type: 'object', properties: { error: { type: 'string' } }, required: ['error'] } as const;
export const modelParams = { type: 'object', properties: { model: { type: 'string' } }, required: ['model'] } as const;

/** Readiness the process controls: false from the moment shutdown begins. */
export interface Lifecycle {
  ready: boolean;
}

export interface ModelParams {
  model: string;
}

export function unknownModel(reply: FastifyReply, requested: string, served: string): FastifyReply {
  return reply.code(404).send({ error: `unknown model '${requested}'; this server serves '${served}'` });
}

/**
 * Marks a plugin to run in its parent's context rather than a child one, as fastify-plugin does,
 * so the app-wide error handler, not-found handler and hooks apply to its routes exactly as before.
 */
export function inAppContext<Options extends FastifyPluginOptions>(plugin: FastifyPluginAsync<Options>): FastifyPluginAsync<Options> {
  return Object.assign(plugin, { [Symbol.for('skip-override')]: true });
}
