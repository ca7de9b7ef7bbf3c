// The load generator against a server whose behaviour is known, over real HTTP on 127.0.0.1.
// Timing tolerances are generous on purpose: the machine is small, shared and noisy.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { BenchTargetError } from './client.js';
import { BenchReport } from '../contracts/bench-report.js';
import { runBenchmark } from './run-benchmark.js';
import { startBehavingServer } from './test-support/behaving-server.js';

/** The preflight request that checks the payload before the run also reaches the server. */
const preflight = 1;

function roundTrips(report: BenchReport): void {
  assert.deepEqual(BenchReport.parse(JSON.parse(JSON.stringify(report))), report);
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

test('closed loop against a fixed 20 ms delay: latency, throughput and counts match the server', async (t) => {
  const server = await startBehavingServer({ delayMs: 20 });
  t.after(() => server.close());
  const report = await runBenchmark({ url: server.url, model: 'm', concurrency: 4, durationSeconds: 1.5 });
  roundTrips(report);
  const { latency, requests } = report;
  assert.ok(latency.minMs >= 19, `min ${latency.minMs} ms: the server never answers in under 20 ms`);
  assert.ok(latency.p50Ms >= 20 && latency.p50Ms <= 60, `p50 ${latency.p50Ms} ms, expected 20..60`);
  assert.ok(latency.p99Ms >= latency.p50Ms && latency.maxMs >= latency.p999Ms);
  assert.equal(requests.total, server.inferRequests - preflight);
  assert.equal(requests.errors, 0);
  assert.equal(server.maxInFlight, 4);
  // 4 in flight at ≥ 20 ms each cannot exceed 200 req/s; under heavy noise it still does far better than 40.
  assert.ok(report.throughputRps <= 205 && report.throughputRps >= 40, `${report.throughputRps} req/s`);
  assert.ok(Math.abs(report.throughputRps - requests.ok / report.durationSeconds) < 1);
  assert.ok(report.durationSeconds >= 1.5 && report.durationSeconds < 2.5, `${report.durationSeconds} s`);
  assert.equal(report.timeline.reduce((n, s) => n + s.requests, 0), requests.total);
  assert.equal(report.load.concurrency, 4);
  assert.equal(report.sla, null);
});

test('closed loop with --requests and warmup: exactly N measured requests, warmup ones apart', async (t) => {
  const server = await startBehavingServer({ delayMs: 5 });
  t.after(() => server.close());
  const report = await runBenchmark({ url: server.url, model: 'm', concurrency: 3, requests: 30, warmupSeconds: 0.3 });
  assert.equal(report.requests.total, 30);
  assert.ok(report.requests.warmup.completed > 0);
  assert.equal(server.inferRequests, preflight + 30 + report.requests.warmup.completed);
});

test('open loop at 100 req/s: every scheduled send is accounted for and latency matches the server', async (t) => {
  const server = await startBehavingServer({ delayMs: 10 });
  t.after(() => server.close());
  const report = await runBenchmark({ url: server.url, model: 'm', mode: 'open', rate: 100, durationSeconds: 1.5 });
  roundTrips(report);
  assert.equal(report.generator.scheduledSends, 150);
  assert.equal(report.requests.total, 150);
  assert.equal(server.inferRequests, preflight + 150);
  assert.equal(report.generator.offeredRps, 100);
  assert.ok(report.latency.p50Ms >= 10 && report.latency.p50Ms <= 50, `p50 ${report.latency.p50Ms} ms, expected 10..50`);
  const { peakInFlight, ...load } = report.load;
  assert.deepEqual(load, { concurrency: null, rate: 100, arrival: 'constant', maxInFlight: 1024 });
  // 100 req/s into a 10 ms server keeps one or two requests outstanding; timer jitter may stack a few more.
  assert.ok(peakInFlight !== null && peakInFlight >= 1 && peakInFlight <= 10, `peak in flight ${peakInFlight}`);
});

test('open loop: sends beyond the in-flight cap are dropped, counted and reported, never lost', async (t) => {
  const server = await startBehavingServer({ delayMs: 50, serial: true }); // at most 20 req/s
  t.after(() => server.close());
  const report = await runBenchmark({ url: server.url, model: 'm', mode: 'open', rate: 200, durationSeconds: 1, maxInFlight: 5 });
  const g = report.generator;
  assert.equal(g.scheduledSends, 200);
  assert.ok(g.droppedSends > 100, `${g.droppedSends} dropped`);
  assert.equal(g.sentRequests + g.droppedSends, 200);
  assert.equal(report.errors.dropped, g.droppedSends);
  assert.equal(report.requests.total, 200);
  assert.equal(server.inferRequests, preflight + g.sentRequests);
  assert.ok(server.maxInFlight <= 5);
  assert.equal(report.load.peakInFlight, 5, 'the cap was reached');
  assert.match(report.warnings.join('\n'), /sends were dropped because 5 requests were already in flight/);
});

test('a periodically stalling server: the open loop exposes the stall that a closed loop hides', async (t) => {
  const stallMs = 300;
  const server = await startBehavingServer({ delayMs: 2, stall: { everyMs: 1000, forMs: stallMs } });
  t.after(() => server.close());
  const open = await runBenchmark({ url: server.url, model: 'm', mode: 'open', rate: 100, durationSeconds: 2 });
  const closed = await runBenchmark({ url: server.url, model: 'm', concurrency: 1, durationSeconds: 2 });
  // About 30 % of open-loop sends fall in a stall and wait for its end; latency counts from the intended send.
  assert.ok(open.latency.p99Ms >= stallMs / 2, `open-loop p99 ${open.latency.p99Ms} ms`);
  assert.ok(open.latency.p90Ms >= stallMs / 4, `open-loop p90 ${open.latency.p90Ms} ms`);
  // The closed loop waits too, but only one request per stall: it saw the stall (max) and hides it (p90).
  assert.ok(closed.latency.maxMs >= stallMs / 2, `closed-loop max ${closed.latency.maxMs} ms`);
  assert.ok(closed.latency.p90Ms < 50, `closed-loop p90 ${closed.latency.p90Ms} ms`);
  assert.ok(open.latency.p90Ms > 3 * closed.latency.p90Ms);
});

test('errors are counted by kind: HTTP status', async (t) => {
  const server = await startBehavingServer({ delayMs: 1, errorEvery: 5 });
  t.after(() => server.close());
  const report = await runBenchmark({ url: server.url, model: 'm', concurrency: 4, requests: 100, sla: { maxErrorRate: 0.1 } });
  assert.deepEqual(report.errors, { http_503: 20 });
  assert.equal(server.statusCounts[503], 20);
  assert.equal(report.requests.ok, 80);
  assert.equal(report.errorRate, 0.2);
  assert.match(report.errorSamples[0].message, /HTTP 503: overloaded/);
  assert.equal(report.sla?.met, false);
});

test('errors are counted by kind: timeout and connection', async (t) => {
  const slow = await startBehavingServer({ delayMs: 400 });
  t.after(() => slow.close());
  const timeouts = await runBenchmark({ url: slow.url, model: 'm', concurrency: 2, requests: 4, timeoutMs: 100 });
  assert.deepEqual(timeouts.errors, { timeout: 4 });
  assert.equal(timeouts.requests.ok, 0);
  // Two rounds of 100 ms timeouts take about 0.2 s; 1.5 s leaves room for a noisy machine, not for a 400 ms wait each.
  assert.ok(timeouts.durationSeconds < 1.5, `${timeouts.durationSeconds} s`);

  const dropping = await startBehavingServer({ delayMs: 1, destroyEvery: 3 });
  t.after(() => dropping.close());
  const resets = await runBenchmark({ url: dropping.url, model: 'm', concurrency: 2, requests: 30 });
  assert.deepEqual(resets.errors, { connection: 10 });
  assert.equal(resets.requests.ok, 20);
});

const mixedInputs = [
  { name: 'audio', datatype: 'FP32', shape: [-1, 6] },
  { name: 'ids', datatype: 'INT64', shape: [-1, 3] },
  { name: 'pixels', datatype: 'UINT8', shape: [-1, 2, 2] },
  { name: 'mask', datatype: 'BOOL', shape: [-1, 2] },
];

for (const payload of ['json', 'binary'] as const) {
  test(`${payload} payloads reach the server with the model's shapes and datatypes`, async (t) => {
    const server = await startBehavingServer({ inputs: mixedInputs });
    t.after(() => server.close());
    const report = await runBenchmark({ url: server.url, model: 'm', concurrency: 2, requests: 10, payload, batchSize: 3 });
    assert.deepEqual(server.rejected, []);
    assert.equal(report.requests.ok, 10);
    assert.equal(server.received.length, preflight + 10);
    for (const inputs of server.received) {
      assert.deepEqual(
        inputs.map((i) => [i.name, i.datatype, i.shape, i.encoding]),
        [
          ['audio', 'FP32', [3, 6], payload],
          ['ids', 'INT64', [3, 3], payload],
          ['pixels', 'UINT8', [3, 2, 2], payload],
          ['mask', 'BOOL', [3, 2], payload],
        ],
      );
      const [audio, ids, , mask] = inputs;
      assert.ok(audio.firstValues.every((v) => typeof v === 'number' && v >= -1 && v < 1));
      assert.ok(ids.firstValues.every((v) => Number.isInteger(v) && (v as number) >= 0 && (v as number) < 100));
      assert.ok(mask.firstValues.every((v) => typeof v === 'boolean'));
      if (payload === 'binary') assert.deepEqual(inputs.map((i) => i.byteLength), [3 * 6 * 4, 3 * 3 * 8, 3 * 4, 3 * 2]);
    }
    assert.deepEqual(report.target.inputs.map((i) => i.shape), [[3, 6], [3, 3], [3, 2, 2], [3, 2]]);
    assert.equal(report.target.payload.encoding, payload);
  });
}

test('a payload the server rejects stops the run before it starts, with the server message', async (t) => {
  const server = await startBehavingServer({ inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 4] }] });
  t.after(() => server.close());
  const dir = await mkdtemp(join(tmpdir(), 'vernier-bench-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'request.json');
  await writeFile(file, JSON.stringify({ inputs: [{ name: 'x', datatype: 'INT32', shape: [1, 4], data: [1, 2, 3, 4] }] }));
  await assert.rejects(
    runBenchmark({ url: server.url, model: 'm', requests: 5, payloadFile: file }),
    /the server rejected the benchmark request: POST http:\/\/127\.0\.0\.1:\d+\/v2\/models\/m\/infer answered HTTP 400: input x: datatype INT32, expected FP32/,
  );
  assert.equal(server.inferRequests, 1, 'only the preflight request was sent');

  const fixed = await startBehavingServer({ inputs: [{ name: 'x', datatype: 'FP32', shape: [2, 4] }] });
  t.after(() => fixed.close());
  // Metadata says [2, 4]; a batch size of 3 cannot be built.
  await assert.rejects(runBenchmark({ url: fixed.url, model: 'm', requests: 5, batchSize: 3 }), /input 'x' has a fixed first dimension 2/);
});

