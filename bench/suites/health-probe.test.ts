import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { percentile, probeHealth } from './health-probe.js';

test('a percentile is the nearest rank: with fewer than 100 latencies, the p99 is the slowest', () => {
  const fifty = Array.from({ length: 50 }, (_, i) => i + 1);
  assert.equal(percentile(fifty, 99), 50);
  assert.equal(percentile(fifty, 50), 25);
  // Pooled over rounds, one slow probe in 200 no longer is the p99.
  const pooled = [...fifty, ...fifty, ...fifty, ...fifty.slice(0, 49), 900];
  assert.equal(percentile(pooled, 99), 50);
  assert.equal(percentile([], 99), null);
});

test('probeHealth probes a real endpoint on fresh connections and returns every latency', async () => {
  const connections = new Set<unknown>();
  const server = createServer((req, res) => res.end(req.url === '/v2/health/live' ? 'ok' : 'no'));
  server.on('connection', (socket) => connections.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const probing = probeHealth(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    await new Promise((r) => setTimeout(r, 500));
    const { p99Ms, probes, latencies } = await probing.stop();
    assert.ok(probes >= 2, `${probes} probes in 500 ms at one every 100 ms`);
    assert.equal(latencies.length, probes);
    assert.equal(connections.size, probes + 1, 'one connection a probe, as the kubelet probes, and one first probe not counted');
    assert.equal(p99Ms, Math.max(...latencies));
    assert.ok(latencies.every((ms) => ms > 0 && ms < 10_000));
  } finally {
    server.close();
  }
});
