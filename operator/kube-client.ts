// A thin JSON client of the Kubernetes API: authentication and TLS from a KubeConfig, objects kept exactly as the server sends them.
import http from 'node:http';
import https from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeConfig } from '@kubernetes/client-node';

/** A failed API call: HTTP status, the Status reason (NotFound, AlreadyExists, Conflict, Invalid...) and the server's message. */
export class KubeApiError extends Error {
  readonly status: number;
  readonly reason: string | undefined;
  /** How long the server asked the client to wait before its next request (Retry-After on a 429 or 5xx). */
  readonly retryAfterMs: number | undefined;
  constructor(message: string, status: number, reason: string | undefined, options?: ErrorOptions & { retryAfterMs?: number }) {
    super(message, options);
    this.name = 'KubeApiError';
    this.status = status;
    this.reason = reason;
    this.retryAfterMs = options?.retryAfterMs;
  }
}

/** A server asking for a longer pause is checked back with after this long, so one answer cannot stall the operator. */
export const MAX_RETRY_AFTER_MS = 60_000;

/** Retry-After (delay-seconds or an HTTP date) in ms, for the statuses that carry it as advice to wait (429, 5xx). */
export function parseRetryAfter(status: number, header: string | string[] | undefined, now = Date.now()): number | undefined {
  if (status !== 429 && (status < 500 || status > 599)) return undefined;
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === '') return undefined;
  const ms = /^\d+$/.test(value.trim()) ? Number(value.trim()) * 1000 : Date.parse(value) - now;
  if (!Number.isFinite(ms)) return undefined;
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms));
}

/** The Retry-After of a failed call, looked for along the error's causes (callers wrap the KubeApiError). */
export function retryAfterOf(err: unknown): number | undefined {
  for (let current = err, depth = 0; current instanceof Error && depth < 10; current = current.cause, depth++) {
    if (current instanceof KubeApiError && current.retryAfterMs !== undefined) return current.retryAfterMs;
  }
  return undefined;
}

export const isNotFound = (err: unknown): boolean => err instanceof KubeApiError && err.status === 404;
export const isAlreadyExists = (err: unknown): boolean => err instanceof KubeApiError && err.status === 409 && err.reason === 'AlreadyExists';
/** Refused by authorization (RBAC): the credentials lack the verb. */
export const isForbidden = (err: unknown): boolean => err instanceof KubeApiError && err.status === 403;
/** A write refused because its namespace is being deleted (403, "... because it is being terminated"). */
export const isNamespaceTerminating = (err: unknown): boolean =>
  err instanceof KubeApiError && err.status === 403 && /because it is being terminated/.test(err.message);
export const isConflict = (err: unknown): boolean => err instanceof KubeApiError && err.status === 409 && err.reason !== 'AlreadyExists';

export interface KubeRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  timeoutMs?: number;
}

export interface KubeClient {
  request<T = unknown>(req: KubeRequest): Promise<T>;
}

/** One line of a watch stream. ERROR carries a Status (410 Gone: the resourceVersion is too old, list again). */
export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: { metadata?: { resourceVersion?: string }; code?: number; message?: string } & Record<string, unknown>;
}

