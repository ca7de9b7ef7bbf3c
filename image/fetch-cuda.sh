#!/usr/bin/env bash
# Build infrastructure for the CUDA image variant: downloads the wheels pinned in image/cuda-inputs.sh with pip
# (--require-hashes, no dependencies), keeps them in the image-input cache, and extracts the listed libraries once.
# Prints the directory that holds them: ort/ (provider libraries), cuda/ (CUDA and cuDNN), ort-commit (the git
# commit of the wheel's onnxruntime build, for stage.sh to compare with onnxruntime-node's).
#
# Usage: fetch-cuda.sh        Environment: VERNIER_CACHE (default ~/.cache/vernier). Cold: ~1.2 GB from PyPI.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
CACHE="${VERNIER_CACHE:-$HOME/.cache/vernier}/image-inputs"
# shellcheck source=image/cuda-inputs.sh
. "$HERE/cuda-inputs.sh"
die() { echo "fetch-cuda: $*" >&2; exit 1; }

key="$(sha256sum "$HERE/cuda-inputs.sh" | cut -c1-16)"
out="$CACHE/cuda-libs-$key"
if [ -f "$out/complete" ]; then echo "$out"; exit 0; fi

pip=(python3 -m pip)
"${pip[@]}" --version >/dev/null 2>&1 || die "pip is needed to fetch the CUDA wheels from PyPI (Debian/Ubuntu: apt-get install python3-pip)"

wheels="$CACHE/cuda-wheels"
mkdir -p "$wheels"
requirements="$(mktemp)"
trap 'rm -f "$requirements"' EXIT
for entry in "${CUDA_WHEELS[@]}"; do
  read -r requirement sha <<<"$entry"
  printf '%s --hash=sha256:%s\n' "$requirement" "$sha" >>"$requirements"
done
platforms=()
for platform in "${CUDA_WHEEL_PLATFORMS[@]}"; do platforms+=(--platform "$platform"); done
# pip skips wheels already in $wheels whose hash matches, and refuses any whose hash does not.
echo "fetch-cuda: pip download ${#CUDA_WHEELS[@]} wheels into $wheels" >&2
"${pip[@]}" download --quiet --no-deps --only-binary=:all: --require-hashes --python-version "$CUDA_WHEEL_PYTHON" \
  "${platforms[@]}" --dest "$wheels" -r "$requirements" >&2 || die "pip download failed (see above)"

rm -rf "$out.tmp" && mkdir -p "$out.tmp/ort" "$out.tmp/cuda"
for entry in "${CUDA_WHEELS[@]}"; do
  read -r requirement sha <<<"$entry"
  name="${requirement%%==*}" version="${requirement##*==}"
  wheel="$(ls "$wheels/${name//-/_}-$version-"*.whl 2>/dev/null | head -1)"
  [ -n "$wheel" ] || die "no wheel for $requirement in $wheels"
  [ "$(sha256sum "$wheel" | cut -d' ' -f1)" = "$sha" ] || die "$wheel does not match its pinned sha256"
  members=()
  for lib in "${CUDA_LIBRARIES[@]}"; do
    read -r path _ <<<"$lib"
    if unzip -l "$wheel" "$path" >/dev/null 2>&1; then members+=("$path"); fi
  done
  [ "$name" = onnxruntime-gpu ] && members+=("onnxruntime/capi/libonnxruntime.so.$CUDA_ORT_VERSION")
  [ ${#members[@]} -gt 0 ] && unzip -q -o "$wheel" "${members[@]}" -d "$out.tmp/wheel-files"
done
for lib in "${CUDA_LIBRARIES[@]}"; do
  read -r path place <<<"$lib"
  [ -f "$out.tmp/wheel-files/$path" ] || die "$path is in none of the pinned wheels"
  install -m 0755 "$out.tmp/wheel-files/$path" "$out.tmp/$place/$(basename "$path")"
done
# The wheel's own core library is not shipped; its build commit is kept to check the release against onnxruntime-node's.
grep -aom1 'git-commit-id=[0-9a-f]*' "$out.tmp/wheel-files/onnxruntime/capi/libonnxruntime.so.$CUDA_ORT_VERSION" >"$out.tmp/ort-commit"
rm -rf "$out.tmp/wheel-files"
touch "$out.tmp/complete"
rm -rf "$out" && mv "$out.tmp" "$out"
echo "$out"
