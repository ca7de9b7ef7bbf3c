#!/usr/bin/env bash
# Builds the Kubernetes control-plane and node binaries, etcd and Helm from their
# Go modules into a cache outside the repository. Idempotent: a binary already in
# the cache for the pinned version, built with the same settings, is not rebuilt.
#
# Usage:
#   build-binaries.sh                 build everything missing (tier-2 binaries first)
#   build-binaries.sh NAME...         build only the named binaries
#                                     (etcd etcdctl kube-apiserver kube-controller-manager
#                                      kubectl kube-scheduler kubelet kube-proxy helm; kubeadm, only
#                                      built when named: the kind node image needs it, nothing else does)
#   build-binaries.sh --tier2         build only what tier-2 tests need
#   build-binaries.sh --print-dir     print the Kubernetes bin directory and exit
#   build-binaries.sh --print-env     print KEY=VALUE lines (versions, bin dirs) and exit
#
# Environment:
#   VERNIER_CACHE        cache root (default: $HOME/.cache/vernier)
#   VERNIER_K8S_VERSION  Kubernetes version to build (default below)
#   VERNIER_ETCD_VERSION etcd version to build (default below)
#   VERNIER_HELM_VERSION Helm version to build (default below; a v3.x or v4.x tag)
set -euo pipefail

K8S_VERSION="${VERNIER_K8S_VERSION:-v1.37.2}"
# The etcd minor that Kubernetes ${K8S_VERSION} itself depends on (go.etcd.io/etcd/client/v3 v3.7.x).
ETCD_VERSION="${VERNIER_ETCD_VERSION:-v3.7.3}"
# The newest stable helm.sh/helm release on the Go module proxy when it was pinned (go list -m -versions helm.sh/helm/v4).
HELM_VERSION="${VERNIER_HELM_VERSION:-v4.3.2}"
CACHE_ROOT="${VERNIER_CACHE:-$HOME/.cache/vernier}"
K8S_DIR="$CACHE_ROOT/k8s-$K8S_VERSION"
ETCD_DIR="$CACHE_ROOT/etcd-$ETCD_VERSION"
K8S_BIN="$K8S_DIR/bin"
ETCD_BIN="$ETCD_DIR/bin"
HELM_DIR="$CACHE_ROOT/helm-$HELM_VERSION"
HELM_BIN="$HELM_DIR/bin"

TIER2=(etcd kube-apiserver kube-controller-manager kubectl helm)
ALL=(etcd kube-apiserver kube-controller-manager kubectl helm kube-scheduler kubelet kube-proxy etcdctl)
ON_REQUEST=(kubeadm)

die() { echo "build-binaries: $*" >&2; exit 1; }

print_env() {
  echo "VERNIER_K8S_VERSION=$K8S_VERSION"
  echo "VERNIER_ETCD_VERSION=$ETCD_VERSION"
  echo "VERNIER_K8S_BIN_DIR=$K8S_BIN"
  echo "VERNIER_ETCD_BIN_DIR=$ETCD_BIN"
  echo "VERNIER_HELM_VERSION=$HELM_VERSION"
  echo "VERNIER_HELM_BIN_DIR=$HELM_BIN"
}

targets=()
for arg in "$@"; do
  case "$arg" in
    --print-dir) echo "$K8S_BIN"; exit 0 ;;
    --print-env) print_env; exit 0 ;;
    --tier2) targets+=("${TIER2[@]}") ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) die "unknown option '$arg' (expected --tier2, --print-dir, --print-env or binary names)" ;;
    *)
      case " ${ALL[*]} ${ON_REQUEST[*]} " in
        *" $arg "*) targets+=("$arg") ;;
        *) die "unknown binary '$arg' (expected one of: ${ALL[*]} ${ON_REQUEST[*]})" ;;
      esac ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=("${ALL[@]}")

command -v go >/dev/null || die "'go' not found on PATH (Go >= 1.26 is needed to build Kubernetes $K8S_VERSION)"
command -v jq >/dev/null || die "'jq' not found on PATH (it reads Kubernetes' go.mod; apt-get install jq)"

mkdir -p "$K8S_BIN" "$ETCD_BIN" "$HELM_BIN"

# One lock per cache directory: two runs building the same thing would fight over its wrapper module and output
# files, but a Helm build need not wait for a Kubernetes one. Taken before the up-to-date check, held until exit.
locked_dirs=" "
lock_dir() {
  local dir="$1" fd
  case "$locked_dirs" in *" $dir "*) return 0 ;; esac
  exec {fd}>"$dir/.build.lock"
  if ! flock -n "$fd"; then
    echo "== waiting for another build holding $dir/.build.lock"
    flock "$fd" || die "could not lock $dir/.build.lock"
  fi
  locked_dirs+="$dir "
}

