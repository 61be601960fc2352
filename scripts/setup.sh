#!/usr/bin/env bash
# Everything forkdiff needs on a fresh Debian machine: the servers it compares and its Python packages.
set -euo pipefail
cd "$(dirname "$0")/.."

# Redis 7.0 comes from Debian's package; Chromium renders the published page in the tests.
missing=""
[ -x /usr/bin/redis-server ] || missing="$missing redis-server"
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
if [ -n "$missing" ]; then
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
fi
python3 -m pip install -q --disable-pip-version-check -e ".[servers,dev]"
