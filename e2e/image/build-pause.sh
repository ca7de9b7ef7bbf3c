#!/usr/bin/env bash
# Builds the pod sandbox ("pause") image from pause.c as a static binary and packs it as an OCI archive.
# Nothing is pulled. Idempotent: rebuilt only when pause.c or the packer changes. Prints the archive path.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
REF="vernier.local/pause:0.1.0"
OUT_DIR="${VERNIER_CACHE:-$HOME/.cache/vernier}/images"
ARCHIVE="$OUT_DIR/pause-0.1.0.tar"
key="$(cat "$HERE/pause.c" "$HERE/oci-archive.sh" | sha256sum | cut -d' ' -f1)"
if [ -f "$ARCHIVE" ] && [ "$(cat "$ARCHIVE.key" 2>/dev/null)" = "$key" ]; then echo "$ARCHIVE"; exit 0; fi
command -v gcc >/dev/null || { echo "build-pause: gcc is needed (e2e/cluster/install-host-deps.sh installs it)" >&2; exit 1; }
mkdir -p "$OUT_DIR"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
mkdir -p "$work/rootfs"
gcc -static -Os -s -Wall -Werror -o "$work/rootfs/pause" "$HERE/pause.c"
bash "$HERE/oci-archive.sh" --rootfs "$work/rootfs" --ref "$REF" --out "$ARCHIVE" --entrypoint '["/pause"]' --user 65535:65535 >/dev/null
echo "$key" >"$ARCHIVE.key"
echo "$ARCHIVE"
