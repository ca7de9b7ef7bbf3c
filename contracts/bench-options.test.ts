import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BenchArgs, benchCommandLine, benchOptionsFromArgs } from './bench-args.js';
import { parseBenchOptions, wordRange } from './bench-options.js';
import { decodeArgs, encodeArgs, helpText, parseDuration } from './options-codec.js';

const target = { url: 'http://127.0.0.1:8080', model: 'm' };

test('--capacity becomes a capacity search with its budget, and errors are judged (0.01 unless given)', () => {
  const args = decodeArgs(benchCommandLine, ['--url', target.url, '--model', 'm', '--capacity', '--sla-p99-ms', '50', '--capacity-seconds', '300']);
  assert.notEqual(args, 'help');
  const options = parseBenchOptions(benchOptionsFromArgs(args as Exclude<typeof args, 'help'>));
  assert.deepEqual(options.capacity, { seconds: 300 });
  assert.equal(options.sla.p99LatencyMs, 50);
  assert.equal(options.sla.maxErrorRate, 0.01);
  assert.equal(parseBenchOptions({ ...target, sla: { p99LatencyMs: 50, maxErrorRate: 0.2 }, capacity: {} }).sla.maxErrorRate, 0.2);
  assert.equal(parseBenchOptions({ ...target, sla: { p99LatencyMs: 50 }, capacity: {} }).capacity?.seconds, 120);
  assert.equal(parseBenchOptions({ ...target, sla: { p99LatencyMs: 50 } }).sla.maxErrorRate, undefined, 'other runs keep their targets as given');
});

test('a capacity search needs a p99 target, no sweep, and most of its budget for itself', () => {
  assert.throws(() => parseBenchOptions({ ...target, capacity: {} }), /sla\.p99LatencyMs: the capacity search looks for the highest rate within a p99 target/);
  assert.throws(() => parseBenchOptions({ ...target, sla: { p99LatencyMs: 50 }, capacity: {}, sweep: {} }), /capacity: a capacity search and a sweep exclude each other/);
  assert.throws(() => parseBenchOptions({ ...target, sla: { p99LatencyMs: 50 }, capacity: { seconds: 20 }, warmupSeconds: 11 }), /warmupSeconds: warmup must leave at least half/);
  assert.throws(() => parseBenchOptions({ ...target, sla: { p99LatencyMs: 50 }, capacity: { seconds: 5 } }), /capacity\.seconds/);
});

test('durations take units (30s, 2m, 500ms) as well as plain numbers, from flags and variables alike', () => {
  const decode = (argv: string[], env: NodeJS.ProcessEnv = {}) => decodeArgs(benchCommandLine, ['--url', target.url, '--model', 'm', ...argv], env) as Exclude<ReturnType<typeof decodeArgs<typeof benchCommandLine.schema>>, 'help'>;
  assert.equal(decode(['--duration', '5s']).duration, 5);
  assert.equal(decode(['--duration', '2m']).duration, 120);
  assert.equal(decode(['--duration', '1.5']).duration, 1.5);
  assert.equal(decode(['--warmup', '500ms']).warmup, 0.5);
  assert.equal(decode(['--timeout-ms', '2s']).timeoutMs, 2000);
  assert.equal(decode(['--sla-p99-ms', '100']).slaP99Ms, 100);
  assert.equal(decode([], { VERNIER_DURATION: '1m', VERNIER_WAIT_FOR_SERVER: '30s' }).duration, 60);
  assert.equal(parseDuration('1h', 's'), 3600);
  assert.equal(parseDuration('soon', 's'), undefined);
});

test('the short forms a wrk, k6 or hey user types: -c, -d, -R, -t, -n, -m, -H', () => {
  const closed = decodeArgs(benchCommandLine, ['--url', target.url, '--model', 'm', '-c', '64', '-d', '30s', '-t', '2', '-n', '1000']);
  assert.notEqual(closed, 'help');
  assert.deepEqual(closed && closed !== 'help' && [closed.concurrency, closed.duration, closed.threads, closed.requests], [64, 30, 2, 1000]);
  const open = decodeArgs(benchCommandLine, ['--url', target.url, '--path', '/embed', '-R', '500', '-m', 'PUT', '-H', 'Authorization: Bearer a,b', '-H', 'x-tenant: 7']);
  assert.notEqual(open, 'help');
  const o = open as Exclude<typeof open, 'help'>;
  assert.equal(o.rate, 500);
  assert.equal(o.method, 'PUT');
  assert.deepEqual(benchOptionsFromArgs(o).headers, { Authorization: 'Bearer a,b', 'x-tenant': '7' }, 'a comma stays inside its header');
  const help = helpText(benchCommandLine);
  for (const flag of ['-c, --concurrency N', '-d, --duration DURATION', '-R, --rate N', '-H, --header HEADER…', '-t, --threads N']) assert.ok(help.includes(flag), flag);
  assert.match(help, /--duration DURATION .*\(seconds, or 30s, 2m, 1h\)/);
});

test('bench flags round-trip: options → argv → options, headers and threads included', () => {
  const input = {
    ...target,
    path: '/v2/models/m/infer',
    method: 'POST' as const,
    header: ['authorization: Bearer x', 'x-a: 1, 2'],
    threads: 3,
    rate: 250,
    duration: 12.5,
    warmup: 2,
    timeoutMs: 1500,
    slaP99Ms: 40,
    slaMinRps: 250,
  };
  const decoded = decodeArgs(benchCommandLine, encodeArgs(BenchArgs, input, benchCommandLine.docs));
  assert.deepEqual(decoded, BenchArgs.parse(input));
});

test('a command line cannot give one short form to two flags', () => {
  const clash = { ...benchCommandLine, docs: { ...benchCommandLine.docs, rate: { help: 'r', short: 'c' } } };
  assert.throws(() => decodeArgs(clash, ['--url', target.url, '--model', 'm']), /-c is both --concurrency and --rate/);
});

test('--text-words takes N or MIN-MAX words per generated sentence', () => {
  assert.deepEqual(wordRange('12'), { min: 12, max: 12 });
  assert.deepEqual(wordRange('6-20'), { min: 6, max: 20 });
  for (const bad of ['0', '20-6', '6-', 'x', '1-99999']) assert.equal(wordRange(bad), undefined, bad);
  assert.equal(parseBenchOptions(target).textWords, '6-20');
  const args = decodeArgs(benchCommandLine, ['--url', target.url, '--model', 'm', '--text-words', '60-120']);
  assert.equal(parseBenchOptions(benchOptionsFromArgs(args as Exclude<typeof args, 'help'>)).textWords, '60-120');
  assert.throws(() => parseBenchOptions({ ...target, textWords: '20-6' }), /textWords: expected words per sentence as N or MIN-MAX/);
});
