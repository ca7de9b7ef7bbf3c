#!/usr/bin/env bash
# Builds the kind node image vernier.local/kind-node:$K8S_VERSION on this machine, with no registry and nothing
# pulled: a Debian bookworm rootfs (mmdebstrap from the configured apt mirror: systemd, containerd, runc, CNI
# plugins, iptables, ...) + kubelet/kubeadm/kubectl (testing/control-plane/build-binaries.sh) + crictl + the
# runtime shim (runtime-shim/) + node/ (entrypoint, kubelet unit, containerd config, bridge CNI config, kind
# manifests) + the control-plane images preloaded into the node's containerd under the names kubeadm asks for
# (kube-apiserver, kube-controller-manager, kube-scheduler, kube-proxy with iptables, etcd, CoreDNS, pause), each
# packed by e2e/image/oci-archive.sh. Test infrastructure only.
# Idempotent: rebuilt only when an input changes (recorded in the image label vernier.node-key).
#
# Usage: build-node-image.sh                 build the image if missing or stale
#        build-node-image.sh --print-ref     print the image reference and exit
#        build-node-image.sh --print-config  print the kind cluster config this image needs (kind create --config)
#        build-node-image.sh --build-shim    build only the runtime shim; print its path
#        build-node-image.sh --debian-rootfs build only the cached Debian rootfs tar; print its path
# Environment: VERNIER_CACHE (default $HOME/.cache/vernier), VERNIER_DEBIAN_SOURCES (an apt sources file or a
#              mirror URL for mmdebstrap; default: this machine's Debian sources), VERNIER_CRICTL_VERSION
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../../.." && pwd)"
CACHE_ROOT="${VERNIER_CACHE:-$HOME/.cache/vernier}"
DIR="$CACHE_ROOT/kind-node"
BUILD_BINARIES="$REPO/testing/control-plane/build-binaries.sh"
env_value() { sed -n "s/^$1=//p" <<<"$2"; }
BIN_ENV="$(bash "$BUILD_BINARIES" --print-env)"
K8S_VERSION="$(env_value VERNIER_K8S_VERSION "$BIN_ENV")"
ETCD_VERSION="$(env_value VERNIER_ETCD_VERSION "$BIN_ENV")"
K8S_BIN="$(env_value VERNIER_K8S_BIN_DIR "$BIN_ENV")"
ETCD_BIN="$(env_value VERNIER_ETCD_BIN_DIR "$BIN_ENV")"
COREDNS="$(bash "$REPO/e2e/cluster/build-coredns.sh" --print-path)"
COREDNS_VERSION="$(sed -n 's|.*/coredns-\(v[^/]*\)/bin/coredns$|\1|p' <<<"$COREDNS")"
REF="vernier.local/kind-node:$K8S_VERSION"
# crictl in the node: `kind export logs` runs `crictl images`, and it is the tool to look into a node's containers.
CRICTL_VERSION="${VERNIER_CRICTL_VERSION:-v1.37.0}"
CRICTL="$CACHE_ROOT/cri-tools-$CRICTL_VERSION/bin/crictl"
SUITE=bookworm
# What the node runs besides the Kubernetes binaries (kubeadm's preflight needs losetup/mount/cp; kube-proxy's
# image takes its iptables from here; systemd is the node's init, as in kind's own images; runc's systemd cgroup
# driver talks to it over D-Bus).
PACKAGES=(containerd runc containernetworking-plugins iptables conntrack iproute2 ethtool socat ebtables kmod
  util-linux mount ca-certificates procps bash netbase systemd systemd-sysv dbus)

die() { echo "build-node-image: $*" >&2; exit 1; }
seconds_since() { echo $(( $(date +%s) - $1 )); }

