// Pieces the route plugins share: schemas, which model and version a request names, and registration in the app's own context.
import type { FastifyPluginAsync, FastifyPluginOptions } from 'fastify';
import { modelVersion } from '../protocol.js';

export const errorBody = { type: 'object', properties: { error: { type: 'string' } }, required: ['error'] } as const;
export const modelParams = {
  type: 'object',
  properties: { model: { type: 'string' }, version: { type: 'string' } },
  required: ['model'],
} as const;

/** Readiness the process controls: false from the moment shutdown begins. */
export interface Lifecycle {
  ready: boolean;
}

/** The path parameters of /v2/models/{model}[/versions/{version}]/…; `version` only on the versioned routes. */
export interface ModelParams {
  model: string;
  version?: string;
}

/** Why a request that names another model or version gets a 404, or undefined when it names the one served. */
export function notServed(params: ModelParams, served: string): string | undefined {
  if (params.model !== served) return `unknown model '${params.model}'; this server serves '${served}'`;
  if (params.version !== undefined && params.version !== modelVersion) {
    return `model '${served}' has no version '${params.version}'; its versions are: ${modelVersion}`;
  }
  return undefined;
}

/**
 * Marks a plugin to run in its parent's context rather than a child one, as fastify-plugin does,
 * so the app-wide error handler, not-found handler and hooks apply to its routes exactly as before.
 */
export function inAppContext<Options extends FastifyPluginOptions>(plugin: FastifyPluginAsync<Options>): FastifyPluginAsync<Options> {
  return Object.assign(plugin, { [Symbol.for('skip-override')]: true });
}
