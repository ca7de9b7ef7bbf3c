// runBenchmark on a thread of its own: the load generator's timers and response handling then do not wait behind the
// operator and the test, which share the main thread's event loop. A thread is started ahead and runs when asked, so
// that one load can follow another without the time a thread takes to start and load the bench modules.
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { runBenchmark, type BenchOptionsInput, type BenchReport } from '../../bench/index.js';

type Reply = { ready: true } | { report: BenchReport } | { error: string };

if (!isMainThread && (workerData as { benchThread?: boolean } | undefined)?.benchThread === true) {
  parentPort!.once('message', (options: BenchOptionsInput) => {
    runBenchmark(options).then(
      (report) => parentPort!.postMessage({ report } satisfies Reply),
      (err: unknown) => parentPort!.postMessage({ error: err instanceof Error ? (err.stack ?? err.message) : String(err) } satisfies Reply),
    );
  });
  parentPort!.postMessage({ ready: true } satisfies Reply);
}

export interface BenchThread {
  /** Runs one benchmark on the thread, which ends with it. */
  run(options: BenchOptionsInput): Promise<BenchReport>;
}

/** A worker thread with the bench modules loaded, waiting for its one run; aborting `signal` terminates it. */
export function benchThread(signal?: AbortSignal): Promise<BenchThread> {
  return new Promise<BenchThread>((resolveReady, rejectReady) => {
    signal?.throwIfAborted();
    const worker = new Worker(new URL(import.meta.url), { workerData: { benchThread: true } });
    let running: { resolve: (report: BenchReport) => void; reject: (err: unknown) => void } | undefined;
    const fail = (err: unknown) => {
      rejectReady(err);
      running?.reject(err);
      void worker.terminate();
    };
    const onAbort = () => fail(signal!.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (reply: Reply) => {
      if ('ready' in reply) {
        resolveReady({
          run: (options) =>
            new Promise<BenchReport>((resolve, reject) => {
              running = { resolve, reject };
              worker.postMessage(options);
            }),
        });
        return;
      }
      if ('report' in reply) running?.resolve(reply.report);
      else running?.reject(new Error(`runBenchmark failed on its thread: ${reply.error}`));
      void worker.terminate();
    });
    worker.once('error', fail);
    worker.once('exit', (code) => {
      signal?.removeEventListener('abort', onAbort);
      // Settled already when it answered; otherwise it ended without a report.
      fail(new Error(`the benchmark thread exited with code ${code} without a report`));
    });
  });
}

/** runBenchmark(options) on a thread of its own. */
export async function runBenchmarkOnThread(options: BenchOptionsInput, signal?: AbortSignal): Promise<BenchReport> {
  return (await benchThread(signal)).run(options);
}
