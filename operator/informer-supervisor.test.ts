// The supervisor's restart logic, driven by scripted informers (the real ones run in the k8s tier against kube-apiserver).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubernetesObject } from '@kubernetes/client-node';
import { InformerSupervisor, type ManagedInformer } from './informer-supervisor.js';

type Handler = (arg?: any) => void;

/** An informer whose start() lists `objects` or fails, as client-node's does: errors arrive through on('error'). */
class ScriptedInformer implements ManagedInformer<KubernetesObject> {
  readonly handlers = new Map<string, Handler[]>();
  readonly createdAt = Date.now();
  stopped = false;
  private cache: KubernetesObject[] = [];
  constructor(private readonly script: { objects?: KubernetesObject[]; failWith?: Error }) {}
  on(verb: string, cb: Handler): void {
    this.handlers.set(verb, [...(this.handlers.get(verb) ?? []), cb]);
  }
  emit(verb: string, arg?: unknown): void {
    for (const cb of this.handlers.get(verb) ?? []) cb(arg);
  }
  async start(): Promise<void> {
    await sleep(1);
    if (this.script.failWith) return this.emit('error', this.script.failWith);
    this.emit('connect');
    for (const obj of this.script.objects ?? []) {
      this.cache.push(obj);
      this.emit('add', obj);
    }
  }
  async stop(): Promise<void> {
    this.stopped = true;
  }
  list(): ReadonlyArray<KubernetesObject> {
    return this.cache;
  }
}

const obj = (name: string): KubernetesObject => ({ metadata: { name, namespace: 'ns' } });

function scripted(scripts: Array<{ objects?: KubernetesObject[]; failWith?: Error }>) {
  const created: ScriptedInformer[] = [];
  return {
    created,
    create: () => {
      const informer = new ScriptedInformer(scripts[Math.min(created.length, scripts.length - 1)]);
      created.push(informer);
      return informer;
    },
  };
}

test('an informer that fails is replaced with growing backoff until it syncs', async (t) => {
  const s = scripted([{ failWith: new Error('connect ECONNREFUSED') }, { failWith: new Error('connect ECONNREFUSED') }, { failWith: new Error('HTTP 503') }, { objects: [obj('a')] }]);
  const events: string[] = [];
  const sup = new InformerSupervisor({ name: 'test', createInformer: s.create, onEvent: (type, o) => events.push(`${type}:${o.metadata?.name}`), initialBackoffMs: 20 });
  t.after(() => sup.stop());
  await sup.start(5_000);
  assert.equal(sup.synced, true);
  assert.equal(s.created.length, 4);
  assert.equal(sup.restarts.error, 3);
  assert.deepEqual(events, ['add:a']);
  const gaps = s.created.slice(1).map((inf, i) => inf.createdAt - s.created[i].createdAt);
  // Timers never fire early: at least 20, 40 and 80 ms (minus timer granularity).
  assert.ok(gaps[0] >= 18 && gaps[1] >= 38 && gaps[2] >= 78, `backoff 20, 40, 80 ms: got ${gaps.join(', ')}`);
  assert.ok(s.created.slice(0, 3).every((inf) => inf.stopped), 'failed informers are stopped');
});

test('after an error, only the replacement informer is heard', async (t) => {
  const s = scripted([{ objects: [obj('a')] }]);
  const events: string[] = [];
  const sup = new InformerSupervisor({ name: 'test', createInformer: s.create, onEvent: (type, o) => events.push(`${type}:${o.metadata?.name}`), initialBackoffMs: 5 });
  t.after(() => sup.stop());
  await sup.start(5_000);
  const first = s.created[0];
  first.emit('error', new Error('watch closed: HTTP 500'));
  const deadline = Date.now() + 5_000;
  while (s.created.length < 2 && Date.now() < deadline) await sleep(2);
  assert.equal(s.created.length, 2);
  first.emit('update', obj('ghost'));
  await sleep(20);
  assert.ok(!events.includes('update:ghost'), 'events of a replaced informer are dropped');
  assert.deepEqual(events.filter((e) => e === 'add:a').length, 2, 'the replacement relists');
});

test('a relist reports objects deleted while nobody watched', async (t) => {
  const s = scripted([{ objects: [obj('a'), obj('b')] }, { objects: [obj('a')] }]);
  const events: string[] = [];
  const sup = new InformerSupervisor({ name: 'test', createInformer: s.create, onEvent: (type, o) => events.push(`${type}:${o.metadata?.name}`), relistEveryMs: 50 });
  t.after(() => sup.stop());
  await sup.start(5_000);
  const deadline = Date.now() + 5_000;
  while (!events.includes('delete:b') && Date.now() < deadline) await sleep(5);
  assert.ok(events.includes('delete:b'), `b is reported deleted; events: ${events.join(' ')}`);
  assert.ok(sup.restarts.relist >= 1);
});

test('a watch that stays silent past staleAfterMs is restarted', async (t) => {
  const s = scripted([{ objects: [] }]);
  const reasons: string[] = [];
  const sup = new InformerSupervisor({ name: 'test', createInformer: s.create, onEvent: () => undefined, onRestart: (r) => reasons.push(r), staleAfterMs: 60 });
  t.after(() => sup.stop());
  await sup.start(5_000);
  const deadline = Date.now() + 5_000;
  while ((!reasons.includes('stale') || s.created.length < 2) && Date.now() < deadline) await sleep(5);
  assert.ok(reasons.includes('stale'));
  assert.ok(s.created.length >= 2 && s.created[0].stopped);
});

test('start rejects when the informer never syncs, naming the informer and the cause', async (t) => {
  const s = scripted([{ failWith: new Error('HTTP 404: the server could not find the requested resource') }]);
  const sup = new InformerSupervisor({ name: 'inferenceservices', createInformer: s.create, onEvent: () => undefined, initialBackoffMs: 10, maxBackoffMs: 20 });
  t.after(() => sup.stop());
  await assert.rejects(sup.start(200), (err: Error) => {
    assert.match(err.message, /informer inferenceservices did not sync within 200 ms/);
    assert.match((err.cause as Error).message, /HTTP 404/);
    return true;
  });
});
