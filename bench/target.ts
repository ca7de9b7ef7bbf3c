// Where the load goes: the origin, the request line and headers, and the model metadata to read (if any). Pure.
import type { BenchOptions } from '../contracts/bench-options.js';

export interface ResolvedTarget {
  /** The URL as given. */
  url: string;
  /** scheme://host[:port] */
  origin: string;
  /** The Host header. */
  host: string;
  method: string;
  /** Path and query of every load request. */
  path: string;
  /** GET path of the model's metadata when payloads are generated from it; null otherwise. */
  metadataPath: string | null;
  /** --header values; they override the payload's own (e.g. content-type). */
  headers: Record<string, string>;
}

/** `Name: value` → [name, value]; undefined when there is no name before a colon. */
export function splitHeader(line: string): [string, string] | undefined {
  const colon = line.indexOf(':');
  if (colon <= 0) return undefined;
  return [line.slice(0, colon).trim(), line.slice(colon + 1).trim()];
}

/**
 * The OIP v2 infer endpoint of `model` under the URL's path unless `path` names another (also under the URL's path).
 * The method is POST when a body is sent (a generated payload or a file), GET otherwise, unless given.
 */
export function resolveTarget(o: Pick<BenchOptions, 'url' | 'model' | 'path' | 'method' | 'headers' | 'payloadFile'>): ResolvedTarget {
  const url = new URL(o.url);
  const prefix = url.pathname.replace(/\/+$/, '');
  const modelPath = o.model === undefined ? null : `${prefix}/v2/models/${encodeURIComponent(o.model)}`;
  const path = o.path !== undefined ? `${prefix}${o.path}` : `${modelPath}/infer`;
  const generated = o.model !== undefined && o.payloadFile === undefined;
  const sendsBody = generated || o.payloadFile !== undefined;
  return {
    url: o.url,
    origin: url.origin,
    host: url.host,
    method: o.method ?? (sendsBody ? 'POST' : 'GET'),
    path,
    metadataPath: generated ? modelPath : null,
    headers: o.headers ?? {},
  };
}