# The kind cluster config this image needs; the image tags below match it.
print_config() {
  cat <<EOF
# kind cluster config for $REF (printed by e2e/cluster/kind/build-node-image.sh --print-config).
kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
networking:
  # kindnetd's image cannot be pulled here; the node has a bridge CNI config baked in (one node only).
  disableDefaultCNI: true
kubeadmConfigPatches:
- |
  kind: ClusterConfiguration
  # The etcd and CoreDNS this repository builds (kubeadm's defaults are other patch versions); preloaded under these tags.
  etcd:
    local:
      imageTag: "${ETCD_VERSION#v}-0"
  dns:
    imageTag: "$COREDNS_VERSION"
- |
  kind: InitConfiguration
  nodeRegistration:
    # On cgroup v1 kubeadm's system verification fails for kubelet >= 1.35 unless explicitly skipped.
    ignorePreflightErrors: [SystemVerification]
- |
  kind: JoinConfiguration
  nodeRegistration:
    ignorePreflightErrors: [SystemVerification]
- |
  kind: KubeletConfiguration
  # cgroup v1 must be allowed explicitly for kubelet >= 1.35 (no effect on cgroup v2).
  failCgroupV1: false
EOF
}

# The shim is built from source into the cache; its path depends on the source's hash.
shim_path() { echo "$CACHE_ROOT/kind-shim/$(sha256sum "$HERE/runtime-shim/main.go" | cut -c1-16)/vernier-runc-shim"; }
build_shim() {
  local out; out="$(shim_path)"
  if [ ! -x "$out" ]; then
    command -v go >/dev/null || die "'go' not found on PATH (needed to build the runtime shim)"
    mkdir -p "$(dirname "$out")"
    (cd "$HERE/runtime-shim" && GOTOOLCHAIN=local GOFLAGS=-buildvcs=false CGO_ENABLED=0 \
      nice -n 19 go build -trimpath -ldflags=-s -o "$out.tmp" main.go) >&2 || die "building the runtime shim failed"
    mv "$out.tmp" "$out"
  fi
  echo "$out"
}

# --- Debian rootfs (a tar, cached per package list and sources) -----------------------------------------------
if [ -n "${VERNIER_DEBIAN_SOURCES:-}" ]; then
  SOURCES="$VERNIER_DEBIAN_SOURCES"
elif [ -f /etc/apt/sources.list.d/debian.sources ]; then
  SOURCES=/etc/apt/sources.list.d/debian.sources
elif [ -f /etc/apt/sources.list ] && grep -q '^deb .*debian' /etc/apt/sources.list; then
  SOURCES=/etc/apt/sources.list
else
  SOURCES=http://deb.debian.org/debian
fi
sources_text() { if [ -f "$SOURCES" ]; then cat "$SOURCES"; else echo "$SOURCES"; fi; }

rootfs_key() { { echo "$SUITE ${PACKAGES[*]}"; sources_text; } | sha256sum | cut -c1-16; }
build_rootfs() {
  local tar t
  tar="$DIR/debian-$SUITE-$(rootfs_key).tar"
  if [ -f "$tar" ]; then echo "$tar"; return 0; fi
  mkdir -p "$DIR"
  command -v mmdebstrap >/dev/null || {
    echo "== installing mmdebstrap" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends mmdebstrap >/dev/null \
      || die "apt-get install mmdebstrap failed"
  }
  echo "== debian rootfs: mmdebstrap $SUITE (${#PACKAGES[@]} packages, sources: $SOURCES)" >&2
  t=$(date +%s)
  nice -n 15 ionice -c3 mmdebstrap --quiet --mode=root --variant=minbase --include="$(IFS=,; echo "${PACKAGES[*]}")" \
    --aptopt='APT::Install-Recommends "false"' \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    "$SUITE" "${tar%.tar}.tmp.tar" "$SOURCES" >&2 || die "mmdebstrap failed" # (the .tar suffix selects its format)
  mv "${tar%.tar}.tmp.tar" "$tar"
  echo "== debian rootfs: built in $(seconds_since "$t") s ($(du -h "$tar" | cut -f1))" >&2
  echo "$tar"
}

build_crictl() {
  [ -x "$CRICTL" ] && return 0
  command -v go >/dev/null || die "'go' not found on PATH (needed to build crictl $CRICTL_VERSION)"
  echo "== crictl: building sigs.k8s.io/cri-tools/cmd/crictl@$CRICTL_VERSION" >&2
  mkdir -p "$(dirname "$CRICTL")"
  GOBIN="$(dirname "$CRICTL")" GOTOOLCHAIN=local GOFLAGS="-mod=mod -buildvcs=false" CGO_ENABLED=0 nice -n 19 \
    go install -trimpath -ldflags "-s -w -X sigs.k8s.io/cri-tools/pkg/version.Version=$CRICTL_VERSION" \
    "sigs.k8s.io/cri-tools/cmd/crictl@$CRICTL_VERSION" >&2 || die "building crictl failed"
}

