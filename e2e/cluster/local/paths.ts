// Where the `local` cluster keeps its state: one directory, so `cluster:down` knows everything it must remove.
import { join } from 'node:path';

export interface ClusterPaths {
  root: string;
  controlPlane: string;
  kubeconfig: string;
  /** Written once every component is ready; its presence plus a live supervisor means "up". */
  readyFile: string;
  supervisorPid: string;
  supervisorLog: string;
  pidDir: string;
  logDir: string;
  cniConfDir: string;
  containerdConfig: string;
  kubeletRoot: string;
  kubeletConfig: string;
  kubeProxyConfig: string;
  corefile: string;
  resolvConf: string;
  staticPods: string;
}

export function clusterPaths(root: string = process.env.VERNIER_CLUSTER_DIR || '/tmp/vernier-cluster'): ClusterPaths {
  const node = join(root, 'node');
  return {
    root,
    controlPlane: join(root, 'control-plane'),
    kubeconfig: join(root, 'kubeconfig'),
    readyFile: join(root, 'ready.json'),
    supervisorPid: join(root, 'supervisor.pid'),
    supervisorLog: join(root, 'logs', 'supervisor.log'),
    pidDir: join(root, 'pids'),
    logDir: join(root, 'logs'),
    cniConfDir: join(node, 'cni', 'net.d'),
    containerdConfig: join(node, 'containerd.toml'),
    kubeletRoot: join(node, 'kubelet'),
    kubeletConfig: join(node, 'kubelet.yaml'),
    kubeProxyConfig: join(node, 'kube-proxy.yaml'),
    corefile: join(node, 'Corefile'),
    resolvConf: join(node, 'resolv.conf'),
    staticPods: join(node, 'static-pods'),
  };
}

/** What `ready.json` holds. */
export interface ClusterInfo {
  provider: 'local';
  kubeconfig: string;
  server: string;
  k8sVersion: string;
  etcdVersion: string;
  containerdVersion: string;
  nodeName: string;
  startupMs: number;
  supervisorPid: number;
}
