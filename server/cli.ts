import { readCommandLine } from '../contracts/options-codec.js';
import { serveCommandLine } from '../contracts/serve-options.js';
import { LoadFailure } from './engine/load-failure.js';
import { startServer, type RunningServer } from './serve.js';

export async function main(argv: string[]): Promise<number> {
  const options = readCommandLine(serveCommandLine, argv, process.env);
  if (typeof options === 'number') return options;
  let server: RunningServer;
  try {
    server = await startServer(options);
  } catch (err) {
    if (!(err instanceof LoadFailure)) throw err;
    // One line, last in the log: the pod's termination message (FallbackToLogsOnError) and the operator's condition.
    console.error(`vernier serve: ${err.message}`);
    return err.exitCode;
  }
  const plan = server.engine.plan;
  const batching = plan.batching ? `, batches ≤ ${plan.batching.maxBatchSize} rows within ${plan.batching.maxQueueDelayMs} ms` : '';
  console.log(
    `vernier serve: model '${server.modelName}' (${options.model}), strategy ${options.strategy}: ` +
      `${plan.executors} ${plan.executor === 'inline' ? 'session on the event loop' : 'worker thread(s)'} × ${plan.intraOpThreads} intra-op thread(s)${batching}; ` +
      `loaded in ${server.engine.loadSeconds.toFixed(2)} s; listening on ${server.url}${server.probeUrl ? `, probes on ${server.probeUrl}` : ''}`,
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
