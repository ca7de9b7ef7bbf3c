import { ServeOptions } from '../../contracts/serve-options.js';
import { startServer, type RunningServer } from '../serve.js';

/** A real server in this process on a free loopback port. */
export function startTestServer(options: Partial<ServeOptions> & { model: string }): Promise<RunningServer> {
  return startServer(ServeOptions.parse({ strategy: 'batched', host: '127.0.0.1', port: 0, logLevel: 'silent', ...options }));
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; body: any }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}
