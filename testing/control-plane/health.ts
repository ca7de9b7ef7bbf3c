import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { logTail, type ManagedProcess } from './processes.js';

export const LOOPBACK = '127.0.0.1';

/** A port that was free on 127.0.0.1 a moment ago (the OS picks it; the caller binds it soon after). */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('the OS gave no port for 127.0.0.1:0'))));
    });
  });
}

export interface ProbeTls {
  ca?: string;
  cert?: string;
  key?: string;
  /** Only for components whose self-signed serving certificate we did not issue. */
  insecure?: boolean;
}

export interface ProbeResult {
  status: number;
  body: string;
}

/** One GET with a short timeout; rejects on connection errors. */
export function probe(url: string, tls: ProbeTls = {}, timeoutMs = 5_000): Promise<ProbeResult> {
  const target = new URL(url);
  if (target.hostname !== LOOPBACK) throw new Error(`refusing to probe ${url}: only ${LOOPBACK} is allowed`);
  return new Promise((resolve, reject) => {
    const onResponse = (res: import('node:http').IncomingMessage): void => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    };
    const req =
      target.protocol === 'https:'
        ? httpsRequest(target, { ca: tls.ca, cert: tls.cert, key: tls.key, rejectUnauthorized: !tls.insecure, agent: false }, onResponse)
        : httpRequest(target, { agent: false }, onResponse);
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`GET ${url} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

export interface WaitHealthyOptions {
  url: string;
  tls?: ProbeTls;
  process: ManagedProcess;
  timeoutMs: number;
  /** Defaults to "status 200". */
  isHealthy?: (result: ProbeResult) => boolean;
}

/** Polls `url` until healthy; fails early, with the log tail, if the process exits first. */
export async function waitUntilHealthy(opts: WaitHealthyOptions): Promise<number> {
  const started = Date.now();
  const isHealthy = opts.isHealthy ?? ((r) => r.status === 200);
  let last = 'no answer yet';
  let delayMs = 50;
  while (Date.now() - started < opts.timeoutMs) {
    if (!opts.process.running()) {
      const exit = await opts.process.exited;
      throw new Error(
        `${opts.process.name} exited (code ${exit.code}, signal ${exit.signal}) before ${opts.url} was healthy; ` +
          `log ${opts.process.logPath}:\n${await logTail(opts.process.logPath)}`,
      );
    }
    try {
      const result = await probe(opts.url, opts.tls);
      if (isHealthy(result)) return Date.now() - started;
      last = `HTTP ${result.status}: ${result.body.slice(0, 500)}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(delayMs);
    delayMs = Math.min(delayMs * 2, 500);
  }
  throw new Error(
    `${opts.process.name} was not healthy at ${opts.url} within ${opts.timeoutMs} ms (last: ${last}); ` +
      `log ${opts.process.logPath}:\n${await logTail(opts.process.logPath)}`,
  );
}
