#!/usr/bin/env bash
# Brings this machine to "kind can create a cluster" for VERNIER_E2E_PROVIDER=kind, with no container registry:
#   1. Debian packages: docker.io when no dockerd is installed, and jq, mmdebstrap, gcc for the node image;
#   2. runtime shim: only where this machine's capability bounding set lacks capabilities (privileged containers
#      fail otherwise), e2e/cluster/kind/runtime-shim registered as dockerd's default runtime;
#   3. dockerd started in the background when `docker info` fails (no systemd needed);
#   4. kind $KIND_VERSION built from its Go module into the cache;
#   5. the node image (build-node-image.sh) when Docker does not have it or it is older than its inputs.
# Idempotent: a second run only checks. Needs root (apt-get, /etc/docker, dockerd).
#
# Usage: setup.sh                 do all of the above
#        setup.sh --print-env     print KEY=VALUE lines (kind binary, node image, cluster config) and exit
# Environment: VERNIER_CACHE (default $HOME/.cache/vernier), VERNIER_KIND_VERSION (default below),
#              VERNIER_DOCKERD_LOG (default /var/log/dockerd.log)
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
KIND_VERSION="${VERNIER_KIND_VERSION:-v0.33.0}"
CACHE_ROOT="${VERNIER_CACHE:-$HOME/.cache/vernier}"
KIND_BIN="$CACHE_ROOT/kind-$KIND_VERSION/bin/kind"
SHIM_PATH=/usr/local/bin/vernier-runc-shim
SHIM_RUNTIME=vernier-runc
DAEMON_JSON=/etc/docker/daemon.json
DOCKERD_LOG="${VERNIER_DOCKERD_LOG:-/var/log/dockerd.log}"
NODE_IMAGE="$(bash "$HERE/build-node-image.sh" --print-ref)"
# The kind cluster config the node image needs, written by this script (build-node-image.sh --print-config).
KIND_CONFIG="$CACHE_ROOT/kind-node/cluster-${NODE_IMAGE##*:}.yaml"

print_env() {
  echo "VERNIER_KIND_BIN=$KIND_BIN"
  echo "VERNIER_KIND_NODE_IMAGE=$NODE_IMAGE"
  echo "VERNIER_KIND_CONFIG=$KIND_CONFIG"
}
case "${1:-}" in
  --print-env) print_env; exit 0 ;;
  "") ;;
  *) echo "setup: unknown argument '$1' (expected --print-env or nothing)" >&2; exit 1 ;;
esac

START=$(date +%s)
step() { echo "== [$(( $(date +%s) - START ))s] $*"; }
die() { echo "setup: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "must run as root (installs packages, writes $DAEMON_JSON, starts dockerd)"

# --- 1. Debian packages: the Docker engine (when no dockerd is installed), and what the node image build uses ----
# (jq: daemon.json; mmdebstrap: the node's rootfs; gcc, libc6-dev: the pause image; iptables: dockerd's rules).
packages=(jq mmdebstrap gcc libc6-dev iptables)
command -v dockerd >/dev/null || packages+=(docker.io)
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
  step "packages: present (${packages[*]}; dockerd $(command -v dockerd))"
else
  step "packages: installing ${missing[*]} from Debian"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; } \
    || die "apt-get install ${missing[*]} failed (is the Debian mirror reachable?)"
fi
command -v docker >/dev/null || die "no docker CLI on PATH after installing docker.io"

