// `vernier operator`: flags → settings → startOperator; runs until SIGTERM/SIGINT or until it loses the lease.
import { existsSync, readFileSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { decodeArgs, helpText, operatorCommandLine, USAGE_EXIT_CODE, UsageError, type OperatorOptions } from '../contracts/index.js';
import { createLogger, type Level } from './log.js';
import { startOperator } from './operator.js';
import { cudaVariantOf, defaultSettings, packageVersion, type OperatorSettings } from './settings.js';

const IN_CLUSTER_NAMESPACE_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

export interface OperatorCliConfig {
  kubeconfig?: string;
  namespace?: string;
  settings: OperatorSettings;
  leaderElection?: { namespace: string; name: string; leaseDurationMs: number; renewDeadlineMs: number; retryPeriodMs: number };
  http: { host: string; port: number };
  workers: number;
  resyncMinutes: number;
  logLevel: Level;
}

const commandLine = () => operatorCommandLine(`vernier:${safeVersion()}`);

function safeVersion(): string {
  try {
    return packageVersion();
  } catch {
    return '<version>';
  }
}

/** What the flags (or VERNIER_* variables) ask for; throws a UsageError naming each bad one. */
export function parseOperatorArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): OperatorCliConfig | 'help' {
  const o: OperatorOptions | 'help' = decodeArgs(commandLine(), argv, env);
  if (o === 'help') return 'help';
  const settings = defaultSettings({
    ...(o.serverImage ? { serverImage: o.serverImage } : {}),
    ...(o.cudaServerImage || o.serverImage ? { cudaServerImage: o.cudaServerImage ?? cudaImageFor(o.serverImage!) } : {}),
    ...(o.imagePullPolicy ? { imagePullPolicy: o.imagePullPolicy } : {}),
    ...(o.gpuNodeSelector ? { gpuNodeSelector: o.gpuNodeSelector } : {}),
    ...(o.benchmarkTtlSeconds !== undefined ? { benchmarkTtlSeconds: o.benchmarkTtlSeconds } : {}),
  });
  const leaseMs = o.leaseDurationSeconds * 1000;
  const leaderElection = o.leaderElect
    ? {
        namespace: o.leaderElectionNamespace ?? podNamespace() ?? 'default',
        name: o.leaderElectionId,
        leaseDurationMs: leaseMs,
        // client-go's proportions: renew deadline 2/3 of the lease, retry every 2/15 of it.
        renewDeadlineMs: Math.round((leaseMs * 2) / 3),
        retryPeriodMs: Math.max(200, Math.round((leaseMs * 2) / 15)),
      }
    : undefined;
  return {
    kubeconfig: o.kubeconfig,
    namespace: o.namespace,
    settings,
    leaderElection,
    http: { host: o.metricsHost, port: o.metricsPort },
    workers: o.workers,
    resyncMinutes: o.resyncMinutes,
    logLevel: o.logLevel,
  };
}

function cudaImageFor(serverImage: string): string {
  try {
    return cudaVariantOf(serverImage);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function podNamespace(): string | undefined {
  if (process.env.POD_NAMESPACE) return process.env.POD_NAMESPACE;
  return existsSync(IN_CLUSTER_NAMESPACE_FILE) ? readFileSync(IN_CLUSTER_NAMESPACE_FILE, 'utf8').trim() : undefined;
}

export function loadKubeConfig(path: string | undefined): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (path) kc.loadFromFile(path);
    else kc.loadFromDefault();
  } catch (err) {
    throw new Error(`cannot load the kubeconfig${path ? ` ${path}` : ''}`, { cause: err });
  }
  if (!kc.getCurrentCluster()) throw new Error('the kubeconfig names no current cluster');
  return kc;
}

export async function main(argv: string[]): Promise<number> {
  let config: ReturnType<typeof parseOperatorArgs>;
  try {
    config = parseOperatorArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`vernier operator: ${err.message}\n(see vernier operator --help)`);
    return USAGE_EXIT_CODE;
  }
  if (config === 'help') {
    console.log(helpText(commandLine()));
    return 0;
  }
  const log = createLogger({ level: config.logLevel });
  const kubeConfig = loadKubeConfig(config.kubeconfig);
  log.info('starting', { server: kubeConfig.getCurrentCluster()?.server, namespace: config.namespace ?? '(all)', image: config.settings.serverImage, cudaImage: config.settings.cudaServerImage });
  const operator = await startOperator({
    kubeConfig,
    settings: config.settings,
    namespace: config.namespace,
    leaderElection: config.leaderElection,
    http: config.http,
    workers: config.workers,
    informers: { resyncEveryMs: config.resyncMinutes * 60_000 },
    log,
  });
  log.info('serving probes and metrics', { host: config.http.host, port: operator.httpPort });
  const onSignal = (signal: string) => {
    log.info('shutting down', { signal });
    void operator.stop();
  };
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  process.once('SIGINT', () => onSignal('SIGINT'));
  const reason = await operator.done;
  log.info('stopped', { reason });
  return reason === 'lost-leadership' ? 1 : 0;
}
