#!/usr/bin/env bash
# Everything forkdiff needs on a fresh Debian/Ubuntu machine, installed like a Python tool: the project and its Python
# packages go into a virtual environment (.venv in the repository), so a system python3 marked externally managed
# (PEP 668) is never touched. Debian packages are installed only when running as root; otherwise this says which to
# install and goes on without them (never a sudo prompt out of nowhere).
#
#   PYTHON=/usr/bin/python3 bash scripts/setup.sh     # which interpreter makes the environment (default python3)
#   FORKDIFF_VENV=/opt/forkdiff bash scripts/setup.sh  # where the environment goes (default .venv)
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
VENV=${FORKDIFF_VENV:-.venv}
START=$SECONDS

step() { printf '[setup %3ds] %s\n' "$((SECONDS - START))" "$*"; }
as_root() { [ "$(id -u)" = 0 ]; }

apt_install() {  # apt_install WHY PACKAGE...: install as root, or say what to install and go on
    local why=$1; shift
    if as_root; then
        step "apt-get install $* ($why)"
        if [ -z "${APT_UPDATED:-}" ]; then apt-get update -qq; APT_UPDATED=1; fi
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
    else
        step "not root: skipped $* ($why); install with: sudo apt-get install $*"
        return 1
    fi
}

command -v "$PYTHON" >/dev/null || { echo "setup: $PYTHON not found (set PYTHON=/path/to/python3.11+)"; exit 1; }
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
    || { echo "setup: forkdiff needs Python 3.11 or newer; $PYTHON is $("$PYTHON" -V 2>&1)"; exit 1; }

step "1/4 system packages: redis-server (the redis@7.0 target), chromium (the page test)"
missing=""
[ -x /usr/bin/redis-server ] || missing="$missing redis-server"
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || missing="$missing chromium"
if [ -n "$missing" ]; then
    apt_install "redis@7.0 target and the page test" $missing || true
else
    step "    already installed"
fi

step "2/4 virtual environment $VENV ($("$PYTHON" -V 2>&1))"
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -m pip --version >/dev/null 2>&1; then
    rm -rf "$VENV"
    if ! "$PYTHON" -m venv "$VENV" >/dev/null 2>&1; then
        rm -rf "$VENV"
        # Debian and Ubuntu ship venv's pip bootstrap separately, named after the interpreter's version
        venv_pkg="python$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')-venv"
        apt_install "Python virtual environments" "$venv_pkg" \
            || { echo "setup: $PYTHON cannot make a virtual environment; install $venv_pkg"; exit 1; }
        "$PYTHON" -m venv "$VENV"
    fi
else
    step "    reusing $VENV"
fi

step "3/4 forkdiff and its Python packages into $VENV (servers and dev extras: about 130 MB)"
"$VENV/bin/python" -m pip install --disable-pip-version-check --progress-bar off -e ".[servers,dev]" \
    | { grep -E '^(Collecting|Successfully installed)' || true; } | sed -e 's/^/    /'

step "4/4 check"
"$VENV/bin/python" -m forkdiff targets >/dev/null || { echo "setup: forkdiff does not start from $VENV"; exit 1; }
step "done: $(du -sh "$VENV" | cut -f1) in $VENV; run forkdiff as $VENV/bin/forkdiff or $VENV/bin/python -m forkdiff"