case "${1:-}" in
  --print-ref) echo "$REF"; exit 0 ;;
  --print-config) print_config; exit 0 ;;
  --build-shim) build_shim; exit 0 ;;
  --debian-rootfs) [ "$(id -u)" = 0 ] || die "must run as root (mmdebstrap)"; build_rootfs; exit 0 ;;
  "") ;;
  *) die "unknown argument '$1' (see the header of $0)" ;;
esac

[ "$(id -u)" = 0 ] || die "must run as root (mmdebstrap, a temporary containerd that unpacks the preloaded images)"
for tool in docker jq gcc tar sha256sum; do command -v "$tool" >/dev/null || die "'$tool' not found on PATH"; done
docker info >/dev/null 2>&1 || die "docker does not answer (run e2e/cluster/kind/setup.sh)"
START=$(date +%s)
step() { echo "== [$(seconds_since "$START")s] $*"; }

# --- inputs ----------------------------------------------------------------------------------------------------
step "binaries (build-binaries.sh, build-coredns.sh, build-pause.sh)"
bash "$BUILD_BINARIES" kubelet kubeadm kubectl kube-apiserver kube-controller-manager kube-scheduler kube-proxy etcd \
  | grep -E '^== ' || die "building the Kubernetes binaries failed"
bash "$REPO/e2e/cluster/build-coredns.sh" || die "building CoreDNS failed"
PAUSE_ARCHIVE="$(bash "$REPO/e2e/image/build-pause.sh")" || die "building the pause image failed"
SHIM="$(build_shim)"
build_crictl

