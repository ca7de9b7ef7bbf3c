// The Ready condition: a pure function of the server Deployment's status.
import type { V1Deployment } from '@kubernetes/client-node';
import { ConditionType, Reason, type ConditionDraft } from '../../crds/index.js';

const ready = (status: ConditionDraft['status'], reason: string, message: string): ConditionDraft => ({ type: ConditionType.Ready, status, reason, message });

/**
 * True once the latest template is rolled out to every requested replica and they are all available. A service that
 * was Ready stays Ready while it only scales (every pod runs the current template and some are available), so the
 * condition does not flap with the load under autoscaling.
 */
export function readyCondition(deployment: V1Deployment | undefined, replicas: number, wasReady = false): ConditionDraft {
  if (!deployment) {
    return ready('False', Reason.DeploymentProgressing, 'the server Deployment does not exist yet');
  }
  const status = deployment.status ?? {};
  const name = deployment.metadata?.name ?? '(unnamed)';
  const progressing = status.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.status === 'False' && progressing.reason === 'ProgressDeadlineExceeded') {
    return ready(
      'False',
      Reason.DeploymentFailed,
      `Deployment ${name} stopped progressing: ${progressing.message ?? 'progress deadline exceeded'}; check its pods' events and logs`,
    );
  }
  const observed = (status.observedGeneration ?? 0) >= (deployment.metadata?.generation ?? 0);
  const available = status.availableReplicas ?? 0;
  const updated = status.updatedReplicas ?? 0;
  const total = status.replicas ?? 0;
  if (observed && updated === replicas && total === replicas && available >= replicas) {
    return ready('True', Reason.DeploymentAvailable, `${available}/${replicas} server pods available`);
  }
  if (wasReady && observed && updated === total && available > 0) {
    return ready('True', Reason.DeploymentAvailable, `${available}/${replicas} server pods available, scaling to ${replicas}`);
  }
  return ready('False', Reason.DeploymentProgressing, `${available}/${replicas} server pods available, ${updated} of them up to date`);
}
