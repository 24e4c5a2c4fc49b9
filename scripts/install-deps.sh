#!/usr/bin/env bash
# Install the Debian 12 packages pgqc needs to build, test and run, when
# any is missing. Uses sudo when not run as root. Safe to run again.
set -euo pipefail

packages=(
  build-essential clang meson ninja-build pkg-config
  libpq-dev libpg-query-dev libprotobuf-c-dev libjansson-dev libssl-dev
  libcmocka-dev postgresql-15
  pgbouncer
)
# pgbouncer: only for tests/test_pooler.c, which starts its own on a private socket.

# --list: print the packages (for .ci/run) and stop.
if [ "${1:-}" = "--list" ]; then
  printf '%s\n' "${packages[@]}"
  exit 0
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
# pgqc starts its own throwaway servers: don't let the package create and
# start a system cluster on port 5432.
$sudo mkdir -p /etc/postgresql-common
if [ ! -f /etc/postgresql-common/createcluster.conf ]; then
  echo "create_main_cluster = false" | $sudo tee /etc/postgresql-common/createcluster.conf >/dev/null
fi
echo "installing: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
