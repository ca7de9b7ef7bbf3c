// Keep-alive connections are not forever: after --max-connection-age-ms the next answer closes its connection, so a
// pooled client reconnects (through a Service, possibly to a new replica) instead of staying on its first pod.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import { startTestServer } from './test-support/start.js';

test('a connection older than the maximum age is closed after its next answer; a young one is kept', async (t) => {
  const server = await startTestServer({ model: 'builtin://mlp', maxConnectionAgeMs: 400 });
  const agent = new Agent({ connections: 1, keepAliveTimeout: 10_000 });
  t.after(async () => {
    await agent.close();
    await server.shutdown();
  });
  let connections = 0;
  server.app.server.on('connection', () => connections++);
  const ready = async () => {
    const res = await request(`${server.url}/v2/health/ready`, { dispatcher: agent });
    await res.body.dump();
    return res.headers.connection;
  };
  assert.notEqual(await ready(), 'close', 'a young connection is kept alive');
  assert.notEqual(await ready(), 'close');
  assert.equal(connections, 1, 'both requests on one connection');
  await sleep(450);
  assert.equal(await ready(), 'close', 'the first answer after the maximum age closes the connection');
  assert.notEqual(await ready(), 'close', 'the client reconnected; the new connection is young');
  assert.equal(connections, 2);
});

test('0 keeps connections open however old', async (t) => {
  const server = await startTestServer({ model: 'builtin://mlp', maxConnectionAgeMs: 0 });
  const agent = new Agent({ connections: 1 });
  t.after(async () => {
    await agent.close();
    await server.shutdown();
  });
  await sleep(50);
  const res = await request(`${server.url}/v2/health/ready`, { dispatcher: agent });
  await res.body.dump();
  assert.notEqual(res.headers.connection, 'close');
});
