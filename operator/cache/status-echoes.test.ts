import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StatusEchoes } from './status-echoes.js';

const isvc = (rv: string, status: object, spec: object = { replicas: 1 }, labels: Record<string, string> = {}) => ({
  metadata: { name: 'm', namespace: 'ns', resourceVersion: rv, generation: 1, labels },
  spec,
  status,
});

test('only the echo of the status we sent is recognised', () => {
  const echoes = new StatusEchoes();
  const old = isvc('1', { observedGeneration: 0 });
  assert.equal(echoes.isEcho('ns/m', old, isvc('2', { observedGeneration: 1 })), false, 'nothing sent yet');
  echoes.expect('ns/m', { observedGeneration: 1 });
  assert.equal(echoes.isEcho('ns/m', old, isvc('2', { observedGeneration: 1 })), true);
  assert.equal(echoes.isEcho('ns/m', old, isvc('2', { observedGeneration: 9 })), false, 'a status edited by someone else');
  assert.equal(echoes.isEcho('ns/m', old, isvc('2', { observedGeneration: 1 }, { replicas: 2 })), false, 'a spec change in the same event');
  assert.equal(echoes.isEcho('ns/m', old, isvc('2', { observedGeneration: 1 }, { replicas: 1 }, { a: 'b' })), false, 'a label change');
  echoes.forget('ns/m');
  assert.equal(echoes.isEcho('ns/m', old, isvc('2', { observedGeneration: 1 })), false);
});
