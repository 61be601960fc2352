#!/usr/bin/env bash
# The project's own unit tests, then the conformance suite: it must pass on Redis 8.2.3 (the definition of right)
# and on the reference server in each of its five runtimes; on Valkey 9.1 it runs in report mode, recording
# divergences (as XFAIL, one row each in out/conformance-rows.jsonl) instead of failing.
# The conformance targets run as two pytest sessions side by side, one per core (the reference runtimes run inside
# their session's process); the second session's output follows the first's.
# Runs with the virtual environment scripts/setup.sh made (FORKDIFF_PYTHON overrides it).
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${FORKDIFF_PYTHON:-.venv/bin/python}
[ -x "$PY" ] || { echo "test: $PY not found; run bash scripts/setup.sh first"; exit 1; }
mkdir -p out
rm -f out/conformance-rows.jsonl out/conformance-rows-2.jsonl out/conformance-2.log
START=$SECONDS
SECOND=
trap '[ -n "$SECOND" ] && kill "$SECOND" 2>/dev/null; exit 130' INT TERM
CONFORMANCE=("$PY" -m pytest -q -p no:cacheprovider conformance --tb=short)
"$PY" -m pytest -q -p no:cacheprovider tests
rc=$?
if [ "$rc" = 0 ]; then
    "${CONFORMANCE[@]}" --target reference:sharded --target reference:locked --target reference:tasks \
        --results-json out/conformance-rows-2.jsonl > out/conformance-2.log 2>&1 &
    SECOND=$!
    "${CONFORMANCE[@]}" --target redis@8.2 --target reference --target reference:io-threads \
        --report-only valkey@9.1 --results-json out/conformance-rows.jsonl
    rc=$?
    wait "$SECOND"
    rc2=$?
    SECOND=
    echo "test: the second conformance session (reference:sharded, reference:locked, reference:tasks):"
    cat out/conformance-2.log
    [ -f out/conformance-rows-2.jsonl ] && cat out/conformance-rows-2.jsonl >> out/conformance-rows.jsonl
    rm -f out/conformance-rows-2.jsonl
    [ "$rc" = 0 ] && rc=$rc2
fi
echo "test: exit $rc after $((SECONDS - START)) s; conformance rows in out/conformance-rows.jsonl"
exit "$rc"
