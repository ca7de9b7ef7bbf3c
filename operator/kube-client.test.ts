import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { isAlreadyExists, isConflict, isNamespaceTerminating, KubeApiError, kubeClient, MAX_RETRY_AFTER_MS, parseRetryAfter, retryAfterOf } from './kube-client.js';

test('API errors are told apart by status, reason and message', () => {
  const terminating = new KubeApiError(
    'POST /apis/batch/v1/namespaces/ml/jobs: HTTP 403 Forbidden: jobs.batch "mlp-bench-1" is forbidden: unable to create new content in namespace ml because it is being terminated',
    403,
    'Forbidden',
  );
  assert.equal(isNamespaceTerminating(terminating), true);
  assert.equal(isNamespaceTerminating(new KubeApiError('HTTP 403 Forbidden: jobs.batch is forbidden: User "x" cannot create', 403, 'Forbidden')), false);
  assert.equal(isNamespaceTerminating(new Error('because it is being terminated')), false);

  assert.equal(isAlreadyExists(new KubeApiError('exists', 409, 'AlreadyExists')), true);
  assert.equal(isConflict(new KubeApiError('exists', 409, 'AlreadyExists')), false);
  assert.equal(isConflict(new KubeApiError('the object has been modified', 409, 'Conflict')), true);
});

test('Retry-After: seconds or a date, on 429 and 5xx only, capped; found along the causes', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  assert.equal(parseRetryAfter(429, '2', now), 2_000);
  assert.equal(parseRetryAfter(503, 'Wed, 01 Jan 2025 00:00:05 GMT', now), 5_000);
  assert.equal(parseRetryAfter(500, ['1'], now), 1_000);
  assert.equal(parseRetryAfter(429, '86400', now), MAX_RETRY_AFTER_MS);
  assert.equal(parseRetryAfter(409, '2', now), undefined);
  assert.equal(parseRetryAfter(429, undefined, now), undefined);
  assert.equal(parseRetryAfter(429, 'soon', now), undefined);
  const wrapped = new Error('server-side apply failed', { cause: new KubeApiError('HTTP 429', 429, 'TooManyRequests', { retryAfterMs: 3_000 }) });
  assert.equal(retryAfterOf(wrapped), 3_000);
  assert.equal(retryAfterOf(new Error('no cause')), undefined);
});

test('after a 429 with Retry-After, the client sends nothing until it has passed', async (t) => {
  const arrivals: number[] = [];
  const server = createServer((req, res) => {
    arrivals.push(Date.now());
    if (arrivals.length === 1) {
      res.writeHead(429, { 'Content-Type': 'application/json', 'Retry-After': '1' });
      res.end(JSON.stringify({ kind: 'Status', reason: 'TooManyRequests', message: 'slow down' }));
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const kc = new KubeConfig();
  kc.loadFromClusterAndUser({ name: 'local', server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true }, { name: 'nobody' });
  const client = kubeClient(kc);
  const refused = await client.request({ method: 'GET', path: '/api/v1/pods' }).catch((err: unknown) => err);
  assert.ok(refused instanceof KubeApiError && refused.status === 429 && refused.retryAfterMs === 1_000, String(refused));
  // Another caller's request, not a retry: it waits too, because the server throttles the client.
  await client.request({ method: 'GET', path: '/api/v1/services' });
  assert.ok(arrivals[1] - arrivals[0] >= 990, `the next request came ${arrivals[1] - arrivals[0]} ms after the 429`);
});