key="$( {
  echo "$(rootfs_key) $K8S_VERSION $ETCD_VERSION $COREDNS_VERSION $CRICTL_VERSION"
  cat "$0" "$HERE"/node/* "$HERE/runtime-shim/main.go" "$REPO/e2e/image/oci-archive.sh"
  for f in kubelet kubeadm kubectl kube-apiserver kube-controller-manager kube-scheduler kube-proxy; do cat "$K8S_BIN/$f.recipe"; done
  cat "$ETCD_BIN/etcd.recipe" "$COREDNS.recipe" "$PAUSE_ARCHIVE.key"
} | sha256sum | cut -c1-16)"
if [ "$(docker image inspect --format '{{ index .Config.Labels "vernier.node-key" }}' "$REF" 2>/dev/null)" = "$key" ]; then
  step "$REF is up to date (key $key)"
  exit 0
fi

mkdir -p "$DIR"
exec 9>"$DIR/.build.lock"
flock -n 9 || { echo "== waiting for another build holding $DIR/.build.lock"; flock 9; }

ROOTFS_TAR="$(build_rootfs)"

work="$(mktemp -d "$DIR/work.XXXXXX")"
containerd_pid=""
cleanup() {
  set +e
  [ -n "$containerd_pid" ] && kill "$containerd_pid" 2>/dev/null && wait "$containerd_pid" 2>/dev/null
  # Anything the temporary containerd left mounted under the work folder.
  grep -o " $work/[^ ]*" /proc/mounts | sort -r | while read -r m; do umount -l "$m"; done
  rm -rf "$work"
}
trap cleanup EXIT
rootfs="$work/rootfs"
mkdir -p "$rootfs"
tar -xf "$ROOTFS_TAR" -C "$rootfs" --numeric-owner

# --- the node's own files ----------------------------------------------------------------------------------------
step "node files"
install -m 0755 -t "$rootfs/usr/bin" "$K8S_BIN/kubelet" "$K8S_BIN/kubeadm" "$K8S_BIN/kubectl" "$CRICTL"
echo "runtime-endpoint: unix:///run/containerd/containerd.sock" >"$rootfs/etc/crictl.yaml"
install -m 0755 "$SHIM" "$rootfs/usr/local/bin/vernier-runc-shim"
install -m 0755 "$HERE/node/vernier-node-entrypoint" "$HERE/node/vernier-kubelet-cgroups" "$rootfs/usr/local/bin/"
install -m 0644 "$HERE/node/kubelet.service" "$HERE/node/kubelet.slice" "$rootfs/etc/systemd/system/"
ln -sf /etc/systemd/system/kubelet.service "$rootfs/etc/systemd/system/multi-user.target.wants/kubelet.service"
# containerd.service (Debian's) is enabled by its package. No login prompt on the container's tty.
for unit in getty@tty1.service console-getty.service; do ln -sf /dev/null "$rootfs/etc/systemd/system/$unit"; done
mkdir -p "$rootfs/etc/containerd" "$rootfs/etc/cni/net.d" "$rootfs/kind/manifests" "$rootfs/etc/kubernetes/manifests" \
  "$rootfs/var/lib/kubelet" "$rootfs/var/log"
install -m 0644 "$HERE/node/10-vernier-bridge.conflist" "$rootfs/etc/cni/net.d/"
install -m 0644 "$HERE/node/default-cni.yaml" "$HERE/node/default-storage.yaml" "$rootfs/kind/manifests/"
echo "$K8S_VERSION" >"$rootfs/kind/version"
: >"$rootfs/etc/machine-id"
# No apt in a running node (nothing to fetch from), and no stale apt lists in the image.
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin

# --- control-plane images ----------------------------------------------------------------------------------------
step "control-plane images (names from kubeadm config images list)"
cat >"$work/kubeadm-images.yaml" <<EOF
apiVersion: kubeadm.k8s.io/v1beta4
kind: ClusterConfiguration
kubernetesVersion: $K8S_VERSION
etcd:
  local:
    imageTag: "${ETCD_VERSION#v}-0"
dns:
  imageTag: "$COREDNS_VERSION"
EOF
images="$("$K8S_BIN/kubeadm" config images list --config "$work/kubeadm-images.yaml")" || die "kubeadm config images list failed"
image_ref() { grep -E "/$1:" <<<"$images" | head -n1 | grep . || die "kubeadm lists no $1 image:"$'\n'"$images"; }
PAUSE_IMAGE="$(image_ref pause)"
sed "s|@PAUSE_IMAGE@|$PAUSE_IMAGE|" "$HERE/node/containerd-config.toml" >"$rootfs/etc/containerd/config.toml"

archives=()
# pack NAME REF ENTRYPOINT: $work/img/NAME (a rootfs) → $work/NAME.tar
pack() {
  bash "$REPO/e2e/image/oci-archive.sh" --rootfs "$work/img/$1" --ref "$2" --out "$work/$1.tar" \
    --entrypoint "$3" --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin >/dev/null \
    || die "packing $2 failed"
  archives+=("$work/$1.tar")
}
for name in kube-apiserver kube-controller-manager kube-scheduler; do
  mkdir -p "$work/img/$name/usr/local/bin"
  cp "$K8S_BIN/$name" "$work/img/$name/usr/local/bin/"
  pack "$name" "$(image_ref "$name")" "[\"/usr/local/bin/$name\"]"
done
mkdir -p "$work/img/etcd/usr/local/bin" "$work/img/etcd/var/lib/etcd"
cp "$ETCD_BIN/etcd" "$work/img/etcd/usr/local/bin/"
pack etcd "$(image_ref etcd)" '["/usr/local/bin/etcd"]'
mkdir -p "$work/img/coredns"
cp "$COREDNS" "$work/img/coredns/coredns"
pack coredns "$(image_ref coredns)" '["/coredns"]'

# kube-proxy runs iptables-restore: take iptables (nft backend, like the node's own), its extensions and the
# libraries they load from the node's rootfs (ldd in a chroot).
kp="$work/img/kube-proxy"
mkdir -p "$kp/usr/local/bin" "$kp/usr/sbin" "$kp/etc" "$kp/usr/lib/x86_64-linux-gnu" "$kp/run" "$kp/tmp"
cp "$K8S_BIN/kube-proxy" "$kp/usr/local/bin/"
cp -a "$rootfs/usr/sbin/xtables-nft-multi" "$kp/usr/sbin/"
for tool in iptables iptables-save iptables-restore ip6tables ip6tables-save ip6tables-restore; do
  ln -s xtables-nft-multi "$kp/usr/sbin/$tool"
done
cp -a "$rootfs/usr/lib/x86_64-linux-gnu/xtables" "$kp/usr/lib/x86_64-linux-gnu/"
cp -a "$rootfs/etc/protocols" "$rootfs/etc/services" "$rootfs/etc/ethertypes" "$kp/etc/" 2>/dev/null || true
libs="$(for f in /usr/sbin/xtables-nft-multi /usr/lib/x86_64-linux-gnu/xtables/*.so; do chroot "$rootfs" ldd "$f"; done \
  | grep -oE '(/usr)?/lib[^ ]*\.so[^ ]*' | sort -u)"
for lib in $libs; do
  mkdir -p "$kp$(dirname "$lib")"
  cp -L "$rootfs$lib" "$kp$lib"
done
[ -e "$kp/lib64" ] || ln -s usr/lib64 "$kp/lib64" 2>/dev/null || true
chroot "$kp" /usr/sbin/iptables --version >/dev/null || die "the kube-proxy image's iptables does not run"
pack kube-proxy "$(image_ref kube-proxy)" '["/usr/local/bin/kube-proxy"]'

# --- preload: a temporary containerd whose root is the node's /var/lib/containerd --------------------------------
step "preloading ${#archives[@]} images + pause into the node's containerd"
CONTAINERD="$(command -v containerd || echo "$rootfs/usr/bin/containerd")"
CTR="$(command -v ctr || echo "$rootfs/usr/bin/ctr")"
sock="$work/containerd.sock"
cat >"$work/containerd.toml" <<EOF
version = 2
root = "$rootfs/var/lib/containerd"
state = "$work/containerd-state"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs",
  "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs"]
[grpc]
  address = "$sock"
[ttrpc]
  address = "$sock.ttrpc"
EOF
"$CONTAINERD" --config "$work/containerd.toml" >"$work/containerd.log" 2>&1 &
containerd_pid=$!
for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.2; done
[ -S "$sock" ] || { cat "$work/containerd.log" >&2; die "the temporary containerd did not start"; }
for archive in "${archives[@]}" "$PAUSE_ARCHIVE"; do
  "$CTR" --address "$sock" --namespace k8s.io images import --snapshotter overlayfs "$archive" >/dev/null \
    || die "importing $archive failed"
done
"$CTR" --address "$sock" --namespace k8s.io images tag vernier.local/pause:0.1.0 "$PAUSE_IMAGE" >/dev/null
listed="$("$CTR" --address "$sock" --namespace k8s.io images list -q)"
while read -r image; do echo "   $image"; done <<<"$listed"
for image in $images; do grep -qxF "$image" <<<"$listed" || die "$image was not preloaded"; done
kill "$containerd_pid"; wait "$containerd_pid" 2>/dev/null || true; containerd_pid=""
rm -rf "$work/containerd-state"

# --- the image -------------------------------------------------------------------------------------------------
step "docker import $REF"
t=$(date +%s)
old_id="$(docker image inspect --format '{{.Id}}' "$REF" 2>/dev/null || true)"
tar -C "$rootfs" --numeric-owner -cf - . | nice -n 15 docker import \
  --change 'ENTRYPOINT ["/usr/local/bin/vernier-node-entrypoint"]' \
  --change 'ENV container=docker' \
  --change "LABEL vernier.node-key=$key" \
  - "$REF" >/dev/null || die "docker import failed"
# The image this one replaces would stay behind untagged; remove it unless a container still uses it.
if [ -n "$old_id" ] && [ "$old_id" != "$(docker image inspect --format '{{.Id}}' "$REF")" ]; then
  docker image rm "$old_id" >/dev/null 2>&1 || true
fi
step "built $REF in $(seconds_since "$START") s (import $(seconds_since "$t") s, $(docker image inspect --format '{{.Size}}' "$REF" | numfmt --to=iec))"
