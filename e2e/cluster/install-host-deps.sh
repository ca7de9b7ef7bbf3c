#!/usr/bin/env bash
# Installs what the `local` cluster provider needs from Debian: containerd, runc, the CNI plugins and iptables.
# Idempotent; a fresh CI machine runs it before `npm run cluster:up`.
set -euo pipefail

PACKAGES=(containerd runc containernetworking-plugins iptables conntrack gcc libc6-dev jq)

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-host-deps: all present (${PACKAGES[*]})"
  exit 0
fi
[ "$(id -u)" = 0 ] || { echo "install-host-deps: must run as root to install ${missing[*]}" >&2; exit 1; }
echo "install-host-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# --no-install-recommends: the packages' services are started by cluster:up, never by the init system.
apt-get install -y -qq --no-install-recommends "${missing[@]}"
