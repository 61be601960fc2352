#!/usr/bin/env bash
# The project's own unit tests, then the conformance suite: it must pass on Redis 8.2.3 (the definition of right)
# and on the reference server in each of its five runtimes; on Valkey 9.1 it runs in report mode, recording
# divergences (as XFAIL, one row each in out/conformance-rows.jsonl) instead of failing.
# Runs with the virtual environment scripts/setup.sh made (FORKDIFF_PYTHON overrides it).
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${FORKDIFF_PYTHON:-.venv/bin/python}
[ -x "$PY" ] || { echo "test: $PY not found; run bash scripts/setup.sh first"; exit 1; }
mkdir -p out
rm -f out/conformance-rows.jsonl
START=$SECONDS
"$PY" -m pytest -q -p no:cacheprovider tests \
    && "$PY" -m pytest -q -p no:cacheprovider conformance \
        --target redis@8.2 --target reference --target reference:io-threads --target reference:sharded \
        --target reference:locked --target reference:tasks --report-only valkey@9.1 \
        --results-json out/conformance-rows.jsonl --tb=short
rc=$?
echo "test: exit $rc after $((SECONDS - START)) s; conformance rows in out/conformance-rows.jsonl"
exit "$rc"
