// The kube-apiserver audit settings of a scale run: every request of one user (the operator's service account) at
// Metadata level, in JSON lines, nothing of anyone else, so the log counts exactly what the operator asked for.
import { stringify } from 'yaml';

/** The username the API server gives a service account's token. */
export const serviceAccountUser = (namespace: string, name: string): string => `system:serviceaccount:${namespace}:${name}`;

export function auditPolicy(user: string): Record<string, unknown> {
  return {
    apiVersion: 'audit.k8s.io/v1',
    kind: 'Policy',
    // RequestReceived would double the lines; ResponseStarted stays, it is the only record of a watch still open.
    omitStages: ['RequestReceived'],
    rules: [
      { level: 'Metadata', users: [user] },
      { level: 'None' },
    ],
  };
}

export const auditPolicyYaml = (user: string): string => stringify(auditPolicy(user));

export function auditApiServerArgs(policyPath: string, logPath: string): string[] {
  return [
    `--audit-policy-file=${policyPath}`,
    `--audit-log-path=${logPath}`,
    '--audit-log-format=json',
    // Written before the response is sent, so the log is complete whenever it is read.
    '--audit-log-mode=blocking',
    // The default rotates at 100 MB, and a rotated file would drop out of the count.
    '--audit-log-maxsize=0',
  ];
}