# Builds are long and the machine is shared: stay at the lowest priority.
NICE=(nice -n 19)
export GOTOOLCHAIN=local GOFLAGS="-mod=mod -buildvcs=false" CGO_ENABLED=0
BUILD_DATE="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
# The tags upstream release builds use (hack/lib/golang.sh): no test-only code, no x/net/trace in gRPC.
K8S_TAGS="selinux,notest,grpcnotrace"
# Recorded next to each binary; a binary built with other settings is rebuilt (and replaced atomically).
K8S_RECIPE="k8s.io/kubernetes@$K8S_VERSION tags=$K8S_TAGS cgo=$CGO_ENABLED trimpath ldflags=-s,-w"
ETCD_RECIPE="go.etcd.io/etcd@$ETCD_VERSION cgo=$CGO_ENABLED trimpath ldflags=-s,-w"
HELM_MAJOR="${HELM_VERSION#v}"; HELM_MAJOR="${HELM_MAJOR%%.*}"
HELM_MODULE="helm.sh/helm/v$HELM_MAJOR"
HELM_RECIPE="$HELM_MODULE@$HELM_VERSION cgo=$CGO_ENABLED trimpath ldflags=-s,-w"

seconds_since() { echo $(( $(date +%s) - $1 )); }

# True when $1 exists and was built with recipe $2.
up_to_date() { [ -x "$1" ] && [ "$(cat "$1.recipe" 2>/dev/null)" = "$2" ]; }

# Puts the freshly built $2.tmp in place as $2 (atomically), records recipe $3 next to it, reports $1's build time since $4.
install_built() {
  mv "$2.tmp" "$2"
  echo "$3" >"$2.recipe"
  echo "== $1: built in $(seconds_since "$4") s ($(du -h "$2" | cut -f1))"
}

# Module source-control commit as recorded by the proxy, or "unknown".
module_commit() {
  local info
  info="$(go mod download -json "$1@$2" 2>/dev/null || true)"
  printf '%s' "$info" | sed -n 's/.*"Hash": "\([0-9a-f]\{40\}\)".*/\1/p' | head -n1 | grep . || echo unknown
}

# --- Kubernetes -------------------------------------------------------------

k8s_src_ready=""
prepare_k8s_src() {
  [ -n "$k8s_src_ready" ] && return 0
  local src="$K8S_DIR/src" gomod minor
  mkdir -p "$src"
  echo "== preparing wrapper module for k8s.io/kubernetes $K8S_VERSION in $src"
  gomod="$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | jq -r '.GoMod // empty')" \
    || die "could not download k8s.io/kubernetes@$K8S_VERSION from the Go module proxy"
  [ -f "$gomod" ] || die "go mod download gave no go.mod for k8s.io/kubernetes@$K8S_VERSION"
  minor="v0.${K8S_VERSION#v1.}"
  {
    echo "module vernier.local/k8s-binaries"
    echo
    echo "go $(go mod edit -json "$gomod" | jq -r '.Go')"
    echo
    echo "require k8s.io/kubernetes $K8S_VERSION"
    echo
    echo "// Kubernetes points its staging modules at ./staging; use their published $minor tags instead."
    echo "// Only the staging modules that k8s.io/kubernetes requires are replaced (unrequired ones may be unpublished)."
    echo "replace ("
    go mod edit -json "$gomod" | jq -r --arg v "$minor" '
      ([.Require[]?.Path]) as $req
      | .Replace[]?
      | select(.New.Path | startswith("./staging/"))
      | select(.Old.Path as $p | $req | index($p))
      | "\t\(.Old.Path) => \(.Old.Path) \($v)"'
    echo ")"
  } >"$src/go.mod.new"
  mv "$src/go.mod.new" "$src/go.mod"
  touch "$src/go.sum"
  K8S_COMMIT="$(module_commit k8s.io/kubernetes "$K8S_VERSION")"
  local major="${K8S_VERSION#v}"; major="${major%%.*}"
  local kminor="${K8S_VERSION#v*.}"; kminor="${kminor%%.*}"
  local xs=""
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    xs+=" -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=$major -X $pkg.gitMinor=$kminor"
    xs+=" -X $pkg.gitCommit=$K8S_COMMIT -X $pkg.gitTreeState=clean -X $pkg.buildDate=$BUILD_DATE"
  done
  K8S_LDFLAGS="-s -w$xs"
  k8s_src_ready=1
}

