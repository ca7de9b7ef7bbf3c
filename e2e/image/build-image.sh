#!/usr/bin/env bash
# Builds the Vernier image with no registry and no container engine: image/stage.sh lays out the files (the same
# recipe the Dockerfile runs), oci-archive.sh packs them. Prints the archive path; `npm run image:load` imports it.
#
# Usage: build-image.sh        (after `npm run build && npm run models`)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
VERSION="$(node -p "require('$REPO/package.json').version")"
REF="vernier:$VERSION"   # operator/settings.ts: defaultSettings().serverImage
OUT_DIR="${VERNIER_CACHE:-$HOME/.cache/vernier}/images"
ARCHIVE="$OUT_DIR/vernier-$VERSION.tar"

start=$(date +%s)
mkdir -p "$OUT_DIR"
bash "$REPO/image/stage.sh" "$OUT_DIR/vernier-stage" >&2
# Keep these in step with the Dockerfile's USER / WORKDIR / ENV / ENTRYPOINT (checked by image/image-config.test.ts).
digest="$(bash "$HERE/oci-archive.sh" --rootfs "$OUT_DIR/vernier-stage/rootfs" --ref "$REF" --out "$ARCHIVE" \
  --user 10001:10001 --workdir /app --env NODE_ENV=production --env PATH=/usr/local/bin:/usr/bin:/bin \
  --entrypoint '["/usr/local/bin/node","/app/dist/cli/vernier.js"]')"
echo "build-image: $REF $digest ($(du -h "$ARCHIVE" | cut -f1)) in $(( $(date +%s) - start )) s" >&2
echo "$ARCHIVE"
