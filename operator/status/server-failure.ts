// Why the server pods do not come up, when they say so: `vernier serve` exits with its own codes (contracts/serve-options.ts)
// and ends its log with one line, which the kubelet keeps as the termination message (FallbackToLogsOnError).
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { SERVE_EXIT_CODES } from '../../contracts/index.js';
import { ConditionType, Reason, type ConditionDraft } from '../../crds/index.js';
import { SERVER_CONTAINER } from '../desired/deployment.js';

const REASON_BY_EXIT_CODE: ReadonlyMap<number, string> = new Map([
  [SERVE_EXIT_CODES.cudaUnavailable, Reason.CUDAUnavailable],
  [SERVE_EXIT_CODES.badModel, Reason.ModelLoadFailed],
]);

/** The Ready=False condition naming why a server container stopped, from the first pod whose server exited with a known code. */
export function serverFailureCondition(pods: readonly V1Pod[]): ConditionDraft | undefined {
  for (const pod of pods) {
    if (pod.metadata?.deletionTimestamp) continue;
    const server = pod.status?.containerStatuses?.find((c) => c.name === SERVER_CONTAINER);
    const terminated = server?.state?.terminated ?? server?.lastState?.terminated;
    const reason = terminated ? REASON_BY_EXIT_CODE.get(terminated.exitCode) : undefined;
    if (!terminated || !reason) continue;
    const line = (terminated.message ?? '').trimEnd().split('\n').at(-1) ?? '';
    const restarts = server?.restartCount ? `, restarted ${server.restartCount} time(s)` : '';
    return {
      type: ConditionType.Ready,
      status: 'False',
      reason,
      message: `server pod ${pod.metadata?.name ?? '?'} exited with code ${terminated.exitCode}${restarts}: ${line.replace(/^vernier serve: /, '') || '(no message)'}`,
    };
  }
  return undefined;
}

/** A rollout that has not moved for this long has its pods looked at, long before its progress deadline (10 min). */
export const STALLED_ROLLOUT_MS = 30_000;

/**
 * Milliseconds until a rollout that is not done counts as stalled (0: it does now), from the Deployment's Progressing
 * condition, whose lastUpdateTime the controller moves whenever the rollout progresses; undefined without one.
 */
export function msUntilStalled(deployment: V1Deployment | undefined, now: Date): number | undefined {
  const progressing = deployment?.status?.conditions?.find((c) => c.type === 'Progressing');
  const since = progressing?.lastUpdateTime ?? progressing?.lastTransitionTime;
  if (since === undefined) return undefined;
  const at = new Date(since as Date | string).getTime();
  return Number.isNaN(at) ? undefined : Math.max(0, at + STALLED_ROLLOUT_MS - now.getTime());
}
