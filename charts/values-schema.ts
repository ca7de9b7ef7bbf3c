// The chart's values, as a zod schema: `npm run generate` turns it into charts/vernier/values.schema.json, which
// Helm checks every install, upgrade, template and lint against. Every object is strict, so a misspelt key fails.
import { z } from 'zod';
import { PULL_POLICIES, QUANTITY } from '../crds/index.js';
import { LEVELS, type Level } from '../operator/log.js';

const stringMap = (what: string) => z.record(z.string(), z.string()).describe(what);
const port = () => z.int().min(1).max(65535);
/** Prometheus duration: 30s, 1m, 1m30s, ... */
const duration = (what: string) =>
  z
    .string()
    .regex(/^(\d+(ms|s|m|h))+$/)
    .describe(what);
const quantity = z.union([z.string().regex(QUANTITY), z.number().min(0)]);

/** The fields of core/v1 ResourceRequirements a values file sets. */
const Resources = z
  .strictObject({
    requests: z.record(z.string(), quantity),
    limits: z.record(z.string(), quantity),
  })
  .partial()
  .describe('Requests and limits of the operator container (core/v1 ResourceRequirements).');

const SeccompProfile = z
  .strictObject({ type: z.enum(['RuntimeDefault', 'Localhost', 'Unconfined']), localhostProfile: z.string() })
  .partial();
const SeLinuxOptions = z.strictObject({ user: z.string(), role: z.string(), type: z.string(), level: z.string() }).partial();
const AppArmorProfile = z
  .strictObject({ type: z.enum(['RuntimeDefault', 'Localhost', 'Unconfined']), localhostProfile: z.string() })
  .partial();
const userId = () => z.int().min(0);

/** core/v1 PodSecurityContext, field for field, so a typo (runAsNonroot) is refused rather than ignored. */
const PodSecurityContext = z
  .strictObject({
    runAsNonRoot: z.boolean(),
    runAsUser: userId(),
    runAsGroup: userId(),
    fsGroup: userId(),
    fsGroupChangePolicy: z.enum(['OnRootMismatch', 'Always']),
    supplementalGroups: z.array(userId()),
    supplementalGroupsPolicy: z.enum(['Merge', 'Strict']),
    seccompProfile: SeccompProfile,
    seLinuxOptions: SeLinuxOptions,
    seLinuxChangePolicy: z.enum(['Recursive', 'MountOption']),
    appArmorProfile: AppArmorProfile,
    sysctls: z.array(z.strictObject({ name: z.string(), value: z.string() })),
  })
  .partial()
  .describe('Security context of the operator pod (core/v1 PodSecurityContext).');

/** core/v1 SecurityContext of a container. */
const ContainerSecurityContext = z
  .strictObject({
    allowPrivilegeEscalation: z.boolean(),
    readOnlyRootFilesystem: z.boolean(),
    privileged: z.boolean(),
    capabilities: z.strictObject({ add: z.array(z.string()), drop: z.array(z.string()) }).partial(),
    runAsNonRoot: z.boolean(),
    runAsUser: userId(),
    runAsGroup: userId(),
    procMount: z.enum(['Default', 'Unmasked']),
    seccompProfile: SeccompProfile,
    seLinuxOptions: SeLinuxOptions,
    appArmorProfile: AppArmorProfile,
  })
  .partial()
  .describe('Security context of the operator container (core/v1 SecurityContext).');

const Toleration = z
  .strictObject({
    key: z.string(),
    operator: z.enum(['Exists', 'Equal']),
    value: z.string(),
    effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']),
    tolerationSeconds: z.int(),
  })
  .partial();

/** core/v1 Affinity: its three kinds are checked by name, their terms are passed through to the API server. */
const Affinity = z
  .strictObject({
    nodeAffinity: z.record(z.string(), z.unknown()),
    podAffinity: z.record(z.string(), z.unknown()),
    podAntiAffinity: z.record(z.string(), z.unknown()),
  })
  .partial()
  .describe('Scheduling affinity of the operator pod (core/v1 Affinity).');

