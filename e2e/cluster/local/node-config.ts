// What the one node of the `local` cluster is configured with: pure functions from a few addresses to file contents.
import { stringify } from 'yaml';

export const NODE_NAME = 'vernier-node';
/** The bridge the CNI plugin puts pods on; its address is also the node's InternalIP and the cluster DNS address. */
export const BRIDGE_NAME = 'vernier0';
export const POD_CIDR = '10.88.0.0/16';
export const NODE_IP = '10.88.0.1';
export const CLUSTER_DOMAIN = 'cluster.local';
/** The image containerd runs as each pod's sandbox; built locally by e2e/image/build-pause.sh. */
export const PAUSE_IMAGE = 'vernier.local/pause:0.1.0';
export const CNI_BIN_DIR = '/usr/lib/cni';
export const CONTAINERD_SOCKET = '/run/containerd/containerd.sock';
export const CNI_NETWORK_NAME = 'vernier';

export interface ContainerdConfigInput {
  cniConfDir: string;
  runcPath: string;
}

/** containerd 1.6/1.7 (config version 2): CRI with runc, cgroupfs, overlayfs and our CNI directory. */
export function containerdConfig(input: ContainerdConfigInput): string {
  return `version = 2
root = "/var/lib/containerd"
state = "/run/containerd"
[grpc]
  address = "${CONTAINERD_SOCKET}"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${PAUSE_IMAGE}"
  enable_selinux = false
  # Some hosts (VMs, nested containers) refuse to lower oom_score_adj even to root; never ask below our own.
  restrict_oom_score_adj = true
  # The node only ever runs locally built images; nothing is pulled.
  max_concurrent_downloads = 1
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        BinaryName = "${input.runcPath}"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "${CNI_BIN_DIR}"
    conf_dir = "${input.cniConfDir}"
`;
}

/** bridge + host-local + portmap (+ loopback, which containerd adds itself from the same bin dir). */
export function cniConflist(): string {
  return JSON.stringify(
    {
      cniVersion: '1.0.0',
      name: CNI_NETWORK_NAME,
      plugins: [
        {
          type: 'bridge',
          bridge: BRIDGE_NAME,
          isGateway: true,
          ipMasq: false,
          // A pod reaching its own Service's ClusterIP is sent back to itself through the bridge.
          hairpinMode: true,
          ipam: { type: 'host-local', ranges: [[{ subnet: POD_CIDR, gateway: NODE_IP }]], routes: [{ dst: '0.0.0.0/0' }] },
        },
        { type: 'portmap', capabilities: { portMappings: true } },
      ],
    },
    null,
    2,
  );
}

export interface KubeletConfigInput {
  cgroupV1: boolean;
  resolvConf: string;
  staticPodDir: string;
  healthzPort: number;
  clientCaFile: string;
}

export function kubeletConfig(input: KubeletConfigInput): string {
  const config: Record<string, unknown> = {
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    address: NODE_IP,
    healthzBindAddress: '127.0.0.1',
    healthzPort: input.healthzPort,
    readOnlyPort: 0,
    cgroupDriver: 'cgroupfs',
    containerRuntimeEndpoint: `unix://${CONTAINERD_SOCKET}`,
    failSwapOn: false,
    // The API server of the test control plane has no kubelet client certificate; `kubectl logs` must still work.
    // The kubelet listens on the node's bridge address only, which nothing outside this machine can reach.
    authentication: {
      anonymous: { enabled: true },
      webhook: { enabled: false },
      x509: { clientCAFile: input.clientCaFile },
    },
    authorization: { mode: 'AlwaysAllow' },
    clusterDomain: CLUSTER_DOMAIN,
    clusterDNS: [NODE_IP],
    resolvConf: input.resolvConf,
    podCIDR: POD_CIDR,
    staticPodPath: input.staticPodDir,
    // A shared development disk is often fuller than kubelet's defaults allow; evict only when it is really full.
    evictionHard: { 'memory.available': '100Mi', 'nodefs.available': '1%', 'imagefs.available': '1%', 'nodefs.inodesFree': '1%' },
    // Images cannot be pulled again once collected: never collect them.
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    serializeImagePulls: false,
    registerNode: true,
    maxPods: 110,
    // Nothing else runs kubelet here; quick status updates make tests faster.
    nodeStatusUpdateFrequency: '5s',
    syncFrequency: '10s',
    fileCheckFrequency: '10s',
    protectKernelDefaults: false,
    makeIPTablesUtilChains: true,
    localStorageCapacityIsolation: true,
  };
  // Kubernetes >= 1.35 refuses cgroup v1 unless told otherwise.
  if (input.cgroupV1) config.failCgroupV1 = false;
  return stringify(config);
}

export interface KubeProxyConfigInput {
  kubeconfigPath: string;
  healthzPort: number;
  metricsPort: number;
}

export function kubeProxyConfig(input: KubeProxyConfigInput): string {
  return stringify({
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
    kind: 'KubeProxyConfiguration',
    mode: 'iptables',
    hostnameOverride: NODE_NAME,
    bindAddress: NODE_IP,
    clusterCIDR: POD_CIDR,
    healthzBindAddress: `127.0.0.1:${input.healthzPort}`,
    metricsBindAddress: `127.0.0.1:${input.metricsPort}`,
    clientConnection: { kubeconfig: input.kubeconfigPath },
    // Leave the host's conntrack sysctls alone (they may be read-only in a VM).
    conntrack: { maxPerCore: 0, min: 0 },
    nodePortAddresses: [`${NODE_IP}/32`],
  });
}

/** CoreDNS on the node: cluster names from the API server; everything else is refused (no upstream here). */
export function corefile(input: { kubeconfigPath: string; port: number; healthPort: number }): string {
  return `.:${input.port} {
    bind ${NODE_IP}
    errors
    health 127.0.0.1:${input.healthPort}
    kubernetes ${CLUSTER_DOMAIN} in-addr.arpa ip6.arpa {
        kubeconfig ${input.kubeconfigPath}
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
        ttl 5
    }
    cache 5
}
`;
}

/** The resolv.conf kubelet gives pods with dnsPolicy Default, and the one CoreDNS would read: no upstream. */
export function nodeResolvConf(): string {
  return `nameserver ${NODE_IP}\noptions ndots:1\n`;
}
