// `vernier operator`: flags → settings → startOperator; runs until SIGTERM/SIGINT or until it loses the lease.
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { createLogger, LEVELS, type Level } from './log.js';
import { startOperator } from './operator.js';
import { defaultSettings, packageVersion, parseSelector, type OperatorSettings } from './settings.js';

const IN_CLUSTER_NAMESPACE_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

const HELP = `usage: vernier operator [options]

Runs the InferenceService controller: serves each model with a Deployment and a Service,
benchmarks every new spec with a Job and writes the result and the SLA verdict to status.
It uses --kubeconfig, else $KUBECONFIG, else ~/.kube/config, else the in-cluster service account.

options:
  --kubeconfig PATH              kubeconfig to use
  --namespace NS                 watch only this namespace (default: all namespaces)
  --server-image IMAGE           image of the server and benchmark pods (default vernier:${safeVersion()})
  --image-pull-policy POLICY     Always | IfNotPresent | Never (default IfNotPresent)
  --gpu-node-selector K=V,...    node labels for provider nvidia-t4 (default nvidia.com/gpu.product=Tesla-T4);
                                 nvidia-t4 (GPU limit, toleration, CUDA execution provider) is not yet verified on a GPU
  --benchmark-ttl-seconds N      keep finished benchmark Jobs this long (default 600)
  --leader-elect                 run only while holding a Lease (for several replicas)
  --leader-election-namespace NS namespace of the Lease (default: the pod's namespace, else default)
  --leader-election-id NAME      name of the Lease (default vernier-operator)
  --lease-duration-seconds N     (default 15)
  --metrics-host HOST            address of /metrics, /healthz, /readyz (default 0.0.0.0)
  --metrics-port PORT            (default 8081; 0 picks a free port)
  --workers N                    reconciles running at once (default 2)
  --log-level LEVEL              debug | info | warn | error (default info)
  -h, --help

Every option can also be set as an environment variable VERNIER_<OPTION> (e.g. VERNIER_SERVER_IMAGE).`;

function safeVersion(): string {
  try {
    return packageVersion();
  } catch {
    return '<version>';
  }
}

const OPTIONS = {
  kubeconfig: { type: 'string' },
  namespace: { type: 'string' },
  'server-image': { type: 'string' },
  'image-pull-policy': { type: 'string' },
  'gpu-node-selector': { type: 'string' },
  'benchmark-ttl-seconds': { type: 'string' },
  'leader-elect': { type: 'boolean' },
  'leader-election-namespace': { type: 'string' },
  'leader-election-id': { type: 'string' },
  'lease-duration-seconds': { type: 'string' },
  'metrics-host': { type: 'string' },
  'metrics-port': { type: 'string' },
  workers: { type: 'string' },
  'log-level': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

class UsageError extends Error {}

/** Flag value, else VERNIER_<UPPER_SNAKE> from the environment. */
function option(values: Record<string, unknown>, name: keyof typeof OPTIONS, env: NodeJS.ProcessEnv): string | boolean | undefined {
  if (values[name] !== undefined) return values[name] as string | boolean;
  const fromEnv = env[`VERNIER_${name.toUpperCase().replace(/-/g, '_')}`];
  if (fromEnv === undefined) return undefined;
  if (OPTIONS[name].type === 'boolean') return fromEnv === 'true' || fromEnv === '1';
  return fromEnv;
}

function integer(value: string | boolean | undefined, flag: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== 'string' || value.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`--${flag}: expected an integer from ${min} to ${max}, got '${String(value)}'`);
  }
  return n;
}

export interface OperatorCliConfig {
  kubeconfig?: string;
  namespace?: string;
  settings: OperatorSettings;
  leaderElection?: { namespace: string; name: string; leaseDurationMs: number; renewDeadlineMs: number; retryPeriodMs: number };
  http: { host: string; port: number };
  workers: number;
  logLevel: Level;
}

export function parseOperatorArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): OperatorCliConfig | 'help' {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: true });
  if (values.help) return 'help';
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const get = (name: keyof typeof OPTIONS) => option(values, name, env);
  const str = (name: keyof typeof OPTIONS) => {
    const v = get(name);
    return typeof v === 'string' ? v : undefined;
  };
  const pullPolicy = str('image-pull-policy');
  if (pullPolicy !== undefined && !['Always', 'IfNotPresent', 'Never'].includes(pullPolicy)) {
    throw new UsageError(`--image-pull-policy: expected Always, IfNotPresent or Never, got '${pullPolicy}'`);
  }
  const logLevel = str('log-level') ?? 'info';
  if (!LEVELS.includes(logLevel as Level)) throw new UsageError(`--log-level: expected one of ${LEVELS.join(', ')}, got '${logLevel}'`);
  let gpuNodeSelector: Record<string, string> | undefined;
  const selector = str('gpu-node-selector');
  if (selector !== undefined) {
    try {
      gpuNodeSelector = parseSelector(selector, '--gpu-node-selector');
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  }
  const settings = defaultSettings({
    ...(str('server-image') ? { serverImage: str('server-image') } : {}),
    ...(pullPolicy ? { imagePullPolicy: pullPolicy as OperatorSettings['imagePullPolicy'] } : {}),
    ...(gpuNodeSelector ? { gpuNodeSelector } : {}),
    ...(get('benchmark-ttl-seconds') !== undefined
      ? { benchmarkTtlSeconds: integer(get('benchmark-ttl-seconds'), 'benchmark-ttl-seconds', 0, 2_592_000) }
      : {}),
  });
  const leaseSeconds = integer(get('lease-duration-seconds'), 'lease-duration-seconds', 2, 3600) ?? 15;
  const leaderElection = get('leader-elect')
    ? {
        namespace: str('leader-election-namespace') ?? podNamespace() ?? 'default',
        name: str('leader-election-id') ?? 'vernier-operator',
        leaseDurationMs: leaseSeconds * 1000,
        // client-go's proportions: renew deadline 2/3 of the lease, retry every 2/15 of it.
        renewDeadlineMs: Math.round((leaseSeconds * 1000 * 2) / 3),
        retryPeriodMs: Math.max(200, Math.round((leaseSeconds * 1000 * 2) / 15)),
      }
    : undefined;
  return {
    kubeconfig: str('kubeconfig'),
    namespace: str('namespace'),
    settings,
    leaderElection,
    http: { host: str('metrics-host') ?? '0.0.0.0', port: integer(get('metrics-port'), 'metrics-port', 0, 65535) ?? 8081 },
    workers: integer(get('workers'), 'workers', 1, 64) ?? 2,
    logLevel: logLevel as Level,
  };
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
    if (!(err instanceof UsageError) && (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') !== true) throw err;
    console.error(`vernier operator: ${(err as Error).message}\n(see vernier operator --help)`);
    return 2;
  }
  if (config === 'help') {
    console.log(HELP);
    return 0;
  }
  const log = createLogger({ level: config.logLevel });
  const kubeConfig = loadKubeConfig(config.kubeconfig);
  log.info('starting', { server: kubeConfig.getCurrentCluster()?.server, namespace: config.namespace ?? '(all)', image: config.settings.serverImage });
  const operator = await startOperator({
    kubeConfig,
    settings: config.settings,
    namespace: config.namespace,
    leaderElection: config.leaderElection,
    http: config.http,
    workers: config.workers,
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
