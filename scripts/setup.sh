#!/usr/bin/env bash
# Everything forkdiff needs on a fresh Debian machine: the servers it compares and its Python packages.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/redis-server ]; then  # Redis 7.0 comes from Debian's package
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq redis-server >/dev/null
fi
python3 -m pip install -q --disable-pip-version-check -e ".[servers,dev]"
