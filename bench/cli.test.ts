import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { main } from './cli.js';
import { CompactBenchFailure, CompactBenchReport, terminationMessageLimitBytes } from '../contracts/compact-report.js';
import { BenchReport } from '../contracts/bench-report.js';
import { startBehavingServer } from './test-support/behaving-server.js';

function capture(): { io: { stdout: Writable; stderr: Writable }; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const sink = (append: (s: string) => void) =>
    new Writable({
      write(chunk, _enc, done) {
        append(String(chunk));
        done();
      },
    });
  return { io: { stdout: sink((s) => (out += s)), stderr: sink((s) => (err += s)) }, out: () => out, err: () => err };
}

async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'vernier-cli-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('a run writes the table, the full JSON report and a compact termination message; --fail-on-sla exits 3', async (t) => {
  const server = await startBehavingServer({ delayMs: 2 });
  t.after(() => server.close());
  const dir = await tempDir(t);
  const json = join(dir, 'report.json');
  const termination = join(dir, 'termination-log');
  const { io, out } = capture();
  const code = await main(
    ['--url', server.url, '--model', 'm', '--concurrency', '2', '--requests', '20', '--json', json, '--termination-log', termination, '--sla-p99-ms', '0.001', '--fail-on-sla', '--quiet'],
    io,
  );
  assert.equal(code, 3);
  assert.match(out(), /requests {3}20 total · 20 ok/);
  assert.match(out(), /SLA {8}MISSED · p99 [\d.]+ ms > 0\.001 ms ✗/);
  const report = BenchReport.parse(JSON.parse(await readFile(json, 'utf8')));
  assert.equal(report.requests.total, 20);
  const message = await readFile(termination, 'utf8');
  assert.ok(Buffer.byteLength(message) <= terminationMessageLimitBytes);
  const compact = CompactBenchReport.parse(JSON.parse(message));
  assert.equal(compact.requests, 20);
  assert.equal(compact.sla?.met, false);
  assert.equal(compact.p99Ms, report.latency.p99Ms);
});

test('without --fail-on-sla a missed SLA still exits 0; progress goes to stderr', async (t) => {
  const server = await startBehavingServer({ delayMs: 2 });
  t.after(() => server.close());
  const { io, out, err } = capture();
  const code = await main(['--url', server.url, '--model', 'm', '--rate', '50', '--duration', '1.3', '--sla-p99-ms', '0.001'], io);
  assert.equal(code, 0);
  assert.match(out(), /open loop, 50\.0 req\/s constant arrivals/);
  assert.match(err(), /\] measure · \d+ done · 0 errors/);
});

test('an unreachable server exits 1 with the URL named, and the termination message says why', async (t) => {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const dir = await tempDir(t);
  const termination = join(dir, 'termination-log');
  const { io, err } = capture();
  const code = await main(['--url', `http://127.0.0.1:${port}`, '--model', 'm', '--termination-log', termination], io);
  assert.equal(code, 1);
  assert.match(err(), new RegExp(`cannot reach the inference server at http://127\\.0\\.0\\.1:${port}`));
  const failure = CompactBenchFailure.parse(JSON.parse(await readFile(termination, 'utf8')));
  assert.match(failure.error, /cannot reach the inference server/);
});

test('--capacity against a server that refuses everything: no capacity, and the termination message says why', async (t) => {
  const server = await startBehavingServer({ errorEvery: 1 });
  t.after(() => server.close());
  const dir = await tempDir(t);
  const termination = join(dir, 'termination-log');
  const { io, out } = capture();
  const argv = ['--url', server.url, '--model', 'm', '--capacity', '--sla-p99-ms', '50', '--capacity-seconds', '10', '--termination-log', termination, '--quiet'];
  assert.equal(await main(argv, io), 0);
  assert.match(out(), /capacity {3}none: no rate met the SLA \(stopped: errors; 0 steps in [\d.]+ s of a 10 s budget\)/);
  assert.match(out(), /the closed-loop probe had no successful request/);
  const compact = CompactBenchReport.parse(JSON.parse(await readFile(termination, 'utf8')));
  assert.deepEqual(compact.capacity, { variable: 'rate', rps: null, load: null, p99Ms: null, steps: 0, stoppedBecause: 'errors' });
});

