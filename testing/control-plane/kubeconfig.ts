import { stringify } from 'yaml';

export interface KubeconfigInput {
  server: string;
  caPem: string;
  clientCertPem: string;
  clientKeyPem: string;
  /** Names the cluster, user and context. */
  name?: string;
}

const base64 = (pem: string): string => Buffer.from(pem, 'utf8').toString('base64');

/** A kubeconfig with one cluster (verified against the CA) and one client-certificate user. */
export function renderKubeconfig(input: KubeconfigInput): string {
  if (!/^https:\/\/[^/]+$/.test(input.server)) {
    throw new Error(`kubeconfig server must be an https URL without a path, got ${JSON.stringify(input.server)}`);
  }
  const name = input.name ?? 'vernier-test';
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server: input.server, 'certificate-authority-data': base64(input.caPem) } }],
    users: [
      {
        name,
        user: { 'client-certificate-data': base64(input.clientCertPem), 'client-key-data': base64(input.clientKeyPem) },
      },
    ],
    contexts: [{ name, context: { cluster: name, user: name } }],
    'current-context': name,
    preferences: {},
  });
}
