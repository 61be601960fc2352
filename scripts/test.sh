#!/usr/bin/env bash
# The project's own unit tests, then the conformance suite: it must pass on Redis 8.2.3 (the definition of right)
# and on the reference server in each of its five runtimes; on Valkey 9.1 it runs in report mode, recording
# divergences instead of failing (listed as XFAIL lines at the end).
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p out
rm -f out/conformance-rows.jsonl
python3 -m pytest -q -p no:cacheprovider tests \
    && python3 -m pytest -q -p no:cacheprovider conformance \
        --target redis@8.2 --target reference --target reference:io-threads --target reference:sharded \
        --target reference:locked --target reference:tasks --report-only valkey@9.1 \
        --results-json out/conformance-rows.jsonl -rx --tb=short
