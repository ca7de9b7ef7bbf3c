#!/usr/bin/env bash
# Test infrastructure, no GPU needed: proves everything about the CUDA image (vernier:VERSION-cuda) short of a device.
# Stages its root filesystem with image/stage.sh (VERNIER_IMAGE_VARIANT=cuda; ~1.2 GB of wheels from PyPI the first
# time, cached in ~/.cache/vernier/image-inputs), then, chrooted into a hard-linked copy of it:
#   1. every library the CUDA provider links or dlopens resolves inside the rootfs (its own ld.so --list); the NVIDIA
#      driver's libcuda.so.1 is the only one allowed to be missing, and with the stub below nothing is missing;
#   2. without a driver, `vernier serve --execution-provider cuda` exits with the CUDA-unavailable code and one line;
#   3. with libcuda-stub.c (a stand-in driver whose cuInit says CUDA_ERROR_NO_DEVICE) the provider loads every library
#      and fails only at cudaSetDevice: the same code, and the line "no CUDA device visible: ... no CUDA-capable device".
# Needs root (chroot), gcc, pip. Usage: check-cuda-image.sh    (after `npm run build && npm run models`)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
WORK="${VERNIER_CACHE:-$HOME/.cache/vernier}/images/vernier-cuda-check"
CUDA_LD_PATH=/usr/local/cuda/lib64:/usr/local/nvidia/lib64   # the image's LD_LIBRARY_PATH (e2e/image/build-image.sh)
STUB_DIR=/opt/libcuda-stub
CHROOT="$(command -v chroot)"
# shellcheck source=image/cuda-inputs.sh
. "$REPO/image/cuda-inputs.sh"
exit_code="$(cd "$REPO" && node -p "require('./dist/contracts/serve-options.js').SERVE_EXIT_CODES.cudaUnavailable" 2>/dev/null \
  || node --input-type=module -e "import('$REPO/dist/contracts/serve-options.js').then((m) => console.log(m.SERVE_EXIT_CODES.cudaUnavailable))")"

failures=0
fail() { echo "check-cuda-image: FAIL: $*" >&2; failures=$((failures + 1)); }
pass() { echo "check-cuda-image: ok: $*"; }
die() { echo "check-cuda-image: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root, to chroot into the staged image"
command -v gcc >/dev/null || die "needs gcc, to build the stub libcuda.so.1 (apt-get install gcc)"

t0=$(date +%s)
mkdir -p "$WORK"
VERNIER_IMAGE_VARIANT=cuda bash "$REPO/image/stage.sh" "$WORK/stage"
rootfs="$WORK/stage/rootfs"
# A hard-linked copy (instant, no space): the stub and the checks never touch the staged image itself.
scratch="$WORK/scratch"
rm -rf "$scratch" && cp -al "$rootfs" "$scratch"
trap 'rm -rf "$scratch"' EXIT
ort_dir=/app/node_modules/onnxruntime-node/bin/napi-v6/linux/x64
loader="$(cd "$scratch" && ls lib64/ld-linux-x86-64.so.2)" || die "the staged rootfs has no /lib64/ld-linux-x86-64.so.2"

# --- 1. The libraries: what the image ships is the list in image/cuda-inputs.sh, and each one's closure resolves.
shipped=()
for entry in "${CUDA_LIBRARIES[@]}"; do
  read -r path place <<<"$entry"
  dir=$([ "$place" = ort ] && echo "$ort_dir" || echo /usr/local/cuda/lib64)
  if [ -f "$scratch$dir/$(basename "$path")" ]; then shipped+=("$dir/$(basename "$path")"); else fail "$dir/$(basename "$path") is not in the image"; fi
done
# ld.so --list stops at the first missing library; ldd's way (LD_TRACE_LOADED_OBJECTS) lists them all. The rootfs has no
# env(1), so the host's goes into the scratch copy (it needs only libc).
install -D -m 0755 "$(command -v env)" "$scratch/opt/check/env"
missing_libs() { # $1: library path inside the rootfs, $2: library path for ld.so
  chroot "$scratch" /opt/check/env LD_TRACE_LOADED_OBJECTS=1 "/$loader" --library-path "$2" "$1" 2>&1 \
    | awk '/not found/ { print $1 }' | sort -u | tr '\n' ' '
}
for lib in "${shipped[@]}"; do
  missing="$(missing_libs "$lib" "$CUDA_LD_PATH")"
  case "$missing" in "" | "libcuda.so.1 ") ;; *) fail "$lib: not found in the image: $missing" ;; esac
done
[ "$(missing_libs "$ort_dir/libonnxruntime_providers_cuda.so" "$CUDA_LD_PATH")" = "libcuda.so.1 " ] \
  || fail "the CUDA provider should miss exactly the driver's libcuda.so.1 without a driver"
pass "${#shipped[@]} libraries shipped; every one resolves in the image, the driver's libcuda.so.1 the only absence"

mkdir -p "$scratch$STUB_DIR"
gcc -Wall -Wextra -Werror -shared -fPIC -Wl,-soname,libcuda.so.1 -o "$scratch$STUB_DIR/libcuda.so.1" "$HERE/libcuda-stub.c"
for lib in "${shipped[@]}"; do
  missing="$(missing_libs "$lib" "$CUDA_LD_PATH:$STUB_DIR")"
  [ -z "$missing" ] || fail "$lib: not found even with a libcuda.so.1: $missing"
done
pass "with a libcuda.so.1 present, nothing is missing"

# --- 2 and 3. The server, as the pod runs it.
serve() { # $1: LD_LIBRARY_PATH; prints the output, returns the exit code
  env -i PATH=/usr/local/bin:/usr/bin:/bin NODE_ENV=production LD_LIBRARY_PATH="$1" HOME=/tmp \
    timeout 120 "$CHROOT" --userspec=10001:10001 "$scratch" /usr/local/bin/node /app/dist/cli/vernier.js serve \
    --model builtin://audio-cnn --execution-provider cuda --strategy pool --workers 1 --port 0 --log-level silent 2>&1
}
set +e; out="$(serve "$CUDA_LD_PATH")"; code=$?; set -e
last="$(printf '%s\n' "$out" | tail -1)"
if [ "$code" = "$exit_code" ] && [[ "$last" == "vernier serve: no CUDA device visible: "* ]] \
  && grep -q 'libonnxruntime_providers_cuda.so with error: libcuda.so.1: cannot open shared object file' <<<"$out"; then
  pass "no driver: exit $code, \"$last\""
else
  fail "no driver: expected exit $exit_code and the no-CUDA-device line, got exit $code:"$'\n'"$out"
fi
set +e; out="$(serve "$CUDA_LD_PATH:$STUB_DIR")"; code=$?; set -e
last="$(printf '%s\n' "$out" | tail -1)"
if [ "$code" = "$exit_code" ] && [[ "$last" == *'no CUDA device visible: the CUDA runtime says "no CUDA-capable device is detected"'* ]] \
  && ! grep -q 'Failed to load library' <<<"$out"; then
  pass "stub driver, no device: every library loaded, the provider stopped at cudaSetDevice: exit $code, \"$last\""
else
  fail "stub driver: expected the provider to load and exit $exit_code with the no-device line, got exit $code:"$'\n'"$out"
fi

echo "check-cuda-image: rootfs $(du -sh "$rootfs" | cut -f1), CUDA libraries $(du -shc "${shipped[@]/#/$rootfs}" | tail -1 | cut -f1), in $(( $(date +%s) - t0 )) s"
[ "$failures" = 0 ] || die "$failures check(s) failed"
