import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { serveMetricsEndpoint } from '../test-support/metrics-endpoint.js';
import { MAX_EXPOSITION_BYTES, scrapeMetrics } from './scrape.js';

/** A server on 127.0.0.1 answering with `handler`; closed when the test ends. */

test('scrapeMetrics returns the body of a 2xx answer', async (t) => {
  let path: string | undefined;
  const url = await serveMetricsEndpoint(t, (req, res) => {
    path = req.url;
    res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' });
    res.end('# TYPE up gauge\nup 1\n');
  });
  assert.equal(await scrapeMetrics(url, 2_000), '# TYPE up gauge\nup 1\n');
  assert.equal(path, '/metrics');
});

test('scrapeMetrics rejects a non-2xx answer, naming its status', async (t) => {
  const url = await serveMetricsEndpoint(t, (_req, res) => {
    res.writeHead(503);
    res.end('busy');
  });
  await assert.rejects(scrapeMetrics(url, 2_000), /HTTP 503/);
});

test('scrapeMetrics gives up after its timeout', async (t) => {
  // Answers the headers, then never finishes the body: the timeout covers the whole read.
  const url = await serveMetricsEndpoint(t, (_req, res) => {
    res.writeHead(200);
    res.write('partial');
  });
  const started = performance.now();
  await assert.rejects(scrapeMetrics(url, 150), /timed out after 150 ms/);
  assert.ok(performance.now() - started < 2_000);
});

test('scrapeMetrics refuses a body over the size limit', async (t) => {
  const chunk = Buffer.alloc(1024 * 1024, 'a');
  const url = await serveMetricsEndpoint(t, (_req, res) => {
    res.writeHead(200);
    for (let i = 0; i <= MAX_EXPOSITION_BYTES / chunk.length; i++) res.write(chunk);
    res.end();
  });
  await assert.rejects(scrapeMetrics(url, 5_000), /more than \d+ bytes/);
});

test('scrapeMetrics rejects when nothing listens', async () => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await assert.rejects(scrapeMetrics(`http://127.0.0.1:${port}/metrics`, 2_000));
});
