import type { FastifyInstance } from 'fastify';
import { buildApp, type ServerLifecycle } from './app.js';
import { CodecPool, codecThreadsFor } from './codec/codec-pool.js';
import { closeConnections } from './drain.js';
import { createEngine, type Engine } from './engine/create-engine.js';
import { loadFailure } from './engine/load-failure.js';
import { ServerMetrics } from './metrics.js';
import { defaultModelName, resolveModelPath } from './model-source.js';
import { startProbeListener, type ProbeListener } from './probes/probe-listener.js';
import type { ServeOptions } from '../contracts/serve-options.js';

export interface RunningServer {
  url: string;
  /** The probe port's URL (--probe-port), if any. */
  probeUrl?: string;
  modelName: string;
  engine: Engine;
  app: FastifyInstance;
  lifecycle: ServerLifecycle;
  /**
   * Not ready, answers close their connections → wait shutdownDelayMs → stop listening, close idle connections,
   * refuse new requests → finish accepted requests within drainTimeoutMs, then close every connection → release sessions.
   */
  shutdown(): Promise<void>;
}

/** Throws a LoadFailure when the model or its execution provider cannot be loaded (its exitCode says which). */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const modelName = options.name ?? defaultModelName(options.model);
  let engine: Engine | undefined;
  const metrics = new ServerMetrics(
    () => engine?.scheduler.queueDepth ?? 0,
    () => engine?.scheduler.expectedWaitMs ?? 0,
  );
  try {
    engine = await createEngine({
      modelPath: resolveModelPath(options.model),
      strategy: options.strategy,
      workers: options.workers,
      maxBatchSize: options.maxBatchSize,
      maxQueueDelayMs: options.maxQueueDelayMs,
      intraOpThreads: options.intraOpThreads,
      executionProvider: options.executionProvider,
      workerNice: options.workerNice,
      maxQueue: options.maxQueue,
      queueTimeoutMs: options.requestTimeoutMs,
      cores: options.cores,
      maxTokens: options.maxTokens,
      onRun: (run) => metrics.observeRun(run),
    });
  } catch (err) {
    throw loadFailure(err, options.executionProvider);
  }
  metrics.modelLoad.set(engine.loadSeconds);
  const codec = new CodecPool(
    {
      modelName,
      signature: engine.signature,
      maxTexts: engine.kind.kind === 'text-embedding' ? options.maxClientBatchSize : undefined,
      nice: options.workerNice,
    },
    codecThreadsFor(engine.strategy, options.cores),
  );
  const lifecycle: ServerLifecycle = { ready: true, draining: false };
  const app = buildApp(
    {
      engine,
      modelName,
      metrics,
      codec,
      bodyLimitBytes: options.maxBodyBytes,
      maxClientBatchSize: options.maxClientBatchSize,
      requestTimeoutMs: options.requestTimeoutMs,
      maxConnectionAgeMs: options.maxConnectionAgeMs,
      logLevel: options.logLevel,
    },
    lifecycle,
  );
  let address: string;
  try {
    address = await app.listen({ port: options.port, host: options.host });
  } catch (err) {
    await Promise.all([engine.scheduler.close(), codec.close()]);
    throw new Error(`cannot listen on ${options.host}:${options.port}: ${(err as Error).message}`, { cause: err });
  }
  const running = engine;
  let probes: ProbeListener | undefined;
  if (options.probePort !== undefined) {
    try {
      probes = await startProbeListener({ host: options.host, port: options.probePort, state: () => ({ ready: lifecycle.ready, healthy: running.scheduler.healthy }) });
    } catch (err) {
      await Promise.all([app.close(), running.scheduler.close(), codec.close()]);
      throw err;
    }
  }
  let shuttingDown: Promise<void> | undefined;
  const shutdown = () =>
    (shuttingDown ??= (async () => {
      lifecycle.ready = false;
      probes?.publish();
      if (options.shutdownDelayMs > 0) await new Promise((r) => setTimeout(r, options.shutdownDelayMs));
      lifecycle.draining = true;
      await closeConnections(app, options.drainTimeoutMs);
      await Promise.all([running.scheduler.close(), codec.close()]);
      await probes?.close();
    })());
  return { url: address, probeUrl: probes?.url, modelName, engine, app, lifecycle, shutdown };
}
