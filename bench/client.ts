// The requests before the load: the model's metadata and one probe of the request the run will send (undici).
// The load itself goes through the load threads' own connections (http1-pool.ts).
import { Pool } from 'undici';
import { ModelMetadata } from './model-metadata.js';
import type { Payload } from './payload.js';
import type { ResolvedTarget } from './target.js';

/** `http_<status>`, `timeout`, `connection`, `dropped` (open loop, in-flight cap) or `other`. */
export type ErrorKind = string;

export type InferOutcome = { ok: true } | { ok: false; kind: ErrorKind; message: string };

/** The target could not be used at all (unreachable, unknown model, unusable metadata): the run cannot start. */
export class BenchTargetError extends Error {
  /** The server may answer soon (connection refused, DNS not yet resolvable, 502/503/504): worth retrying. */
  readonly transient: boolean;
  constructor(message: string, options?: ErrorOptions & { transient?: boolean }) {
    super(message, options);
    this.name = 'BenchTargetError';
    this.transient = options?.transient ?? false;
  }
}

const timeoutCodes = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT', 'VERNIER_REQUEST_TIMEOUT']);
const connectionCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
]);

export function errorKindOf(err: unknown): ErrorKind {
  if ((err as { name?: unknown } | null)?.name === 'TimeoutError') return 'timeout';
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    if (timeoutCodes.has(code)) return 'timeout';
    if (connectionCodes.has(code)) return 'connection';
  }
  const cause = (err as { cause?: unknown } | null)?.cause;
  return cause && cause !== err ? errorKindOf(cause) : 'other';
}

export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: unknown }).code;
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `${typeof code === 'string' ? `${code} ` : ''}${err.message}${cause}`;
}

/** The server's `{error}` message when there is one, else the start of the body. */
export function errorMessageOf(status: number, text: string): string {
  try {
    const parsed = JSON.parse(text) as { error?: unknown };
    if (typeof parsed?.error === 'string') return `HTTP ${status}: ${parsed.error}`;
  } catch {
    // not JSON: show the text itself
  }
  return `HTTP ${status}: ${text.slice(0, 200)}`;
}

const backstopMs = 2_000;

export class TargetClient {
  readonly baseUrl: string;
  /** The URL every load request goes to. */
  readonly requestUrl: string;
  private readonly pool: Pool;
  private closing?: Promise<void>;
  private readonly timeoutMs: number;

  constructor(private readonly target: ResolvedTarget, timeoutMs: number) {
    this.baseUrl = target.url;
    this.requestUrl = `${target.origin}${target.path}`;
    this.timeoutMs = timeoutMs;
    this.pool = new Pool(target.origin, {
      connections: 1,
      headersTimeout: timeoutMs + backstopMs,
      bodyTimeout: timeoutMs + backstopMs,
      connect: { timeout: Math.min(timeoutMs, 10_000) },
    });
  }

  /** GET /v2/models/{name}; throws BenchTargetError naming the URL when the server or model cannot be used. */
  async fetchMetadata(): Promise<ModelMetadata> {
    const path = this.target.metadataPath;
    if (path === null) throw new Error('no model to read metadata of');
    const url = `${this.target.origin}${path}`;
    let status: number;
    let text: string;
    try {
      const res = await this.pool.request({ path, method: 'GET', headers: { accept: 'application/json' }, signal: AbortSignal.timeout(this.timeoutMs) });
      status = res.statusCode;
      text = await res.body.text();
    } catch (err) {
      throw new BenchTargetError(`cannot reach the inference server at ${this.baseUrl} (GET ${url}): ${describeError(err)}`, { cause: err, transient: true });
    }
    if (status === 404) throw new BenchTargetError(`model not found: GET ${url} answered ${errorMessageOf(status, text)}`);
    if (status !== 200) {
      throw new BenchTargetError(`GET ${url} answered ${errorMessageOf(status, text)}`, { transient: status === 502 || status === 503 || status === 504 });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new BenchTargetError(`GET ${url} did not return JSON: ${text.slice(0, 200)}`, { cause: err });
    }
    const parsed = ModelMetadata.safeParse(json);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
      throw new BenchTargetError(`GET ${url} returned metadata without usable inputs {name, datatype, shape}: ${problems}`, { cause: parsed.error });
    }
    return parsed.data;
  }

  /** One request as the run will send it, its response body returned, to check the target before the run. */
  async probe(payload: Payload | null): Promise<{ status: number; text: string } | { error: unknown; kind: ErrorKind }> {
    try {
      const signal = AbortSignal.timeout(this.timeoutMs);
      const headers = { ...payload?.headers, ...this.target.headers };
      const res = await this.pool.request({ path: this.target.path, method: this.target.method as 'GET', headers, body: payload?.body, signal });
      return { status: res.statusCode, text: await res.body.text() };
    } catch (err) {
      return { error: err, kind: errorKindOf(err) };
    }
  }

  close(): Promise<void> {
    this.closing ??= this.pool.destroy();
    return this.closing;
  }
}
