import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeArgs, encodeArgs, envName, helpText, kebab } from './options-codec.js';
import { serveCommandLine, ServeOptions, type ServeOptionsInput } from './serve-options.js';

const decode = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
  const options = decodeArgs(serveCommandLine, argv, env);
  assert.notEqual(options, 'help');
  return options as ServeOptions;
};

describe('vernier serve options', () => {
  it('takes flags over environment variables over defaults', () => {
    const options = decode(['--model', 'builtin://mlp', '--workers', '4'], { VERNIER_WORKERS: '3', VERNIER_MAX_QUEUE: '9', VERNIER_STRATEGY: 'pool' });
    assert.equal(options.workers, 4);
    assert.equal(options.maxQueue, 9);
    assert.equal(options.strategy, 'pool');
    assert.equal(options.maxBatchSize, 32);
    assert.equal(options.port, 8080);
    assert.equal(options.probePort, undefined, 'no probe port unless asked for: two servers on one host must not collide on it');
  });
  it('defaults to the batched strategy', () => {
    assert.equal(decode(['--model', 'm.onnx']).strategy, 'batched');
  });
  it('lists every bad option by its flag, and by its variable where the value came from one', () => {
    assert.throws(
      () => decode(['--strategy', 'fastest'], { VERNIER_WORKERS: '0' }),
      (err: Error) =>
        /--model \(VERNIER_MODEL\): needs --model/.test(err.message) &&
        /--strategy: Invalid option/.test(err.message) &&
        /--workers \(VERNIER_WORKERS\)/.test(err.message),
    );
  });
  it('says which flag wants a number', () => {
    assert.throws(() => decode(['--model', 'm', '--max-queue', 'lots']), /--max-queue: expected a number, got 'lots'/);
  });
  it('names environment variables in upper snake case', () => {
    assert.equal(envName('maxQueueDelayMs'), 'VERNIER_MAX_QUEUE_DELAY_MS');
  });
  it('round-trips options → argv → options', () => {
    const input: ServeOptionsInput = {
      model: 'builtin://audio-cnn',
      name: 'audio-cnn',
      strategy: 'pool',
      workers: 3,
      maxBatchSize: 16,
      maxQueueDelayMs: 0.5,
      maxQueue: 100,
      maxTokens: 128,
      maxClientBatchSize: 8,
      intraOpThreads: 2,
      executionProvider: 'cuda',
      cores: 8,
      workerNice: 5,
      port: 9000,
      probePort: 9001,
      host: '127.0.0.1',
      maxBodyBytes: 4096,
      requestTimeoutMs: 1000,
      shutdownDelayMs: 10,
      drainTimeoutMs: 20,
      maxConnectionAgeMs: 5000,
      logLevel: 'warn',
    };
    assert.deepEqual(decode(encodeArgs(ServeOptions, input)), ServeOptions.parse(input));
    assert.deepEqual(Object.keys(input).sort(), Object.keys(ServeOptions.shape).sort(), 'the round trip covers every field');
  });
  it('refuses to encode a value the process would refuse', () => {
    assert.throws(() => encodeArgs(ServeOptions, { model: 'm', workers: 65 }), /--workers/);
  });
  it('--help lists every field', () => {
    const help = helpText(serveCommandLine);
    for (const key of Object.keys(ServeOptions.shape)) assert.match(help, new RegExp(`--${kebab(key)}\\b`), key);
    assert.equal(decodeArgs(serveCommandLine, ['--help']), 'help');
  });
});