export const ChartValues = z
  .strictObject({
    // Helm gives every chart a `global` map (shared with subcharts); the chart itself reads nothing from it.
    global: z.record(z.string(), z.unknown()),
    nameOverride: z.string().describe('Replaces the chart name in the names of the objects.'),
    fullnameOverride: z.string().describe('Replaces the full name (release-chart) of the objects.'),
    replicaCount: z.int().min(0).describe('Operator pods; with more than one, keep leaderElection.enabled.'),
    image: z
      .strictObject({
        repository: z.string().min(1).describe('Repository of the Vernier image.'),
        tag: z.string().describe("Tag of the image; empty means the chart's appVersion."),
        pullPolicy: z.enum(PULL_POLICIES).describe('Pull policy of the operator container.'),
      })
      .partial(),
    imagePullSecrets: z.array(z.strictObject({ name: z.string().min(1) })).describe('Secrets for pulling the operator image.'),
    serviceAccount: z
      .strictObject({
        create: z.boolean().describe("Create the operator's ServiceAccount."),
        name: z.string().describe('Name of the ServiceAccount; empty means the full name.'),
        annotations: stringMap('Annotations of the ServiceAccount.'),
        automountServiceAccountToken: z.boolean().describe('Mount the API token in the operator pod (the operator needs it).'),
      })
      .partial(),
    rbac: z
      .strictObject({ create: z.boolean().describe('Create the ClusterRole, the leader-election Role and their bindings.') })
      .partial(),
    crds: z
      .strictObject({
        enabled: z.boolean().describe('Install the InferenceService CRD with the chart.'),
        keep: z.boolean().describe('Annotate the CRD helm.sh/resource-policy: keep, so uninstalling leaves it (and every InferenceService).'),
      })
      .partial(),
    operator: z
      .strictObject({
        serverImage: z.string().describe("--server-image: image of server and benchmark pods; empty means the chart's image."),
        cudaServerImage: z.string().describe('--cuda-server-image: image of provider nvidia-t4 server pods; empty means the server image\'s tag + "-cuda".'),
        serverImagePullPolicy: z.enum(PULL_POLICIES).describe('--image-pull-policy of server and benchmark pods.'),
        watchNamespace: z.string().describe('--namespace: watch only this namespace; empty means all namespaces.'),
        gpuNodeSelector: stringMap("--gpu-node-selector: node labels for provider nvidia-t4; empty keeps the operator's default."),
        benchmarkTtlSeconds: z.int().min(0).max(2_592_000).describe('--benchmark-ttl-seconds: keep finished benchmark Jobs this long.'),
        workers: z.int().min(1).max(64).describe('--workers: reconciles running at once.'),
        resyncMinutes: z.int().min(1).max(10_080).describe('--resync-minutes: how often every InferenceService is reconciled again from the cache.'),
        logLevel: z.enum(LEVELS as [Level, ...Level[]]).describe('--log-level.'),
        extraArgs: z.array(z.string()).describe('More `vernier operator` flags, appended as given.'),
        extraEnv: z
          .array(z.strictObject({ name: z.string().min(1), value: z.string() }))
          .describe('Environment variables of the operator container (VERNIER_<FLAG> sets a flag).'),
      })
      .partial(),
    leaderElection: z
      .strictObject({
        enabled: z.boolean().describe('--leader-elect: reconcile only while holding a Lease.'),
        namespace: z.string().describe('--leader-election-namespace; empty means the release namespace.'),
        id: z.string().min(1).describe('--leader-election-id: name of the Lease.'),
        leaseDurationSeconds: z.int().min(2).max(3600).describe('--lease-duration-seconds.'),
      })
      .partial(),
    metrics: z
      .strictObject({
        port: port().describe('--metrics-port: container port of /metrics, /healthz and /readyz.'),
        service: z
          .strictObject({
            enabled: z.boolean().describe('Create a Service for the metrics port.'),
            type: z.enum(['ClusterIP', 'NodePort', 'LoadBalancer']),
            port: port(),
            annotations: stringMap('Annotations of the metrics Service.'),
          })
          .partial(),
      })
      .partial(),
    serviceMonitor: z
      .strictObject({
        enabled: z.boolean().describe('Create a Prometheus Operator ServiceMonitor (needs metrics.service.enabled).'),
        interval: duration('Scrape interval.'),
        scrapeTimeout: duration('Scrape timeout.'),
        labels: stringMap('Labels of the ServiceMonitor, e.g. the release label a Prometheus selects on.'),
      })
      .partial(),
    resources: Resources,
    podSecurityContext: PodSecurityContext,
    securityContext: ContainerSecurityContext,
    nodeSelector: stringMap('Node labels the operator pod requires.'),
    tolerations: z.array(Toleration).describe('Tolerations of the operator pod.'),
    affinity: Affinity,
    priorityClassName: z.string().describe('PriorityClass of the operator pod.'),
    podAnnotations: stringMap('Annotations of the operator pod.'),
    podLabels: stringMap('Extra labels of the operator pod.'),
  })
  .partial();

export type ChartValues = z.infer<typeof ChartValues>;

/** The JSON Schema (draft 7, understood by Helm 3 and 4) checked in as charts/vernier/values.schema.json. */
export function chartValuesJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(ChartValues, { target: 'draft-7', io: 'input', unrepresentable: 'throw', reused: 'inline', cycles: 'throw' });
  return { ...schema, title: 'Values of the Vernier Helm chart' };
}