build_k8s() {
  local name="$1" out="$K8S_BIN/$1" start
  lock_dir "$K8S_DIR"
  if up_to_date "$out" "$K8S_RECIPE"; then echo "== $name: present ($out)"; return 0; fi
  prepare_k8s_src
  echo "== $name: building k8s.io/kubernetes/cmd/$name@$K8S_VERSION"
  start=$(date +%s)
  (cd "$K8S_DIR/src" && "${NICE[@]}" go build -trimpath -tags "$K8S_TAGS" -ldflags "$K8S_LDFLAGS" -o "$out.tmp" "k8s.io/kubernetes/cmd/$name") \
    || die "building $name failed"
  install_built "$name" "$out" "$K8S_RECIPE" "$start"
}

# --- etcd -------------------------------------------------------------------

etcd_src_ready=""
prepare_etcd_src() {
  [ -n "$etcd_src_ready" ] && return 0
  local src="$ETCD_DIR/src"
  mkdir -p "$src"
  echo "== preparing wrapper module for etcd $ETCD_VERSION in $src"
  # The etcd modules' own replace directives point at sibling folders; in a wrapper they are ignored.
  cat >"$src/go.mod" <<EOF
module vernier.local/etcd-binaries

go 1.26.0

require (
	go.etcd.io/etcd/server/v3 $ETCD_VERSION
	go.etcd.io/etcd/etcdctl/v3 $ETCD_VERSION
)
EOF
  touch "$src/go.sum"
  ETCD_LDFLAGS="-s -w -X go.etcd.io/etcd/api/v3/version.GitSHA=$(module_commit go.etcd.io/etcd/server/v3 "$ETCD_VERSION" | cut -c1-7)"
  etcd_src_ready=1
}

build_etcd() {
  local name="$1" pkg out="$ETCD_BIN/$1" start
  case "$name" in
    etcd) pkg=go.etcd.io/etcd/server/v3 ;;
    etcdctl) pkg=go.etcd.io/etcd/etcdctl/v3 ;;
  esac
  lock_dir "$ETCD_DIR"
  if up_to_date "$out" "$ETCD_RECIPE"; then echo "== $name: present ($out)"; return 0; fi
  prepare_etcd_src
  echo "== $name: building $pkg@$ETCD_VERSION"
  start=$(date +%s)
  (cd "$ETCD_DIR/src" && "${NICE[@]}" go build -trimpath -ldflags "$ETCD_LDFLAGS" -o "$out.tmp" "$pkg") \
    || die "building $name failed"
  install_built "$name" "$out" "$ETCD_RECIPE" "$start"
}

# --- Helm -------------------------------------------------------------------

build_helm() {
  local out="$HELM_BIN/helm" src="$HELM_DIR/src" start gomod ldflags pkg="$HELM_MODULE/internal/version"
  lock_dir "$HELM_DIR"
  if up_to_date "$out" "$HELM_RECIPE"; then echo "== helm: present ($out)"; return 0; fi
  mkdir -p "$src"
  echo "== preparing wrapper module for $HELM_MODULE $HELM_VERSION in $src"
  gomod="$(go mod download -json "$HELM_MODULE@$HELM_VERSION" | jq -r '.GoMod // empty')" \
    || die "could not download $HELM_MODULE@$HELM_VERSION from the Go module proxy"
  [ -f "$gomod" ] || die "go mod download gave no go.mod for $HELM_MODULE@$HELM_VERSION"
  # Requiring only Helm, minimal version selection picks exactly the dependency versions of Helm's own go.mod.
  cat >"$src/go.mod" <<EOF
module vernier.local/helm-binaries

go $(go mod edit -json "$gomod" | jq -r '.Go')

require $HELM_MODULE $HELM_VERSION
EOF
  touch "$src/go.sum"
  # The version variables Helm's Makefile sets for a tagged release, so `helm version` prints the pinned version.
  ldflags="-s -w -X $pkg.version=$HELM_VERSION -X $pkg.metadata="
  ldflags+=" -X $pkg.gitCommit=$(module_commit "$HELM_MODULE" "$HELM_VERSION") -X $pkg.gitTreeState=clean"
  echo "== helm: building $HELM_MODULE/cmd/helm@$HELM_VERSION"
  start=$(date +%s)
  (cd "$src" && "${NICE[@]}" go build -trimpath -ldflags "$ldflags" -o "$out.tmp" "$HELM_MODULE/cmd/helm") \
    || die "building helm failed"
  install_built "helm" "$out" "$HELM_RECIPE" "$start"
}

total_start=$(date +%s)
for name in "${targets[@]}"; do
  case "$name" in
    etcd|etcdctl) build_etcd "$name" ;;
    helm) build_helm ;;
    *) build_k8s "$name" ;;
  esac
done
echo "== done in $(seconds_since "$total_start") s"
print_env
