#!/usr/bin/env bash
# Tier 3 (`npm run test:e2e`): a real one-node cluster, the locally built image, every *.e2e-test.js.
# The provider is VERNIER_E2E_PROVIDER (local by default, or kind). Fails loudly, never skips, when the cluster
# cannot start. A cluster that was already up is reused and left up; one started here is taken down at the end
# (VERNIER_E2E_KEEP_CLUSTER=1 keeps it for inspection).
set -euo pipefail
cd "$(dirname "$0")/.."
provider="${VERNIER_E2E_PROVIDER:-local}"
t0=$(date +%s)
step() { printf '\n=== e2e: %s (%s, +%ss)\n' "$1" "$(date -u +%H:%M:%S)" "$(( $(date +%s) - t0 ))"; }

if [ "$provider" = local ]; then
  step "host packages (containerd, runc, CNI plugins, iptables)"
  bash e2e/cluster/install-host-deps.sh
fi

step "build and demo models"
npm run --silent build
npm run --silent models
npm run --silent models:fetch

step "helm (the specs install the operator with the chart)"
bash testing/control-plane/build-binaries.sh helm

step "image"
archive="$(bash e2e/image/build-image.sh)"

started_here=1
if node dist/e2e/cluster/cli.js status >/dev/null 2>&1; then started_here=0; fi
step "cluster up ($provider)"
if [ "$started_here" = 1 ] && [ "${VERNIER_E2E_KEEP_CLUSTER:-0}" != 1 ]; then
  trap 'step "cluster down"; node dist/e2e/cluster/cli.js down || true' EXIT
fi
node dist/e2e/cluster/cli.js up
node dist/e2e/cluster/cli.js load-image "$archive"

mapfile -t specs < <(find dist -name '*.e2e-test.js' -not -path '*/node_modules/*' | sort)
[ ${#specs[@]} -gt 0 ] || { echo "e2e: no *.e2e-test.js under dist/: nothing would be tested" >&2; exit 1; }
step "specs: ${specs[*]}"
node --test --test-concurrency=1 "${specs[@]}"
step "passed"
