#!/usr/bin/env bash
# Tier 3 (`npm run test:e2e`): a real one-node cluster, the locally built image, every *.e2e-test.js.
# The provider is VERNIER_E2E_PROVIDER (local by default, or kind); VERNIER_E2E_SPECS="smoke inferenceservice" runs
# only those. Fails loudly, never skips, when the cluster cannot start. A cluster that was already up is reused and left up; one started here is taken down at the end
# (VERNIER_E2E_KEEP_CLUSTER=1 keeps it for inspection).
set -euo pipefail
cd "$(dirname "$0")/.."
provider="${VERNIER_E2E_PROVIDER:-local}"
t0=$(date +%s)
step() { printf '\n=== e2e: %s (%s, +%ss)\n' "$1" "$(date -u +%H:%M:%S)" "$(( $(date +%s) - t0 ))"; }

step "build and demo models"
npm run --silent build
npm run --silent models
npm run --silent models:fetch

step "prepare the $provider provider (what it installs and builds is cached; e2e/README.md)"
node dist/e2e/cluster/cli.js prepare

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
node dist/e2e/cluster/cli.js require-image

mapfile -t specs < <(find dist -name '*.e2e-test.js' -not -path '*/node_modules/*' | sort)
[ ${#specs[@]} -gt 0 ] || { echo "e2e: no *.e2e-test.js under dist/: nothing would be tested" >&2; exit 1; }
if [ -n "${VERNIER_E2E_SPECS:-}" ]; then
  # Only the named specs (e.g. "smoke inferenceservice"): each name must match exactly one file, so a typo fails.
  chosen=()
  for name in $VERNIER_E2E_SPECS; do
    matches=()
    for spec in "${specs[@]}"; do [ "$(basename "$spec" .e2e-test.js)" = "$name" ] && matches+=("$spec"); done
    [ ${#matches[@]} -eq 1 ] || { echo "e2e: VERNIER_E2E_SPECS names '$name', which matches ${#matches[@]} specs (have: $(for s in "${specs[@]}"; do basename "$s" .e2e-test.js; done | tr '\n' ' '))" >&2; exit 1; }
    chosen+=("${matches[0]}")
  done
  specs=("${chosen[@]}")
fi
step "specs: ${specs[*]}"
node --test --test-concurrency=1 "${specs[@]}"
step "passed"
