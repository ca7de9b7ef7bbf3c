// The load threads against real servers over loopback: exact counts across threads, any endpoint, and what a closed
// loop hides of a stalling server that an open loop shows.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runBenchmark } from './run-benchmark.js';
import { startBehavingServer } from './test-support/behaving-server.js';

const preflight = 1;

test('three threads: every request counted once, histograms and timeline merged exactly', async (t) => {
  const server = await startBehavingServer({ delayMs: 2 });
  t.after(() => server.close());
  const closed = await runBenchmark({ url: server.url, model: 'm', concurrency: 7, durationSeconds: 1.5, threads: 3 });
  assert.equal(closed.generator.threads, 3);
  assert.equal(closed.requests.total, server.inferRequests - preflight);
  assert.equal(closed.timeline.reduce((n, s) => n + s.requests, 0), closed.requests.total);
  assert.ok(server.maxInFlight <= 7 && server.maxInFlight >= 4, `max in flight ${server.maxInFlight}: 7 users over 3 threads`);
  assert.ok(closed.latency.minMs >= 1, `min ${closed.latency.minMs} ms: never under the server's 2 ms timer (1 ms resolution)`);

  const before = server.inferRequests;
  const open = await runBenchmark({ url: server.url, model: 'm', mode: 'open', rate: 300, durationSeconds: 1, threads: 3 });
  assert.equal(open.generator.scheduledSends, 300, 'the threads together keep the one schedule');
  assert.equal(open.requests.total, 300);
  assert.equal(server.inferRequests - before - preflight, 300);

  const limited = await runBenchmark({ url: server.url, model: 'm', concurrency: 5, requests: 101, threads: 3 });
  assert.equal(limited.requests.total, 101, '--requests is one budget over all threads');
});

test('--path, --method and --header load any endpoint, with no metadata call', async (t) => {
  const server = await startBehavingServer({ plainPaths: ['/v2/health/ready', '/embed'] });
  t.after(() => server.close());
  const get = await runBenchmark({ url: server.url, path: '/v2/health/ready', concurrency: 2, requests: 20, threads: 1, headers: { authorization: 'Bearer t0ken' } });
  assert.equal(get.requests.ok, 20);
  assert.deepEqual(get.target.request, { method: 'GET', path: '/v2/health/ready' });
  assert.equal(get.target.payload.source, 'none');
  assert.equal(server.metadataRequests, 0);
  assert.ok(server.seen.every((r) => r.method === 'GET' && r.headers.authorization === 'Bearer t0ken' && r.bodyBytes === 0));

  const dir = await mkdtemp(join(tmpdir(), 'vernier-bench-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'embed.json');
  await writeFile(file, JSON.stringify({ inputs: 'a sentence to embed' }));
  const seenBefore = server.seen.length;
  const post = await runBenchmark({ url: server.url, path: '/embed', method: 'PUT', payloadFile: file, concurrency: 1, requests: 5, headers: { 'x-tenant': 'a' } });
  assert.equal(post.requests.ok, 5);
  const sent = server.seen.slice(seenBefore);
  assert.ok(sent.every((r) => r.method === 'PUT' && r.url === '/embed' && r.headers['x-tenant'] === 'a' && r.headers['content-type'] === 'application/json'));
  assert.ok(sent.every((r) => r.bodyBytes === JSON.stringify({ inputs: 'a sentence to embed' }).length), 'the file, byte for byte');

  const head = await runBenchmark({ url: server.url, path: '/v2/health/ready', method: 'HEAD', concurrency: 2, requests: 10 });
  assert.equal(head.requests.ok, 10, 'HEAD responses have no body to wait for');
});

test('a server answering "versions": null is measurable, from its metadata or from a payload file without it', async (t) => {
  const server = await startBehavingServer({ metadataExtra: { versions: null, platform: null } });
  t.after(() => server.close());
  const generated = await runBenchmark({ url: server.url, model: 'm', concurrency: 1, requests: 3 });
  assert.equal(generated.requests.ok, 3);
  const dir = await mkdtemp(join(tmpdir(), 'vernier-bench-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'request.json');
  await writeFile(file, JSON.stringify({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] }] }));
  const metadataBefore = server.metadataRequests;
  const fromFile = await runBenchmark({ url: server.url, model: 'm', payloadFile: file, concurrency: 1, requests: 3 });
  assert.equal(fromFile.requests.ok, 3);
  assert.equal(server.metadataRequests, metadataBefore, '--payload-file needs no metadata call');
});

test('a stalling server: the closed loop hides the stall in its percentiles and says so, the open loop counts it', async (t) => {
  // Closed loop: one 500 ms freeze in 6,000 requests holds one request per user (4), fewer than the 0.1 % above p99.9.
  const once = await startBehavingServer({ freeze: { atRequest: 3000, forMs: 500 } });
  t.after(() => once.close());
  const closed = await runBenchmark({ url: once.url, model: 'm', concurrency: 4, requests: 6000, threads: 1 });
  // Open loop: frozen 10 % of the time (100 ms every second), as in the measurement.
  const periodic = await startBehavingServer({ stall: { everyMs: 1000, forMs: 100 } });
  t.after(() => periodic.close());
  const open = await runBenchmark({ url: periodic.url, model: 'm', mode: 'open', rate: 200, durationSeconds: 2, threads: 1 });
  t.diagnostic(`closed loop p99 ${closed.latency.p99Ms} ms, p99.9 ${closed.latency.p999Ms} ms, max ${closed.latency.maxMs} ms; open loop p99 ${open.latency.p99Ms} ms, max ${open.latency.maxMs} ms`);
  assert.ok(closed.latency.maxMs >= 450, `the closed loop saw the freeze only in its max (${closed.latency.maxMs} ms)`);
  assert.match(closed.warnings.join('\n'), /the server stalled, and a closed loop stops sending while it waits, so the percentiles hide the stall/);
  // 10 % of the open-loop sends land in a freeze and wait up to 100 ms for it: p99 is in the freeze.
  assert.ok(open.latency.p99Ms >= 50, `open-loop p99 ${open.latency.p99Ms} ms counts the freeze`);
  assert.doesNotMatch(open.warnings.join('\n'), /the server stalled/);
});
