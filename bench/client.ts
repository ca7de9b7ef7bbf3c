// The HTTP edge: keep-alive connections to one Open Inference Protocol v2 model (undici Pool).
import { Pool, type Dispatcher } from 'undici';
import { DeadlineQueue, type Expirable } from './deadlines.js';
import { ModelMetadata } from './model-metadata.js';
import type { Payload } from './payload.js';

/** `http_<status>`, `timeout`, `connection`, `dropped` (open loop, in-flight cap) or `other`. */
export type ErrorKind = string;

export type InferOutcome = { ok: true } | { ok: false; kind: ErrorKind; message: string };

const OK: InferOutcome = { ok: true };

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

/** Bytes of an error response kept for its message. */
const maxErrorBodyBytes = 4096;

class RequestTimeoutError extends Error {
  readonly code = 'VERNIER_REQUEST_TIMEOUT';
}

/** One infer request as an undici dispatch handler: no response stream, the body is read (and dropped) as it comes. */
class InferCall implements Dispatcher.DispatchHandler, Expirable {
  deadline = 0;
  settled = false;
  private controller: Dispatcher.DispatchController | undefined;
  private status = 0;
  private errorBody: Buffer[] | undefined;
  private errorBytes = 0;

  constructor(
    private readonly deadlines: DeadlineQueue,
    private readonly timeoutMs: number,
    private readonly resolve: (outcome: InferOutcome) => void,
  ) {}

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.settled) controller.abort(new RequestTimeoutError('timed out before it was sent'));
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number): void {
    this.status = statusCode;
    this.errorBody = statusCode >= 200 && statusCode < 300 ? undefined : [];
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.errorBody && this.errorBytes < maxErrorBodyBytes) {
      this.errorBody.push(chunk);
      this.errorBytes += chunk.length;
    }
  }

  onResponseEnd(): void {
    if (!this.errorBody) return this.settle(OK);
    const text = Buffer.concat(this.errorBody).toString('utf8', 0, maxErrorBodyBytes);
    this.settle({ ok: false, kind: `http_${this.status}`, message: errorMessageOf(this.status, text) });
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    this.settle({ ok: false, kind: errorKindOf(err), message: describeError(err) });
  }

  expire(): void {
    this.settle({ ok: false, kind: 'timeout', message: `no complete response within ${this.timeoutMs} ms` });
    this.controller?.abort(new RequestTimeoutError(`no complete response within ${this.timeoutMs} ms`));
  }

  private settle(outcome: InferOutcome): void {
    if (this.settled) return;
    this.settled = true;
    this.deadlines.settled();
    this.resolve(outcome);
  }
}

const backstopMs = 2_000;

export interface InferClientOptions {
  /** Keep-alive connections to open at most (one per request that may be in flight). */
  connections: number;
  timeoutMs: number;
}

export class InferClient {
  readonly baseUrl: string;
  readonly metadataUrl: string;
  readonly inferUrl: string;
  private readonly pool: Pool;
  private readonly metadataPath: string;
  private readonly inferPath: string;
  private closing?: Promise<void>;
  private readonly origin: string;
  private readonly timeoutMs: number;
  private readonly deadlines: DeadlineQueue;

  constructor(baseUrl: string, model: string, options: InferClientOptions) {
    const url = new URL(baseUrl);
    const prefix = url.pathname.replace(/\/+$/, '');
    this.baseUrl = baseUrl;
    this.metadataPath = `${prefix}/v2/models/${encodeURIComponent(model)}`;
    this.inferPath = `${this.metadataPath}/infer`;
    this.metadataUrl = `${url.origin}${this.metadataPath}`;
    this.inferUrl = `${url.origin}${this.inferPath}`;
    this.origin = url.origin;
    this.timeoutMs = options.timeoutMs;
    this.deadlines = new DeadlineQueue(options.timeoutMs);
    // undici's own timeouts (coarse, about 1 s resolution) only back up the precise deadlines above.
    this.pool = new Pool(url.origin, {
      connections: options.connections,
      pipelining: 1,
      headersTimeout: options.timeoutMs + backstopMs,
      bodyTimeout: options.timeoutMs + backstopMs,
      connect: { timeout: Math.min(options.timeoutMs, 10_000) },
    });
  }

  /** GET /v2/models/{name}; throws BenchTargetError naming the URL when the server or model cannot be used. */
  async fetchMetadata(): Promise<ModelMetadata> {
    let status: number;
    let text: string;
    try {
      const res = await this.pool.request({
        path: this.metadataPath,
        method: 'GET',
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      status = res.statusCode;
      text = await res.body.text();
    } catch (err) {
      throw new BenchTargetError(`cannot reach the inference server at ${this.baseUrl} (GET ${this.metadataUrl}): ${describeError(err)}`, {
        cause: err,
        transient: true,
      });
    }
    if (status === 404) throw new BenchTargetError(`model not found: GET ${this.metadataUrl} answered ${errorMessageOf(status, text)}`);
    if (status !== 200) {
      throw new BenchTargetError(`GET ${this.metadataUrl} answered ${errorMessageOf(status, text)}`, { transient: status === 502 || status === 503 || status === 504 });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new BenchTargetError(`GET ${this.metadataUrl} did not return JSON: ${text.slice(0, 200)}`, { cause: err });
    }
    const parsed = ModelMetadata.safeParse(json);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
      throw new BenchTargetError(`GET ${this.metadataUrl} returned metadata without usable inputs {name, datatype, shape}: ${problems}`, {
        cause: parsed.error,
      });
    }
    return parsed.data;
  }

  /** One infer request; never rejects: failures come back as an outcome with a kind. */
  infer(payload: Payload): Promise<InferOutcome> {
    return new Promise((resolve) => {
      const call = new InferCall(this.deadlines, this.timeoutMs, resolve);
      this.deadlines.add(call);
      this.pool.dispatch({ origin: this.origin, path: this.inferPath, method: 'POST', headers: payload.headers, body: payload.body }, call);
    });
  }

  /** One infer request whose response body is returned, to check a payload before the run. */
  async probe(payload: Payload): Promise<{ status: number; text: string } | { error: unknown; kind: ErrorKind }> {
    try {
      const signal = AbortSignal.timeout(this.timeoutMs);
      const res = await this.pool.request({ path: this.inferPath, method: 'POST', headers: payload.headers, body: payload.body, signal });
      return { status: res.statusCode, text: await res.body.text() };
    } catch (err) {
      return { error: err, kind: errorKindOf(err) };
    }
  }

  /** Closes connections; requests still in flight are cut off (their outcomes are not awaited). */
  close(): Promise<void> {
    this.deadlines.close();
    this.closing ??= this.pool.destroy();
    return this.closing;
  }
}
