// The Service in front of the server pods: a pure function of the InferenceService.
import type { V1Service } from '@kubernetes/client-node';
import { labelsFor, namespaceOf, ownerReference, serverSelector, serviceName, type Owner } from '../labels.js';
import { SERVER_PORT } from '../settings.js';
import { PROMETHEUS_ANNOTATIONS } from './deployment.js';

export function desiredService(isvc: Owner): V1Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: serviceName(isvc),
      namespace: namespaceOf(isvc),
      labels: labelsFor(isvc, 'server'),
      annotations: { ...PROMETHEUS_ANNOTATIONS },
      ownerReferences: [ownerReference(isvc)],
    },
    spec: {
      type: 'ClusterIP',
      selector: serverSelector(isvc),
      ports: [{ name: 'http', port: SERVER_PORT, targetPort: 'http', protocol: 'TCP' }],
    },
  };
}