test('a payload file is sent as given', async (t) => {
  const server = await startBehavingServer({ inputs: [{ name: 'x', datatype: 'INT32', shape: [-1, 2] }] });
  t.after(() => server.close());
  const dir = await mkdtemp(join(tmpdir(), 'vernier-bench-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'request.json');
  await writeFile(file, JSON.stringify({ inputs: [{ name: 'x', datatype: 'INT32', shape: [2, 2], data: [[7, 8], [9, 10]] }] }));
  const report = await runBenchmark({ url: server.url, model: 'm', concurrency: 1, requests: 3, payloadFile: file, payload: 'binary' });
  assert.equal(report.requests.ok, 3);
  assert.deepEqual(server.received.at(-1), [
    { name: 'x', datatype: 'INT32', shape: [2, 2], encoding: 'binary', elements: 4, byteLength: 16, firstValues: [7, 8, 9, 10] },
  ]);
  assert.equal(report.target.payload.source, 'file');
});

test('--wait-for-server retries a server that is not reachable or ready yet, for a bounded time', async (t) => {
  const late = await startBehavingServer({ unavailableForMs: 800 });
  t.after(() => late.close());
  await assert.rejects(runBenchmark({ url: late.url, model: 'm', requests: 1 }), /answered HTTP 503: not ready yet/);
  const report = await runBenchmark({ url: late.url, model: 'm', requests: 5, waitForServerSeconds: 10 });
  assert.equal(report.requests.ok, 5);

  const port = await closedPort();
  const started = performance.now();
  await assert.rejects(runBenchmark({ url: `http://127.0.0.1:${port}`, model: 'm', requests: 1, waitForServerSeconds: 1 }), (err: Error) => {
    assert.match(err.message, /ECONNREFUSED.*still failing after \d+ attempts over 1 s/);
    return true;
  });
  const waitedMs = performance.now() - started;
  assert.ok(waitedMs >= 900 && waitedMs < 5000, `gave up after ${Math.round(waitedMs)} ms, expected about 1000`);
});

test('an unreachable server or unknown model fails with the URL named', async (t) => {
  const port = await closedPort();
  await assert.rejects(runBenchmark({ url: `http://127.0.0.1:${port}`, model: 'm', requests: 1 }), (err: Error) => {
    assert.ok(err instanceof BenchTargetError);
    assert.match(err.message, new RegExp(`cannot reach the inference server at http://127\\.0\\.0\\.1:${port}.*ECONNREFUSED`));
    return true;
  });
  const server = await startBehavingServer({ model: 'known' });
  t.after(() => server.close());
  await assert.rejects(runBenchmark({ url: server.url, model: 'other', requests: 1 }), /model not found: GET http:\/\/127\.0\.0\.1:\d+\/v2\/models\/other answered HTTP 404/);
});

test('bad options are refused with the field and what was expected', async () => {
  await assert.rejects(runBenchmark({ url: 'ftp://x', model: 'm' }), /url: expected an http:\/\/ or https:\/\/ URL/);
  await assert.rejects(runBenchmark({ url: 'http://127.0.0.1:1', model: 'm', mode: 'open' }), /rate: open loop needs a rate/);
  await assert.rejects(runBenchmark({ url: 'http://127.0.0.1:1', model: 'm', concurrency: 0 }), /concurrency: Too small/);
});

test('aborting stops the run promptly and rejects', async (t) => {
  const server = await startBehavingServer({ delayMs: 5 });
  t.after(() => server.close());
  const started = Date.now();
  await assert.rejects(
    runBenchmark({ url: server.url, model: 'm', concurrency: 2, durationSeconds: 30 }, { signal: AbortSignal.timeout(300) }),
    (err: Error) => err.name === 'TimeoutError' || err.name === 'AbortError',
  );
  assert.ok(Date.now() - started < 5_000, 'stopped long before the 30 s run would have ended');
});

test('progress arrives about once a second with measured counts', async (t) => {
  const server = await startBehavingServer({ delayMs: 5 });
  t.after(() => server.close());
  const seen: number[] = [];
  await runBenchmark({ url: server.url, model: 'm', concurrency: 2, durationSeconds: 2.2 }, { onProgress: (p) => seen.push(p.completed) });
  assert.ok(seen.length >= 1 && seen.length <= 3, `${seen.length} progress reports`);
  assert.ok(seen.every((n, i) => i === 0 || n >= seen[i - 1]));
});
