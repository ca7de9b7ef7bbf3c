import type { ControlPlanePki } from './pki.js';

const LOOPBACK = '127.0.0.1';
export const SERVICE_CLUSTER_IP_RANGE = '10.96.0.0/16';
export const SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc.cluster.local';

export interface EtcdConfig {
  dataDir: string;
  clientPort: number;
  peerPort: number;
}

export function etcdClientUrl(cfg: Pick<EtcdConfig, 'clientPort'>): string {
  return `http://${LOOPBACK}:${cfg.clientPort}`;
}

export function etcdArgs(cfg: EtcdConfig): string[] {
  const client = etcdClientUrl(cfg);
  const peer = `http://${LOOPBACK}:${cfg.peerPort}`;
  return [
    '--name=vernier-test',
    `--data-dir=${cfg.dataDir}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=vernier-test=${peer}`,
    // Throwaway test data on a shared disk: durability is not worth the fsync latency.
    '--unsafe-no-fsync=true',
    '--log-level=warn',
  ];
}

export interface ApiServerConfig {
  etcdClientPort: number;
  securePort: number;
  certDir: string;
  pki: ControlPlanePki;
}

export function apiServerUrl(cfg: Pick<ApiServerConfig, 'securePort'>): string {
  return `https://${LOOPBACK}:${cfg.securePort}`;
}

export function apiServerArgs(cfg: ApiServerConfig): string[] {
  return [
    `--etcd-servers=${etcdClientUrl({ clientPort: cfg.etcdClientPort })}`,
    `--bind-address=${LOOPBACK}`,
    `--advertise-address=${LOOPBACK}`,
    `--secure-port=${cfg.securePort}`,
    `--cert-dir=${cfg.certDir}`,
    `--tls-cert-file=${cfg.pki.servingCert}`,
    `--tls-private-key-file=${cfg.pki.servingKey}`,
    `--client-ca-file=${cfg.pki.caCert}`,
    `--service-account-issuer=${SERVICE_ACCOUNT_ISSUER}`,
    `--service-account-key-file=${cfg.pki.serviceAccountPub}`,
    `--service-account-signing-key-file=${cfg.pki.serviceAccountKey}`,
    `--service-cluster-ip-range=${SERVICE_CLUSTER_IP_RANGE}`,
    // RBAC alone, so tests can check that the operator's ClusterRole is sufficient.
    '--authorization-mode=RBAC',
    '--allow-privileged=true',
    // A loopback advertise address may not be written into the kubernetes Endpoints; nothing here routes to it anyway.
    '--endpoint-reconciler-type=none',
    // Close open watches on SIGTERM; otherwise shutdown waits for clients to hang up before the process exits.
    '--shutdown-watch-termination-grace-period=2s',
    '--profiling=false',
  ];
}

export interface ControllerManagerConfig {
  kubeconfigPath: string;
  securePort: number;
  certDir: string;
  pki: ControlPlanePki;
}

export function controllerManagerHealthUrl(cfg: Pick<ControllerManagerConfig, 'securePort'>): string {
  return `https://${LOOPBACK}:${cfg.securePort}/healthz`;
}

export function controllerManagerArgs(cfg: ControllerManagerConfig): string[] {
  return [
    `--kubeconfig=${cfg.kubeconfigPath}`,
    `--authentication-kubeconfig=${cfg.kubeconfigPath}`,
    `--authorization-kubeconfig=${cfg.kubeconfigPath}`,
    `--bind-address=${LOOPBACK}`,
    `--secure-port=${cfg.securePort}`,
    `--cert-dir=${cfg.certDir}`,
    // All default controllers: garbage collector, deployment, replicaset, job, namespace, serviceaccount, ...
    '--controllers=*',
    '--leader-elect=false',
    '--use-service-account-credentials=false',
    `--service-account-private-key-file=${cfg.pki.serviceAccountKey}`,
    `--root-ca-file=${cfg.pki.caCert}`,
    `--cluster-signing-cert-file=${cfg.pki.caCert}`,
    `--cluster-signing-key-file=${cfg.pki.caKey}`,
    '--cluster-name=vernier-test',
    '--profiling=false',
  ];
}