# --- 2. Runtime shim (only where the capability bounding set is incomplete) ---------------------------------
last_cap="$(cat /proc/sys/kernel/cap_last_cap)"
full_mask=$(( (1 << (last_cap + 1)) - 1 ))
bnd=$(( 16#$(sed -n 's/^CapBnd:[[:space:]]*//p' /proc/self/status) ))
daemon_changed=""
if [ "$bnd" -eq "$full_mask" ]; then
  step "runtime shim: not needed (capability bounding set is complete)"
else
  step "runtime shim: bounding set $(printf '%x' "$bnd") lacks capabilities $(printf '%x' $(( full_mask & ~bnd ))); privileged containers need $SHIM_PATH"
  shim_built="$(bash "$HERE/build-node-image.sh" --build-shim)"
  if ! cmp -s "$shim_built" "$SHIM_PATH"; then
    install -m 0755 "$shim_built" "$SHIM_PATH.tmp" && mv "$SHIM_PATH.tmp" "$SHIM_PATH"
    step "runtime shim: installed $SHIM_PATH"
  fi
  mkdir -p "$(dirname "$DAEMON_JSON")"
  current='{}'
  [ -s "$DAEMON_JSON" ] && current="$(cat "$DAEMON_JSON")"
  wanted="$(jq --arg name "$SHIM_RUNTIME" --arg path "$SHIM_PATH" \
    '.runtimes[$name] = {path: $path} | .["default-runtime"] = $name' <<<"$current")" \
    || die "$DAEMON_JSON is not valid JSON"
  if [ "$(jq -S . <<<"$current")" != "$(jq -S . <<<"$wanted")" ]; then
    printf '%s\n' "$wanted" >"$DAEMON_JSON.tmp" && mv "$DAEMON_JSON.tmp" "$DAEMON_JSON"
    daemon_changed=1
    step "runtime shim: registered as dockerd's default runtime '$SHIM_RUNTIME' in $DAEMON_JSON"
  fi
fi

# --- 3. dockerd ---------------------------------------------------------------------------------------------
if docker info >/dev/null 2>&1; then
  if [ -n "$daemon_changed" ]; then
    # "runtimes" and "default-runtime" are reloaded on SIGHUP; running containers keep their runtime.
    pid="$(cat /var/run/docker.pid 2>/dev/null || true)"
    [ -n "$pid" ] || die "dockerd is running but /var/run/docker.pid is missing; restart dockerd to load $DAEMON_JSON"
    kill -HUP "$pid"
    sleep 1
    step "dockerd: reloaded $DAEMON_JSON (SIGHUP to $pid)"
  fi
  step "dockerd: running"
else
  pid="$(cat /var/run/docker.pid 2>/dev/null || true)"
  # A pid file outlives its dockerd (a machine's session ended): only a live process named dockerd counts.
  if [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dockerd ]; then
    step "dockerd: pid $pid is starting; waiting for it"
  else
    step "dockerd: starting in the background (log: $DOCKERD_LOG)"
    nohup dockerd >>"$DOCKERD_LOG" 2>&1 </dev/null &
  fi
  for _ in $(seq 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
  docker info >/dev/null 2>&1 || { tail -n 20 "$DOCKERD_LOG" >&2; die "dockerd did not answer within 60 s"; }
  step "dockerd: running (pid $(cat /var/run/docker.pid))"
fi
if [ "$bnd" -ne "$full_mask" ]; then
  runtime="$(docker info --format '{{.DefaultRuntime}}')"
  [ "$runtime" = "$SHIM_RUNTIME" ] || die "dockerd's default runtime is '$runtime', not '$SHIM_RUNTIME' (restart dockerd to load $DAEMON_JSON)"
fi
# kind bind-mounts the host's /lib/modules into its nodes; some VMs have none.
mkdir -p /lib/modules

# --- 4. kind ------------------------------------------------------------------------------------------------
if [ -x "$KIND_BIN" ] && "$KIND_BIN" version 2>/dev/null | grep -q "^kind $KIND_VERSION "; then
  step "kind: present ($KIND_BIN)"
else
  command -v go >/dev/null || die "'go' not found on PATH (needed to build kind $KIND_VERSION)"
  step "kind: building sigs.k8s.io/kind@$KIND_VERSION into $(dirname "$KIND_BIN")"
  mkdir -p "$(dirname "$KIND_BIN")"
  GOBIN="$(dirname "$KIND_BIN")" GOTOOLCHAIN=local GOFLAGS="-mod=mod -buildvcs=false" CGO_ENABLED=0 \
    nice -n 19 go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kind@$KIND_VERSION" || die "building kind failed"
  step "kind: built ($KIND_BIN)"
fi

# --- 5. node image ------------------------------------------------------------------------------------------
if [ -n "${VERNIER_KIND_NODE_IMAGE:-}" ]; then
  # The switch of e2e/cluster/kind/settings.ts: `published` (kind's own image, pulled) or an image named by the user.
  step "node image: VERNIER_KIND_NODE_IMAGE=$VERNIER_KIND_NODE_IMAGE, so none is built here"
  step "done"
  exit 0
fi
# build-node-image.sh is itself idempotent: it compares the image's vernier.node-key label with its inputs (about
# 2 s when up to date), so a node image left over from older node files is rebuilt rather than reused.
if docker image inspect "$NODE_IMAGE" >/dev/null 2>&1; then
  step "node image: present ($NODE_IMAGE); checking that it is up to date"
else
  step "node image: building $NODE_IMAGE (build-node-image.sh)"
fi
bash "$HERE/build-node-image.sh" | sed 's/^/   /' || die "building the node image failed"
step "node image: $NODE_IMAGE ($(docker image inspect --format '{{.Size}}' "$NODE_IMAGE" | numfmt --to=iec))"

mkdir -p "$(dirname "$KIND_CONFIG")"
bash "$HERE/build-node-image.sh" --print-config >"$KIND_CONFIG.tmp" && mv "$KIND_CONFIG.tmp" "$KIND_CONFIG"
step "kind cluster config: $KIND_CONFIG"

step "done"
print_env
