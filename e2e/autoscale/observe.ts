// What the cluster did during a load, from two watches: the Deployment's replicas (asked for and ready) and the
// InferenceService's live figures and LatencyWithinSLA, each change with the time it was seen.
import type { Kubectl } from '../support/kubectl.js';
import { watchObject, type KubectlWatch, type WatchedLine } from '../support/kubectl-watch.js';

export interface ReplicaChange {
  /** ms since the epoch. */
  at: number;
  /** The Deployment's spec.replicas: pods asked for, ready or not. */
  replicas: number;
  ready: number;
}

export interface LiveObservation {
  at: number;
  /** LatencyWithinSLA's status: True, False, Unknown, or '' before it exists. */
  latencyWithinSla: string;
  rps?: number;
  p99Ms?: number;
  pods?: number;
  desiredReplicas?: number;
}

const REPLICAS_PATH = '{.spec.replicas}/{.status.readyReplicas}';
const LIVE_PATH =
  '{.status.conditions[?(@.type=="LatencyWithinSLA")].status}|{.status.live.rps}|{.status.live.p99Ms}|{.status.live.pods}|{.status.autoscaling.desiredReplicas}';

const numberOrUndefined = (text: string | undefined): number | undefined => (text === undefined || text === '' ? undefined : Number(text));

export function parseReplicaLine(line: WatchedLine): ReplicaChange | undefined {
  const [replicas, ready] = line.text.split('/');
  if (replicas === undefined || replicas === '') return undefined;
  return { at: line.at, replicas: Number(replicas), ready: Number(ready || 0) };
}

export function parseLiveLine(line: WatchedLine): LiveObservation {
  const [status, rps, p99, pods, desired] = line.text.split('|');
  return {
    at: line.at,
    latencyWithinSla: status ?? '',
    rps: numberOrUndefined(rps),
    p99Ms: numberOrUndefined(p99),
    pods: numberOrUndefined(pods),
    desiredReplicas: numberOrUndefined(desired),
  };
}

export interface Observer {
  replicaChanges(): ReplicaChange[];
  liveObservations(): LiveObservation[];
  /** The latest replica state, or undefined before the first event. */
  current(): ReplicaChange | undefined;
  stop(): Promise<void>;
}

/** Watches the Deployment and the InferenceService named `name` (they share it) until stop(), at most `maxDurationMs`. */
export function observe(kubectl: Kubectl, namespace: string, name: string, maxDurationMs: number): Observer {
  const replicas: KubectlWatch = watchObject(kubectl, namespace, `deployment/${name}`, REPLICAS_PATH, { maxDurationMs });
  const live: KubectlWatch = watchObject(kubectl, namespace, `inferenceservice/${name}`, LIVE_PATH, { maxDurationMs });
  const replicaChanges = (): ReplicaChange[] => replicas.lines.map(parseReplicaLine).filter((c): c is ReplicaChange => c !== undefined);
  return {
    replicaChanges,
    liveObservations: () => live.lines.map(parseLiveLine),
    current: () => replicaChanges().at(-1),
    stop: async () => {
      await Promise.all([replicas.stop(), live.stop()]);
    },
  };
}