export interface WatchRequest {
  /** The collection's path; `watch=true` is added. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  onEvent: (event: WatchEvent) => void;
  signal: AbortSignal;
}

/** A client that can also follow a collection: resolves when the server ends the stream, rejects on an error or abort. */
export interface WatchingKubeClient extends KubeClient {
  watch(req: WatchRequest): Promise<void>;
}

export interface ResourceRef {
  /** '' for the core group. */
  group: string;
  version: string;
  plural: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

export function resourcePath(ref: ResourceRef): string {
  const base = ref.group === '' ? `/api/${ref.version}` : `/apis/${ref.group}/${ref.version}`;
  const ns = ref.namespace ? `/namespaces/${encodeURIComponent(ref.namespace)}` : '';
  const name = ref.name ? `/${encodeURIComponent(ref.name)}` : '';
  const sub = ref.subresource ? `/${ref.subresource}` : '';
  return `${base}${ns}/${ref.plural}${name}${sub}`;
}

const DEFAULT_TIMEOUT_MS = 30_000;

export function kubeClient(kc: KubeConfig): WatchingKubeClient {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster (set current-context, or pass --kubeconfig)');
  const server = cluster.server.replace(/\/+$/, '');
  // After a Retry-After, every request of this client waits it out: the server throttles the client, not one call.
  let notBefore = 0;

  /** URL, transport and options (credentials resolved now: tokens rotate) of one call. */
  async function prepare(method: KubeRequest['method'], path: string, query: KubeRequest['query']) {
    const wait = notBefore - Date.now();
    if (wait > 0) await sleep(wait);
    const url = new URL(server + path);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const opts: https.RequestOptions = { method, headers: {} };
    // Resolves tokens (including exec plugins and rotating in-cluster tokens), client certificates and the CA.
    await kc.applyToHTTPSOptions(opts);
    const headers: Record<string, string | number> = { ...(opts.headers as Record<string, string>), Accept: 'application/json' };
    const transport = url.protocol === 'http:' ? http : https;
    return { url, opts, headers, transport, what: `${method} ${url.pathname}` };
  }

  /** The error of a non-2xx answer; a Retry-After holds back every later request of this client. */
  function apiError(what: string, status: number, text: string, retryAfterHeader: string | string[] | undefined): KubeApiError {
    let s: { message?: string; reason?: string } | undefined;
    try {
      s = text === '' ? undefined : (JSON.parse(text) as typeof s);
    } catch {
      s = undefined;
    }
    const retryAfterMs = parseRetryAfter(status, retryAfterHeader);
    if (retryAfterMs !== undefined) notBefore = Math.max(notBefore, Date.now() + retryAfterMs);
    return new KubeApiError(`${what}: HTTP ${status}${s?.reason ? ` ${s.reason}` : ''}: ${s?.message ?? text.slice(0, 500)}`, status, s?.reason, { retryAfterMs });
  }

  return {
    async request<T>(req: KubeRequest): Promise<T> {
      const { url, opts, headers, transport, what } = await prepare(req.method, req.path, req.query);
      const body = req.body === undefined ? undefined : Buffer.from(JSON.stringify(req.body));
      if (body) {
        headers['Content-Type'] = req.contentType ?? 'application/json';
        headers['Content-Length'] = body.length;
      }
      return new Promise<T>((resolve, reject) => {
        const request = transport.request(url, { ...opts, headers, timeout: req.timeoutMs ?? DEFAULT_TIMEOUT_MS }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', (err) => reject(new Error(`${what}: ${err.message}`, { cause: err })));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const status = res.statusCode ?? 0;
            if (status < 200 || status >= 300) return reject(apiError(what, status, text, res.headers['retry-after']));
            try {
              resolve((text === '' ? undefined : JSON.parse(text)) as T);
            } catch (err) {
              reject(new Error(`${what}: response is not JSON: ${text.slice(0, 200)}`, { cause: err }));
            }
          });
        });
        request.on('timeout', () => request.destroy(new Error(`${what}: no response within ${req.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms`)));
        request.on('error', (err) => reject(err.message.startsWith(what) ? err : new Error(`${what}: ${err.message}`, { cause: err })));
        request.end(body);
      });
    },

    async watch(req: WatchRequest): Promise<void> {
      const { url, opts, headers, transport, what } = await prepare('GET', req.path, { ...req.query, watch: true });
      if (req.signal.aborted) throw new Error(`${what}: watch aborted`);
      return new Promise<void>((resolve, reject) => {
        // No socket timeout: a watch is quiet while nothing changes; the server ends it after timeoutSeconds.
        const request = transport.request(url, { ...opts, headers, signal: req.signal }, (res) => {
          const status = res.statusCode ?? 0;
          if (status < 200 || status >= 300) {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => reject(apiError(what, status, Buffer.concat(chunks).toString('utf8'), res.headers['retry-after'])));
            res.on('error', (err) => reject(new Error(`${what}: ${err.message}`, { cause: err })));
            return;
          }
          let pending = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            pending += chunk;
            let nl: number;
            while ((nl = pending.indexOf('\n')) !== -1) {
              const line = pending.slice(0, nl).trim();
              pending = pending.slice(nl + 1);
              if (line === '') continue;
              let event: WatchEvent;
              try {
                event = JSON.parse(line) as WatchEvent;
              } catch (err) {
                request.destroy(new Error(`${what}: watch line is not JSON: ${line.slice(0, 200)}`, { cause: err }));
                return;
              }
              req.onEvent(event);
            }
          });
          res.on('error', (err) => reject(new Error(`${what}: ${err.message}`, { cause: err })));
          // A stream cut mid-line did not end cleanly.
          res.on('end', () => (pending.trim() === '' ? resolve() : reject(new Error(`${what}: watch stream ended mid-event`))));
          res.on('aborted', () => reject(new Error(`${what}: watch stream aborted`)));
        });
        request.on('error', (err) => reject(err.message.startsWith(what) ? err : new Error(`${what}: ${err.message}`, { cause: err })));
        request.end();
      });
    },
  };
}
