#!/usr/bin/env bash
# Builds the Vernier image with no registry and no container engine: image/stage.sh lays out the files (the same
# recipe the Dockerfile runs), oci-archive.sh packs them. Prints the archive path; `npm run image:load` imports it.
#
# Usage: build-image.sh        (after `npm run build && npm run models`)
# VERNIER_IMAGE_VARIANT=cuda builds vernier:VERSION-cuda, with onnxruntime's CUDA provider (see image/stage.sh).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
VERSION="$(node -p "require('$REPO/package.json').version")"
VARIANT="${VERNIER_IMAGE_VARIANT:-cpu}"
TAG="$VERSION$([ "$VARIANT" = cuda ] && echo -cuda || true)"
REF="vernier:$TAG"   # operator/settings.ts: defaultSettings().serverImage (.cudaServerImage for -cuda)
OUT_DIR="${VERNIER_CACHE:-$HOME/.cache/vernier}/images"
ARCHIVE="$OUT_DIR/vernier-$TAG.tar"

start=$(date +%s)
mkdir -p "$OUT_DIR"
VERNIER_IMAGE_VARIANT="$VARIANT" bash "$REPO/image/stage.sh" "$OUT_DIR/vernier-stage-$VARIANT" >&2
# Keep these in step with the Dockerfile's USER / WORKDIR / ENV / ENTRYPOINT (checked by image/image-config.test.ts).
# LD_LIBRARY_PATH: the CUDA image's libraries, and where GKE mounts the NVIDIA driver (absent in the CPU image: harmless).
digest="$(bash "$HERE/oci-archive.sh" --rootfs "$OUT_DIR/vernier-stage-$VARIANT/rootfs" --ref "$REF" --out "$ARCHIVE" \
  --user 10001:10001 --workdir /app --env NODE_ENV=production --env PATH=/usr/local/bin:/usr/bin:/bin \
  --env LD_LIBRARY_PATH=/usr/local/cuda/lib64:/usr/local/nvidia/lib64 \
  --entrypoint '["/usr/local/bin/node","/app/dist/cli/vernier.js"]')"
echo "build-image: $REF $digest ($(du -h "$ARCHIVE" | cut -f1)) in $(( $(date +%s) - start )) s" >&2
echo "$ARCHIVE"
