// Keep-alive HTTP/1.1 connections of one load thread, on plain sockets: each send writes pre-encoded bytes and the
// reply is framed by ResponseReader. A general-purpose client (undici) spends several times more CPU per request,
// and every microsecond the generator spends is taken from the server it shares a machine with.
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { describeError, errorKindOf, errorMessageOf, type InferOutcome } from './client.js';
import { DeadlineQueue, type Expirable } from './deadlines.js';
import { ProtocolError, ResponseReader } from './http1-wire.js';

export type Done = (outcome: InferOutcome, completedAtMs: number) => void;

const OK: InferOutcome = { ok: true };

export interface Http1PoolOptions {
  /** http:// or https:// origin. */
  origin: string;
  /** Most connections open at once; sends beyond them wait for a free one. */
  maxConnections: number;
  timeoutMs: number;
  /** HEAD requests: responses carry no body. */
  noBody: boolean;
}

class RequestTimeoutError extends Error {
  readonly code = 'VERNIER_REQUEST_TIMEOUT';
}

class Pending implements Expirable {
  deadline = 0;
  settled = false;
  connection: Connection | null = null;
  constructor(
    readonly bytes: Buffer,
    readonly done: Done,
    private readonly pool: Http1Pool,
  ) {}

  expire(): void {
    const connection = this.connection;
    this.pool.settle(this, { ok: false, kind: 'timeout', message: `no complete response within ${this.pool.timeoutMs} ms` });
    // The late reply would be read as the next request's: the connection goes.
    connection?.destroy(new RequestTimeoutError('request timed out'));
  }
}

class Connection {
  readonly socket: Socket;
  readonly reader = new ResponseReader();
  current: Pending | null = null;
  closed = false;

  constructor(private readonly pool: Http1Pool, url: URL) {
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (url.protocol === 'https:') {
      this.socket = tlsConnect({ host, port, servername: host });
      this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    } else {
      // `onread` hands each read to us in one reused buffer, skipping the stream's per-chunk 'data' machinery (the
      // reader copies whatever it keeps).
      this.socket = netConnect({ host, port, onread: { buffer: pool.readBuffer, callback: (n, buf) => this.onRead(n, buf as Buffer) } });
    }
    this.socket.setNoDelay(true);
    this.socket.on('error', (err) => this.fail(err));
    this.socket.on('close', () => this.fail(null));
  }

  send(pending: Pending): void {
    this.current = pending;
    pending.connection = this;
    this.reader.reset(this.pool.noBody);
    this.socket.write(pending.bytes);
  }

  destroy(err: Error): void {
    this.socket.destroy(err);
  }

  /** `onread`'s callback: false would pause the socket. */
  private onRead(length: number, buffer: Buffer): boolean {
    this.onData(buffer.subarray(0, length));
    return true;
  }

  private onData(chunk: Buffer): void {
    const pending = this.current;
    if (!pending) return this.destroy(new ProtocolError('the server sent bytes nobody asked for'));
    let used: number;
    try {
      used = this.reader.feed(chunk);
    } catch (err) {
      return this.destroy(err as Error);
    }
    if (used < 0) return;
    if (used < chunk.length) return this.destroy(new ProtocolError('the server sent more than one response to one request'));
    this.complete(pending);
  }

  private complete(pending: Pending): void {
    const r = this.reader;
    this.current = null;
    pending.connection = null;
    const outcome: InferOutcome =
      r.errorBody === null
        ? OK
        : { ok: false, kind: `http_${r.status}`, message: errorMessageOf(r.status, Buffer.concat(r.errorBody).toString('utf8')) };
    if (!r.keepAlive) this.socket.end();
    this.pool.settle(pending, outcome);
    this.pool.release(this, r.keepAlive);
  }

  private fail(err: Error | null): void {
    if (this.closed) return;
    const pending = this.current;
    if (pending && !err && this.reader.end()) {
      this.closed = true;
      this.complete(pending);
      this.pool.forget(this);
      return;
    }
    this.closed = true;
    this.current = null;
    if (pending) {
      pending.connection = null;
      const cause = err ?? Object.assign(new Error('the server closed the connection before answering'), { code: 'UND_ERR_SOCKET' });
      this.pool.settle(pending, { ok: false, kind: err ? errorKindOf(err) : 'connection', message: describeError(cause) });
    }
    this.socket.destroy();
    this.pool.forget(this);
  }
}

export class Http1Pool {
  readonly timeoutMs: number;
  readonly noBody: boolean;
  /** @internal Every plain connection of the pool reads into this one buffer: a read is handled before the next. */
  readonly readBuffer = Buffer.allocUnsafe(64 * 1024);
  private readonly url: URL;
  private readonly max: number;
  private readonly idle: Connection[] = [];
  private readonly all = new Set<Connection>();
  private readonly waiting: Pending[] = [];
  private waitingHead = 0;
  private readonly deadlines: DeadlineQueue;
  private closed = false;

  constructor(options: Http1PoolOptions) {
    this.url = new URL(options.origin);
    this.max = options.maxConnections;
    this.timeoutMs = options.timeoutMs;
    this.noBody = options.noBody;
    this.deadlines = new DeadlineQueue(options.timeoutMs);
  }

  /** Sends `bytes` (one encoded request) on a free connection; `done` is called exactly once, never synchronously. */
  send(bytes: Buffer, done: Done): void {
    const pending = new Pending(bytes, done, this);
    if (this.closed) {
      queueMicrotask(() => this.settle(pending, { ok: false, kind: 'connection', message: 'the load generator is stopping' }));
      return;
    }
    this.deadlines.add(pending);
    const connection = this.idle.pop() ?? (this.all.size < this.max ? this.open() : null);
    if (connection) connection.send(pending);
    else this.waiting.push(pending);
  }

  /** Closes every connection; requests in flight fail as connection errors. */
  close(): void {
    this.closed = true;
    this.deadlines.close();
    for (const c of [...this.all]) c.destroy(Object.assign(new Error('the load generator stopped'), { code: 'UND_ERR_CLOSED' }));
    for (const p of this.waiting.splice(0)) this.settle(p, { ok: false, kind: 'connection', message: 'the load generator stopped' });
  }

  /** @internal */
  settle(pending: Pending, outcome: InferOutcome): void {
    if (pending.settled) return;
    pending.settled = true;
    this.deadlines.settled();
    pending.done(outcome, performance.now());
  }

  /** @internal A connection finished a response: reuse it for a waiting send, or keep it idle. */
  release(connection: Connection, reusable: boolean): void {
    if (!reusable || this.closed) return;
    const next = this.nextWaiting();
    if (next) connection.send(next);
    else this.idle.push(connection);
  }

  /** @internal A connection is gone: a waiting send gets a new one. */
  forget(connection: Connection): void {
    this.all.delete(connection);
    const at = this.idle.indexOf(connection);
    if (at >= 0) this.idle.splice(at, 1);
    if (this.closed) return;
    const next = this.nextWaiting();
    if (next) this.open().send(next);
  }

  private open(): Connection {
    const connection = new Connection(this, this.url);
    this.all.add(connection);
    return connection;
  }

  private nextWaiting(): Pending | undefined {
    while (this.waitingHead < this.waiting.length) {
      const next = this.waiting[this.waitingHead++];
      if (this.waitingHead > 1024 && this.waitingHead * 2 > this.waiting.length) {
        this.waiting.splice(0, this.waitingHead);
        this.waitingHead = 0;
      }
      if (!next.settled) return next;
    }
    return undefined;
  }
}
