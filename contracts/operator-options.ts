// `vernier operator`: every flag, its bounds, default and help (the chart's Deployment passes these).
import { z } from 'zod';
import { PULL_POLICIES } from '../crds/index.js';
import type { CommandLine } from './options-codec.js';

export const OPERATOR_LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

const int = (min: number, max: number) => z.int({ error: `expected an integer from ${min} to ${max}` }).min(min, `expected an integer from ${min} to ${max}`).max(max, `expected an integer from ${min} to ${max}`);

/** `key=value,key2=value2` → record. */
const selector = z.string().transform((text, ctx) => {
  const out: Record<string, string> = {};
  if (text.trim() === '') return out;
  for (const pair of text.split(',')) {
    const eq = pair.indexOf('=');
    const key = pair.slice(0, eq).trim();
    if (eq <= 0 || key === '') {
      ctx.addIssue({ code: 'custom', message: `expected key=value pairs separated by commas, got '${pair}' in '${text}'` });
      return z.NEVER;
    }
    out[key] = pair.slice(eq + 1).trim();
  }
  return out;
});

/** Reconciles at once: each mostly waits on the API server (measured with npm run bench:operator). */
export const DEFAULT_WORKERS = 4;
/** How often every InferenceService is reconciled again from the cache; it costs CPU, not API requests. */
export const DEFAULT_RESYNC_MINUTES = 60;

export const OperatorOptions = z.strictObject({
  kubeconfig: z.string().min(1).optional(),
  namespace: z.string().min(1).optional(),
  serverImage: z.string().min(1).optional(),
  cudaServerImage: z.string().min(1).optional(),
  imagePullPolicy: z.enum(PULL_POLICIES, { error: `expected ${PULL_POLICIES.slice(0, -1).join(', ')} or ${PULL_POLICIES.at(-1)}` }).optional(),
  gpuNodeSelector: selector.optional(),
  benchmarkTtlSeconds: int(0, 2_592_000).optional(),
  leaderElect: z.boolean().default(false),
  leaderElectionNamespace: z.string().min(1).optional(),
  leaderElectionId: z.string().min(1).default('vernier-operator'),
  leaseDurationSeconds: int(2, 3600).default(15),
  metricsHost: z.string().min(1).default('0.0.0.0'),
  metricsPort: int(0, 65535).default(8081),
  workers: int(1, 64).default(DEFAULT_WORKERS),
  resyncMinutes: int(1, 10_080).default(DEFAULT_RESYNC_MINUTES),
  logLevel: z.enum(OPERATOR_LOG_LEVELS).default('info'),
});
export type OperatorOptions = z.output<typeof OperatorOptions>;

export function operatorCommandLine(defaultImage: string): CommandLine<typeof OperatorOptions> {
  return {
    command: 'vernier operator',
    synopsis: [
      'usage: vernier operator [options]',
      '',
      'Runs the InferenceService controller: serves each model with a Deployment and a Service,',
      'benchmarks every new spec with a Job and writes the result and the SLA verdict to status.',
      'It uses --kubeconfig, else $KUBECONFIG, else ~/.kube/config, else the in-cluster service account.',
    ].join('\n'),
    schema: OperatorOptions,
    docs: {
      kubeconfig: 'kubeconfig to use',
      namespace: 'watch only this namespace (default: all namespaces)',
      serverImage: `image of the server and benchmark pods (default ${defaultImage})`,
      cudaServerImage: `image of the server pods of provider nvidia-t4 (default: the server image's tag + -cuda, ${defaultImage}-cuda)`,
      imagePullPolicy: `${PULL_POLICIES.join(' | ')} (default IfNotPresent)`,
      gpuNodeSelector: 'node labels K=V,... for provider nvidia-t4 (default nvidia.com/gpu.product=Tesla-T4)',
      benchmarkTtlSeconds: 'keep finished benchmark Jobs this long (default 600)',
      leaderElect: 'run only while holding a Lease (for several replicas)',
      leaderElectionNamespace: "namespace of the Lease (default: the pod's namespace, else default)",
      leaderElectionId: 'name of the Lease (default vernier-operator)',
      leaseDurationSeconds: 'lease duration (default 15)',
      metricsHost: 'address of /metrics, /healthz, /readyz (default 0.0.0.0)',
      metricsPort: 'port of /metrics, /healthz, /readyz (default 8081; 0 picks a free port)',
      workers: `reconciles running at once (default ${DEFAULT_WORKERS})`,
      resyncMinutes: `reconcile every InferenceService again from the cache this often (default ${DEFAULT_RESYNC_MINUTES})`,
      logLevel: `${OPERATOR_LOG_LEVELS.join(' | ')} (default info)`,
    },
  };
}
