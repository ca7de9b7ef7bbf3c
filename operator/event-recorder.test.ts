// Events leave the reconcile's path: record() returns at once, repeats within the window are sent once, order is kept.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eventRecorder, REPEAT_WINDOW_MS } from './event-recorder.js';
import type { KubeClient, KubeRequest } from './kube-client.js';
import { createLogger } from './log.js';

const subject = { metadata: { name: 'mlp', namespace: 'ns', uid: 'u1' } };
const event = (reason: string, message = 'm') => ({ type: 'Normal' as const, reason, message });

function slowClient() {
  const posted: Array<{ reason: string }> = [];
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const client: KubeClient = {
    async request<T>(req: KubeRequest): Promise<T> {
      await gate;
      posted.push(req.body as { reason: string });
      return undefined as T;
    },
  };
  return { client, posted, release };
}

test('record returns before the API server answers; repeats within the window are dropped; order is kept', async () => {
  const { client, posted, release } = slowClient();
  let now = 1_000;
  const recorder = eventRecorder(client, 'me', createLogger({ level: 'error', write: () => undefined }), () => now);
  recorder.record(subject, event('A'));
  recorder.record(subject, event('B'));
  recorder.record(subject, event('A'));
  assert.equal(posted.length, 0, 'nothing waited for the API server');
  release();
  await recorder.flush();
  assert.deepEqual(posted.map((p) => p.reason), ['A', 'B']);
  now += REPEAT_WINDOW_MS;
  recorder.record(subject, event('A'));
  recorder.record(subject, event('A', 'another message'));
  await recorder.flush();
  assert.deepEqual(posted.map((p) => p.reason), ['A', 'B', 'A', 'A'], 'after the window, and with another message, it is sent again');
});

test('a failed POST is logged and the next Event is still sent', async () => {
  const posted: string[] = [];
  const logged: string[] = [];
  const client: KubeClient = {
    async request<T>(req: KubeRequest): Promise<T> {
      const reason = (req.body as { reason: string }).reason;
      if (reason === 'Bad') throw new Error('HTTP 500');
      posted.push(reason);
      return undefined as T;
    },
  };
  const recorder = eventRecorder(client, 'me', createLogger({ level: 'warn', write: (line) => logged.push(line) }));
  recorder.record(subject, event('Bad'));
  recorder.record(subject, event('Good'));
  await recorder.flush();
  assert.deepEqual(posted, ['Good']);
  assert.match(logged.join(''), /could not record an event/);
});
