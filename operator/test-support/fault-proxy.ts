// An HTTPS proxy between the operator and kube-apiserver that can answer every request with an error for a while
// (429 with Retry-After, 500, ...) and records every request it saw, so a test can count what a client did during a fault.
import { createServer, request as httpsRequest, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ProxiedRequest {
  /** Date.now() when the request arrived. */
  at: number;
  method: string;
  /** Path without the query. */
  path: string;
  watch: boolean;
  /** The status the client got: the fault's, or the API server's; undefined until the response began. */
  status?: number;
  /** Milliseconds until the response began. */
  waitedMs?: number;
  faulted: boolean;
}

export interface FaultAnswer {
  status: number;
  /** Sent as the Retry-After header (seconds). */
  retryAfterSeconds?: number;
}

export interface FaultWindow {
  start: number;
  end: number;
}

export interface FaultProxyOptions {
  /** https://127.0.0.1:PORT of kube-apiserver. */
  upstream: string;
  caCertPath: string;
  /** Presented to clients: the API server's own serving certificate (valid for 127.0.0.1), so clients verify it unchanged. */
  certPath: string;
  keyPath: string;
}

export class FaultProxy {
  readonly requests: ProxiedRequest[] = [];
  private fault: FaultAnswer | undefined;
  /** Responses being streamed back (watches): cut when a fault starts. */
  private readonly streaming = new Set<ServerResponse>();

  private constructor(
    private readonly server: Server,
    private readonly upstream: URL,
    private readonly ca: Buffer,
  ) {}

  static async start(options: FaultProxyOptions): Promise<FaultProxy> {
    const [ca, cert, key] = await Promise.all([options.caCertPath, options.certPath, options.keyPath].map((p) => readFile(p)));
    const server = createServer({ cert, key });
    const proxy = new FaultProxy(server, new URL(options.upstream), ca);
    server.on('request', (req, res) => proxy.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return proxy;
  }

  /** https://127.0.0.1:PORT: put it in the client's kubeconfig in place of the API server. */
  get url(): string {
    return `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Answers every new request with `answer` for `durationMs`; with `cutStreams`, open watches are cut when it starts. */
  async failFor(durationMs: number, answer: FaultAnswer, options: { cutStreams?: boolean } = {}): Promise<FaultWindow> {
    const start = Date.now();
    this.fault = answer;
    if (options.cutStreams) for (const res of this.streaming) res.destroy();
    await sleep(durationMs);
    this.fault = undefined;
    return { start, end: Date.now() };
  }

  /** Requests that arrived within the window. */
  during(window: FaultWindow): ProxiedRequest[] {
    return this.requests.filter((r) => r.at >= window.start && r.at < window.end);
  }

  async close(): Promise<void> {
    for (const res of this.streaming) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', this.upstream);
    const record: ProxiedRequest = { at: Date.now(), method: req.method ?? 'GET', path: url.pathname, watch: url.searchParams.get('watch') === 'true', faulted: false };
    this.requests.push(record);
    const fault = this.fault;
    if (fault) {
      record.faulted = true;
      record.status = fault.status;
      req.resume();
      const body = JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: fault.status, reason: fault.status === 429 ? 'TooManyRequests' : 'InternalError', message: 'injected by the test proxy' });
      res.writeHead(fault.status, {
        'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(body),
        ...(fault.retryAfterSeconds !== undefined ? { 'Retry-After': String(fault.retryAfterSeconds) } : {}),
      });
      res.end(body);
      return;
    }
    const upstreamReq = httpsRequest(
      url,
      { method: req.method, headers: { ...req.headers, host: this.upstream.host }, ca: this.ca, agent: false },
      (upstreamRes) => {
        record.status = upstreamRes.statusCode;
        record.waitedMs = Date.now() - record.at;
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        // A watch with nothing to say yet must still get its headers, or the client waits for them.
        res.flushHeaders();
        this.streaming.add(res);
        upstreamRes.pipe(res);
        upstreamRes.on('error', () => res.destroy());
      },
    );
    // The client went away (or was cut): stop the upstream request too, so a watch does not linger on the API server.
    res.on('close', () => {
      this.streaming.delete(res);
      upstreamReq.destroy();
    });
    upstreamReq.on('error', () => {
      if (!res.headersSent) {
        record.status = 502;
        res.writeHead(502, { 'Content-Type': 'text/plain' });
        res.end('upstream unreachable');
      } else res.destroy();
    });
    req.pipe(upstreamReq);
  }
}
