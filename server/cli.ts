import { parseArgs } from 'node:util';
import { kebab, resolveServeOptions, serveOptionHelp, ServeOptions } from './options.js';
import { startServer } from './serve.js';

const keys = Object.keys(ServeOptions.shape) as (keyof ServeOptions)[];

function help(): string {
  const rows = keys.map((k) => `  --${kebab(k).padEnd(22)}${serveOptionHelp[k]}`);
  return [
    'usage: vernier serve --model builtin://audio-cnn [--strategy batched] [options]',
    '',
    'Serves one ONNX model over the Open Inference Protocol v2 (REST) with /metrics.',
    'Every option can also be set as an environment variable: --max-queue ↔ VERNIER_MAX_QUEUE.',
    '',
    ...rows,
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { help: { type: 'boolean', short: 'h' }, ...Object.fromEntries(keys.map((k) => [kebab(k), { type: 'string' as const }])) },
    strict: true,
  });
  if (values.help) {
    console.log(help());
    return 0;
  }
  const given = values as Record<string, string | boolean | undefined>;
  const flags = Object.fromEntries(keys.map((k) => [k, given[kebab(k)] as string | undefined]));
  const options = resolveServeOptions(flags, process.env);
  const server = await startServer(options);
  const plan = server.engine.plan;
  const batching = plan.batching ? `, batches ≤ ${plan.batching.maxBatchSize} rows within ${plan.batching.maxQueueDelayMs} ms` : '';
  console.log(
    `vernier serve: model '${server.modelName}' (${options.model}), strategy ${options.strategy}: ` +
      `${plan.executors} ${plan.executor === 'inline' ? 'session on the event loop' : 'worker thread(s)'} × ${plan.intraOpThreads} intra-op thread(s)${batching}; ` +
      `loaded in ${server.engine.loadSeconds.toFixed(2)} s; listening on ${server.url}`,
  );
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      console.log(`vernier serve: ${signal}: not ready, draining accepted requests`);
      server.shutdown().then(resolve, (err) => {
        console.error(`vernier serve: shutdown failed: ${(err as Error).message}`);
        resolve();
      });
    };
    // A repeated signal while draining must not kill the process and drop accepted requests.
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
  console.log('vernier serve: stopped');
  return 0;
}
