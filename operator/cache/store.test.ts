// The store reports only what changed: a relist of unchanged objects, or the echo of our own write, wakes no one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubernetesObject } from '@kubernetes/client-node';
import { isNotOlder, ObjectStore } from './store.js';

const obj = (name: string, rv: string, owner?: string): KubernetesObject => ({ metadata: { name, namespace: 'ns', resourceVersion: rv, ...(owner ? { labels: { owner } } : {}) } });
const summary = (changes: Array<{ type: string; object: KubernetesObject }>) => changes.map((c) => `${c.type}:${c.object.metadata?.name}@${c.object.metadata?.resourceVersion}`);

test('a relist reports adds, updates and deletions, and nothing for objects at the same resourceVersion', () => {
  const store = new ObjectStore<KubernetesObject>();
  assert.deepEqual(summary(store.replace([obj('a', '1'), obj('b', '2')])), ['add:a@1', 'add:b@2']);
  assert.deepEqual(summary(store.replace([obj('a', '1'), obj('b', '2')])), [], 'an unchanged relist is silent');
  assert.deepEqual(summary(store.replace([obj('a', '5'), obj('c', '6')])), ['update:a@5', 'add:c@6', 'delete:b@2']);
  assert.equal(store.size, 2);
  assert.equal(store.get('ns', 'a')?.metadata?.resourceVersion, '5');
});

test('watch events: a version already held changes nothing; an update carries the old object', () => {
  const store = new ObjectStore<KubernetesObject>();
  assert.equal(store.apply('ADDED', obj('a', '1'))?.type, 'add');
  assert.equal(store.apply('MODIFIED', obj('a', '1')), undefined);
  const update = store.apply('MODIFIED', obj('a', '2'));
  assert.equal(update?.old?.metadata?.resourceVersion, '1');
  assert.equal(store.apply('DELETED', obj('a', '3'))?.type, 'delete');
  assert.equal(store.apply('DELETED', obj('a', '3')), undefined, 'deleting what is gone changes nothing');
});

test('assume keeps the newer of our write and what the watch brought, so its echo is silent', () => {
  const store = new ObjectStore<KubernetesObject>();
  store.apply('ADDED', obj('a', '10'));
  store.assume(obj('a', '12'));
  assert.equal(store.apply('MODIFIED', obj('a', '12')), undefined, 'the watch event of our own write wakes no one');
  store.apply('MODIFIED', obj('a', '15'));
  store.assume(obj('a', '13'));
  assert.equal(store.get('ns', 'a')?.metadata?.resourceVersion, '15', 'an older write does not roll the cache back');
  assert.equal(isNotOlder(obj('a', 'x'), obj('a', '1')), false, 'a resourceVersion that is not a number is never taken as newer');
  assert.equal(isNotOlder(obj('a', '100000000000000000001'), obj('a', '99999999999999999999')), true, 'compared as integers, not strings');
});

test('the index follows adds, moves and deletions', () => {
  const store = new ObjectStore<KubernetesObject>((o) => o.metadata?.labels?.owner);
  store.replace([obj('j1', '1', 'x'), obj('j2', '1', 'x'), obj('j3', '1', 'y')]);
  assert.deepEqual(store.indexed('x').map((o) => o.metadata?.name).sort(), ['j1', 'j2']);
  store.apply('MODIFIED', obj('j2', '2', 'y'));
  store.apply('DELETED', obj('j3', '3', 'y'));
  assert.deepEqual(store.indexed('x').map((o) => o.metadata?.name), ['j1']);
  assert.deepEqual(store.indexed('y').map((o) => o.metadata?.name), ['j2']);
  assert.deepEqual(store.indexed('none'), []);
});