test('bad flags exit 2 and name the flag', async () => {
  const cases: [string[], RegExp][] = [
    [['--model', 'm'], /--url \(VERNIER_URL\): expected an http:\/\/ or https:\/\/ URL/],
    [['--url', 'http://127.0.0.1:1', '--model', 'm', '--concurrency', 'many'], /--concurrency: expected a number, got 'many'/],
    [['--url', 'http://127.0.0.1:1', '--model', 'm', '--concurrency', '2', '--rate', '5'], /exclude each other/],
    [['--url', 'http://127.0.0.1:1', '--model', 'm', '--timeout-ms=-5'], /--timeout-ms: expected a duration such as 500, 500ms, 2s or 1m, got '-5'/],
    [['--url', 'http://127.0.0.1:1', '--model', 'm', '--duration', '5 parsecs'], /--duration: expected a duration such as 30, 30s, 2m or 1h/],
    [['--url', 'http://127.0.0.1:1', '--model', 'm', '--timeout-ms', '0ms'], /--timeout-ms: Too small/],
    [['--url', 'http://127.0.0.1:1'], /--model \(VERNIER_MODEL\): give --model \(its OIP v2 infer endpoint\) or --path/],
    [['--url', 'http://127.0.0.1:1', '--path', 'health'], /--path: expected a path starting with \//],
    [['--url', 'http://127.0.0.1:1', '--path', '/x', '--header', 'no colon here'], /--header: expected 'Name: value', got 'no colon here'/],
    [['--url', 'http://127.0.0.1:1', '--path', '/x', '--method', 'FETCH'], /--method: Invalid option/],
    [['--url', 'http://127.0.0.1:1', '--model', 'm', '--threads', '0'], /--threads: Too small/],
    [['--url', 'http://127.0.0.1:1', '--model', 'm', '--payload', 'xml'], /--payload: Invalid option: expected one of "json"\|"binary"/],
    [['--url', 'http://127.0.0.1:1', '--model', 'm', '--arrival', 'poisson'], /apply to the open loop/],
    [['--url', 'http://127.0.0.1:1', '--model', 'm', '--sweep-steps', '1,2'], /need --sweep/],
    [['--url', 'http://127.0.0.1:1', '--model', 'm', '--sweep', '--sweep-steps', '1,x'], /--sweep-steps: expected numbers/],
    [['--url', 'http://127.0.0.1:1', '--model', 'm', '--bogus'], /Unknown option '--bogus'/],
    [['--url', 'http://127.0.0.1:1', '--model', 'm', '--capacity'], /--sla-p99-ms \(VERNIER_SLA_P99_MS\): --capacity searches for the highest rate whose p99 stays within it/],
    [['--url', 'http://127.0.0.1:1', '--model', 'm', '--capacity', '--sla-p99-ms', '50', '--rate', '10'], /--rate: --capacity chooses the rates itself/],
    [['--url', 'http://127.0.0.1:1', '--model', 'm', '--capacity', '--sla-p99-ms', '50', '--concurrency', '4'], /--concurrency: --capacity runs open-loop steps/],
    [['--url', 'http://127.0.0.1:1', '--model', 'm', '--capacity', '--sla-p99-ms', '50', '--sweep'], /--sweep: --sweep and --capacity exclude each other/],
    [['--url', 'http://127.0.0.1:1', '--model', 'm', '--capacity', '--sla-p99-ms', '50', '--duration', '5'], /--duration: --capacity sizes its steps from --capacity-seconds/],
    [['--url', 'http://127.0.0.1:1', '--model', 'm', '--capacity', '--sla-p99-ms', '50', '--capacity-seconds', '5'], /--capacity-seconds: Too small/],
    [['--url', 'http://127.0.0.1:1', '--model', 'm', '--capacity-seconds', '60'], /--capacity-seconds: --capacity-seconds needs --capacity/],
  ];
  for (const [argv, message] of cases) {
    const { io, err } = capture();
    assert.equal(await main(argv, io), 2, argv.join(' '));
    assert.match(err(), message);
  }
});

test('--help describes the flags and exits 0', async () => {
  const { io, out } = capture();
  assert.equal(await main(['--help'], io), 0);
  for (const flag of ['--concurrency', '--rate', '--warmup', '--payload-file', '--sla-p99-ms', '--sweep', '--capacity', '--capacity-seconds', '--termination-log', '--fail-on-sla']) {
    assert.ok(out().includes(flag), flag);
  }
});
