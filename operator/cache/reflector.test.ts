// The reflector's list/watch loop, driven by a scripted client (the real one runs in the k8s tier against kube-apiserver).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubernetesObject } from '@kubernetes/client-node';
import { KubeApiError, type KubeRequest, type WatchEvent, type WatchingKubeClient, type WatchRequest } from '../kube-client.js';
import { Reflector } from './reflector.js';

const obj = (name: string, rv: string): KubernetesObject => ({ metadata: { name, namespace: 'ns', resourceVersion: rv } });

type ListStep = { items: KubernetesObject[]; rv: string } | Error;
/** A watch: events to send, then how it ends (normally, with an error, or open until aborted). */
type WatchStep = { events: WatchEvent[]; end: 'normal' | 'hang' | Error };

/** Lists and watches play their scripts in order (the last step repeats); every call is recorded with its time. */
function scriptedClient(lists: ListStep[], watches: WatchStep[]) {
  const calls: Array<{ kind: 'list' | 'watch'; at: number; resourceVersion?: string }> = [];
  let l = 0;
  let w = 0;
  const client: WatchingKubeClient = {
    async request<T>(_req: KubeRequest): Promise<T> {
      calls.push({ kind: 'list', at: Date.now() });
      const step = lists[Math.min(l++, lists.length - 1)];
      await sleep(1);
      if (step instanceof Error) throw step;
      return { metadata: { resourceVersion: step.rv }, items: step.items } as T;
    },
    async watch(req: WatchRequest): Promise<void> {
      calls.push({ kind: 'watch', at: Date.now(), resourceVersion: String(req.query?.resourceVersion) });
      const step = watches[Math.min(w++, watches.length - 1)];
      await sleep(1);
      for (const event of step.events) req.onEvent(event);
      if (step.end === 'normal') {
        await sleep(1_100); // a normal expiry lives longer than the reflector's "ended too soon" threshold
        return;
      }
      if (step.end instanceof Error) throw step.end;
      await new Promise<void>((_, reject) => {
        if (req.signal.aborted) return reject(new Error('aborted'));
        req.signal.addEventListener('abort', () => reject(new Error('aborted')));
      });
    },
  };
  return { client, calls };
}

function reflector(client: WatchingKubeClient, extra: { staleAfterMs?: number; initialBackoffMs?: number } = {}) {
  const changes: string[] = [];
  const restarts: string[] = [];
  const r = new Reflector<KubernetesObject>({
    name: 'things',
    client,
    path: '/api/v1/things',
    transform: (o) => o,
    onChange: (c) => changes.push(`${c.type}:${c.object.metadata?.name}`),
    onRestart: (reason) => restarts.push(reason),
    initialBackoffMs: extra.initialBackoffMs ?? 20,
    staleAfterMs: extra.staleAfterMs,
  });
  return { r, changes, restarts };
}

test('a failing list is retried with growing backoff until it syncs', async (t) => {
  const { client, calls } = scriptedClient([new Error('connect ECONNREFUSED'), new Error('connect ECONNREFUSED'), { items: [obj('a', '1')], rv: '5' }], [{ events: [], end: 'hang' }]);
  const { r, changes, restarts } = reflector(client, { initialBackoffMs: 100 });
  t.after(() => r.stop());
  await r.start(5_000);
  assert.deepEqual(changes, ['add:a']);
  assert.deepEqual(restarts, ['error', 'error']);
  const lists = calls.filter((c) => c.kind === 'list');
  // A busy machine only lengthens the waits: each is at least its backoff, 100 ms and then 200 ms.
  assert.ok(lists[1].at - lists[0].at >= 95, `first wait ${lists[1].at - lists[0].at} ms`);
  assert.ok(lists[2].at - lists[1].at >= 195, `second wait ${lists[2].at - lists[1].at} ms`);
});

test('a watch that ends normally is resumed from the last resourceVersion, without listing again', async (t) => {
  const { client, calls } = scriptedClient(
    [{ items: [obj('a', '1')], rv: '5' }],
    [{ events: [{ type: 'MODIFIED', object: obj('a', '7') as WatchEvent['object'] }, { type: 'BOOKMARK', object: { metadata: { resourceVersion: '9' } } }], end: 'normal' }, { events: [], end: 'hang' }],
  );
  const { r, changes } = reflector(client);
  t.after(() => r.stop());
  await r.start(5_000);
  while (calls.filter((c) => c.kind === 'watch').length < 2) await sleep(20);
  assert.deepEqual(calls.map((c) => `${c.kind}${c.resourceVersion ? `@${c.resourceVersion}` : ''}`), ['list', 'watch@5', 'watch@9']);
  assert.deepEqual(changes, ['add:a', 'update:a']);
  assert.equal(r.restarts.error, 0);
});

test('410 Gone lists again and reports only what differs from the cache', async (t) => {
  const { client, calls } = scriptedClient(
    [{ items: [obj('a', '1'), obj('b', '2')], rv: '5' }, { items: [obj('a', '1'), obj('c', '8')], rv: '9' }],
    [{ events: [{ type: 'ERROR', object: { code: 410, message: 'too old resource version' } }], end: 'normal' }, { events: [], end: 'hang' }],
  );
  const { r, changes, restarts } = reflector(client);
  t.after(() => r.stop());
  await r.start(5_000);
  while (calls.filter((c) => c.kind === 'list').length < 2 || calls.length < 4) await sleep(20);
  assert.deepEqual(changes, ['add:a', 'add:b', 'add:c', 'delete:b'], 'a, unchanged, is not reported again');
  assert.deepEqual(restarts, ['expired']);
  assert.equal(calls.at(-1)?.resourceVersion, '9');
});

test('a refused watch waits at least its Retry-After, then resumes where it was', async (t) => {
  const refused = new KubeApiError('GET /api/v1/things: HTTP 429', 429, 'TooManyRequests', { retryAfterMs: 300 });
  const { client, calls } = scriptedClient([{ items: [], rv: '5' }], [{ events: [], end: refused }, { events: [], end: 'hang' }]);
  const { r } = reflector(client);
  t.after(() => r.stop());
  await r.start(5_000);
  while (calls.length < 3) await sleep(20);
  const [, first, second] = calls;
  assert.ok(second.at - first.at >= 290, `waited ${second.at - first.at} ms`);
  assert.equal(second.resourceVersion, '5');
  assert.equal(calls.filter((c) => c.kind === 'list').length, 1);
});

test('a watch that stays silent past staleAfterMs is restarted', async (t) => {
  const { client, calls } = scriptedClient([{ items: [], rv: '5' }], [{ events: [], end: 'hang' }]);
  const { r, restarts } = reflector(client, { staleAfterMs: 200 });
  t.after(() => r.stop());
  await r.start(5_000);
  while (!restarts.includes('stale')) await sleep(20);
  while (calls.filter((c) => c.kind === 'watch').length < 2) await sleep(20);
  assert.equal(calls.filter((c) => c.kind === 'list').length, 1, 'a stale watch resumes without a list');
});

test('start rejects when the list never succeeds, naming the resource and the cause', async (t) => {
  const { client } = scriptedClient([new Error('HTTP 503')], [{ events: [], end: 'hang' }]);
  const { r } = reflector(client);
  t.after(() => r.stop());
  await assert.rejects(r.start(300), (err: Error) => /things did not sync within 300 ms/.test(err.message) && /503/.test(String((err.cause as Error)?.message)));
});
