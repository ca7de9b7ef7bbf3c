// The server Deployment an InferenceService should have: a pure function of its spec and the operator's settings.
import type { V1Container, V1Deployment } from '@kubernetes/client-node';
import { encodeServeArgs, serveOptionsFor } from '../../contracts/index.js';
import type { InferenceServiceSpec } from '../../crds/index.js';
import { deploymentName, labelsFor, namespaceOf, ownerReference, serverSelector, type Owner } from '../labels.js';
import { GPU_RESOURCE, PROBE_PORT, SERVER_PORT, type OperatorSettings } from '../settings.js';
import { modelSource } from './model-source.js';
import {
  restrictedContainerSecurityContext,
  restrictedPodSecurityContext,
  TMP_MOUNT,
  TMP_VOLUME,
  VERNIER_COMMAND,
} from './pod-security.js';

export const SERVER_CONTAINER = 'server';

/** Tells a Prometheus that discovers pods by annotation where the server's metrics are. */
export const PROMETHEUS_ANNOTATIONS = {
  'prometheus.io/scrape': 'true',
  'prometheus.io/port': String(SERVER_PORT),
  'prometheus.io/path': '/metrics',
};

/** GPU nodes are usually tainted so that only pods asking for a GPU land there. */
export const GPU_TOLERATION = { key: GPU_RESOURCE, operator: 'Exists', effect: 'NoSchedule' };

/** `vernier serve` with the spec's model, strategy and knobs (the flags `vernier run` uses too), listening for the Service. */
export function serverArgs(spec: InferenceServiceSpec, settings: OperatorSettings): string[] {
  return [
    'serve',
    ...encodeServeArgs({
      ...serveOptionsFor(spec),
      host: '0.0.0.0',
      port: SERVER_PORT,
      probePort: PROBE_PORT,
      shutdownDelayMs: settings.shutdownDelayMs,
      drainTimeoutMs: settings.drainTimeoutMs,
    }),
  ];
}

/** The server's image: the spec's, else the CUDA build for a GPU provider (the CPU image stays small). */
export function serverImage(spec: InferenceServiceSpec, settings: OperatorSettings): string {
  return spec.image ?? (spec.provider.type === 'nvidia-t4' ? settings.cudaServerImage : settings.serverImage);
}

function resources(spec: InferenceServiceSpec): V1Container['resources'] {
  const requests: Record<string, string> = { ...(spec.resources?.requests ?? {}) };
  const limits: Record<string, string> = { ...(spec.resources?.limits ?? {}) };
  if (spec.provider.type === 'nvidia-t4') limits[GPU_RESOURCE] = '1';
  const out: V1Container['resources'] = {};
  if (Object.keys(requests).length > 0) out.requests = requests;
  if (Object.keys(limits).length > 0) out.limits = limits;
  return out;
}

function nodeSelector(spec: InferenceServiceSpec, settings: OperatorSettings): Record<string, string> | undefined {
  // The spec's own selector wins whole: GPU nodes are labelled differently per cloud, and a merge would demand both.
  const implied = spec.provider.type === 'nvidia-t4' ? settings.gpuNodeSelector : {};
  const selector = spec.provider.nodeSelector ?? implied;
  return Object.keys(selector).length > 0 ? { ...selector } : undefined;
}

export function desiredDeployment(isvc: Owner, settings: OperatorSettings, replicas = isvc.spec.replicas): V1Deployment {
  const spec = isvc.spec;
  const labels = labelsFor(isvc, 'server');
  const model = modelSource(spec.model);
  const image = serverImage(spec, settings);
  const imagePullPolicy = spec.imagePullPolicy ?? settings.imagePullPolicy;
  const gpu = spec.provider.type === 'nvidia-t4';
  const server: V1Container = {
    name: SERVER_CONTAINER,
    image,
    imagePullPolicy,
    command: VERNIER_COMMAND,
    args: serverArgs(spec, settings),
    ports: [
      { name: 'http', containerPort: SERVER_PORT, protocol: 'TCP' },
      { name: 'probes', containerPort: PROBE_PORT, protocol: 'TCP' },
    ],
    // The probe port answers from a thread of its own, so a busy server still answers on time. The margins stay: a
    // server is taken out of the Service only after 15 s of failed readiness, since that moves its load onto the others.
    readinessProbe: { httpGet: { path: '/v2/health/ready', port: 'probes' }, periodSeconds: 5, timeoutSeconds: 5, failureThreshold: 3 },
    livenessProbe: { httpGet: { path: '/v2/health/live', port: 'probes' }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
    // Loading a large model can take a while; liveness only starts counting once the server answers.
    startupProbe: { httpGet: { path: '/v2/health/live', port: 'probes' }, periodSeconds: 2, timeoutSeconds: 2, failureThreshold: 90 },
    resources: resources(spec),
    securityContext: restrictedContainerSecurityContext(),
    volumeMounts: [TMP_MOUNT, ...model.mounts],
    terminationMessagePolicy: 'FallbackToLogsOnError',
  };
  const initContainers: V1Container[] = model.initContainers.map((init) => ({
    ...init,
    image,
    imagePullPolicy,
    securityContext: restrictedContainerSecurityContext(),
    volumeMounts: [TMP_MOUNT, ...init.volumeMounts],
    terminationMessagePolicy: 'FallbackToLogsOnError',
  }));
  const graceSeconds = Math.ceil((settings.shutdownDelayMs + settings.drainTimeoutMs) / 1000) + 5;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: deploymentName(isvc),
      namespace: namespaceOf(isvc),
      labels,
      ownerReferences: [ownerReference(isvc)],
    },
    spec: {
      replicas,
      revisionHistoryLimit: 3,
      selector: { matchLabels: serverSelector(isvc) },
      template: {
        metadata: { labels, annotations: { ...PROMETHEUS_ANNOTATIONS } },
        spec: {
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: restrictedPodSecurityContext(),
          terminationGracePeriodSeconds: graceSeconds,
          ...(initContainers.length > 0 ? { initContainers } : {}),
          containers: [server],
          volumes: [TMP_VOLUME, ...model.volumes],
          ...(nodeSelector(spec, settings) ? { nodeSelector: nodeSelector(spec, settings) } : {}),
          ...(gpu ? { tolerations: [GPU_TOLERATION] } : {}),
        },
      },
    },
  };
}

