#!/usr/bin/env bash
# Builds CoreDNS (the cluster DNS of the `local` provider) from its Go module into the same cache as the
# Kubernetes binaries (testing/control-plane/build-binaries.sh), under the same lock. Idempotent.
#
# Usage: build-coredns.sh [--print-path]
# Environment: VERNIER_CACHE (default $HOME/.cache/vernier), VERNIER_COREDNS_VERSION (default below)
set -euo pipefail

COREDNS_VERSION="${VERNIER_COREDNS_VERSION:-v1.14.7}"
CACHE_ROOT="${VERNIER_CACHE:-$HOME/.cache/vernier}"
DIR="$CACHE_ROOT/coredns-$COREDNS_VERSION"
OUT="$DIR/bin/coredns"
RECIPE="github.com/coredns/coredns@$COREDNS_VERSION cgo=0 trimpath ldflags=-s,-w"

die() { echo "build-coredns: $*" >&2; exit 1; }

if [ "${1:-}" = "--print-path" ]; then echo "$OUT"; exit 0; fi
[ $# -eq 0 ] || die "unknown argument '$1' (expected --print-path or nothing)"

if [ -x "$OUT" ] && [ "$(cat "$OUT.recipe" 2>/dev/null)" = "$RECIPE" ]; then echo "== coredns: present ($OUT)"; exit 0; fi
command -v go >/dev/null || die "'go' not found on PATH (needed to build CoreDNS $COREDNS_VERSION)"

mkdir -p "$DIR/src" "$DIR/bin"
exec 9>"$CACHE_ROOT/.build.lock"
flock 9 || die "could not lock $CACHE_ROOT/.build.lock"

cat >"$DIR/src/go.mod" <<MOD
module vernier.local/coredns-binary

go 1.26.0

require github.com/coredns/coredns $COREDNS_VERSION
MOD
touch "$DIR/src/go.sum"
start=$(date +%s)
echo "== coredns: building github.com/coredns/coredns@$COREDNS_VERSION"
(cd "$DIR/src" && GOTOOLCHAIN=local GOFLAGS="-mod=mod -buildvcs=false" CGO_ENABLED=0 nice -n 19 \
  go build -trimpath -ldflags "-s -w" -o "$OUT.tmp" github.com/coredns/coredns) || die "building coredns failed"
mv "$OUT.tmp" "$OUT"
echo "$RECIPE" >"$OUT.recipe"
echo "== coredns: built in $(( $(date +%s) - start )) s"
