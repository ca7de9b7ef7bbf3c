#!/usr/bin/env bash
# Packs a root filesystem directory into a one-layer OCI image archive (OCI layout in a tar) that
# `ctr images import` accepts, with no registry and no container engine. Deterministic: the same
# rootfs and options give the same digests.
#
# Usage: oci-archive.sh --rootfs DIR --ref NAME:TAG --out FILE.tar [--entrypoint JSON_ARRAY]
#                       [--cmd JSON_ARRAY] [--user UID:GID] [--workdir DIR] [--env KEY=VALUE]...
# Prints the manifest digest on stdout.
set -euo pipefail

die() { echo "oci-archive: $*" >&2; exit 1; }

rootfs="" ref="" out="" entrypoint="null" cmd="null" user="" workdir="/" envs=()
while [ $# -gt 0 ]; do
  case "$1" in
    --rootfs) rootfs="$2"; shift 2 ;;
    --ref) ref="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --entrypoint) entrypoint="$2"; shift 2 ;;
    --cmd) cmd="$2"; shift 2 ;;
    --user) user="$2"; shift 2 ;;
    --workdir) workdir="$2"; shift 2 ;;
    --env) envs+=("$2"); shift 2 ;;
    *) die "unknown argument '$1' (see the header of $0)" ;;
  esac
done
[ -d "$rootfs" ] || die "--rootfs must be a directory, got '$rootfs'"
[[ "$ref" == *:* ]] || die "--ref must be NAME:TAG, got '$ref'"
[ -n "$out" ] || die "--out FILE.tar is required"
jq -e 'type == "array" or . == null' <<<"$entrypoint" >/dev/null || die "--entrypoint must be a JSON array, got '$entrypoint'"
jq -e 'type == "array" or . == null' <<<"$cmd" >/dev/null || die "--cmd must be a JSON array, got '$cmd'"

# containerd stores short names fully qualified; import under the name kubelet will ask for.
if [[ "$ref" != */* ]]; then
  full_ref="docker.io/library/$ref"
else
  case "${ref%%/*}" in
    *.*|*:*|localhost) full_ref="$ref" ;;
    *) full_ref="docker.io/$ref" ;;
  esac
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/layout/blobs/sha256"
blobs="$work/layout/blobs/sha256"

# Fixed order, owners and times so the layer digest depends only on file contents and modes.
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
  --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
  -C "$rootfs" -cf "$work/layer.tar" .
layer_digest="$(sha256sum "$work/layer.tar" | cut -d' ' -f1)"
layer_size="$(stat -c %s "$work/layer.tar")"
mv "$work/layer.tar" "$blobs/$layer_digest"

add_blob() { # file → prints digest
  local d; d="$(sha256sum "$1" | cut -d' ' -f1)"; mv "$1" "$blobs/$d"; echo "$d"
}

env_json="$(printf '%s\n' "${envs[@]+"${envs[@]}"}" | jq -R 'select(length > 0)' | jq -s .)"
jq -cn --arg user "$user" --arg workdir "$workdir" --argjson entrypoint "$entrypoint" --argjson cmd "$cmd" \
  --argjson env "$env_json" --arg diff "sha256:$layer_digest" '{
    architecture: "amd64", os: "linux",
    config: ({User: $user, Env: $env, Entrypoint: $entrypoint, Cmd: $cmd, WorkingDir: $workdir}
             | with_entries(select(.value != null and .value != ""))),
    rootfs: {type: "layers", diff_ids: [$diff]},
    history: [{created_by: "e2e/image/oci-archive.sh"}]
  }' >"$work/config.json"
config_size="$(stat -c %s "$work/config.json")"
config_digest="$(add_blob "$work/config.json")"

jq -cn --arg cd "sha256:$config_digest" --argjson cs "$config_size" --arg ld "sha256:$layer_digest" --argjson ls "$layer_size" '{
    schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $cd, size: $cs},
    layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar", digest: $ld, size: $ls}]
  }' >"$work/manifest.json"
manifest_size="$(stat -c %s "$work/manifest.json")"
manifest_digest="$(add_blob "$work/manifest.json")"

jq -cn --arg md "sha256:$manifest_digest" --argjson ms "$manifest_size" --arg name "$full_ref" --arg tag "${ref##*:}" '{
    schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json",
    manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $md, size: $ms,
                 platform: {architecture: "amd64", os: "linux"},
                 annotations: {"io.containerd.image.name": $name, "org.opencontainers.image.ref.name": $tag}}]
  }' >"$work/layout/index.json"
echo '{"imageLayoutVersion":"1.0.0"}' >"$work/layout/oci-layout"

mkdir -p "$(dirname "$out")"
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$work/layout" -cf "$out.tmp" oci-layout index.json blobs
mv "$out.tmp" "$out"
echo "sha256:$manifest_digest"
